// Asks the Secret Service (org.freedesktop.secrets) over D-Bus whether what a keychain call needs is locked, before
// libsecret is asked: libsecret reads an item in a locked collection as absent (keytar: null) or crashes on it
// (findCredentials), and a call to a stopped service holds the process for libsecret's D-Bus timeouts (2 × 25 s),
// while this question can be dropped the moment it takes too long.
import { DBusError, connectBus, sessionBusSockets, type DBusConnection } from './dbus.js'

/** What a keychain call needs unlocked: the items with these attributes, and/or the collection new items go to. */
export interface LockQuery {
  items?: Record<string, string>
  defaultCollection?: boolean
}

/**
 * - unlocked: the service answered and nothing asked about is locked
 * - locked: some of it is
 * - unanswered: no answer before `signal` aborted (a stopped service or a bus that hangs)
 * - unknown: no usable bus, no service, or an answer this cannot read: libsecret will say what it finds
 */
export type LockState = 'unlocked' | 'locked' | 'unanswered' | 'unknown'

const SERVICE = { destination: 'org.freedesktop.secrets', path: '/org/freedesktop/secrets' }
const DEFAULT_COLLECTION = '/org/freedesktop/secrets/aliases/default'
/** The replies of a service where there is no default collection (yet): nothing there to be locked. */
const NO_SUCH_OBJECT = /NoSuchObject|UnknownObject|UnknownMethod/

export async function secretServiceLockState(
  query: LockQuery,
  env: Readonly<Record<string, string | undefined>>,
  signal: AbortSignal,
): Promise<LockState> {
  if (signal.aborted) return 'unanswered'
  const sockets = sessionBusSockets(env)
  if (sockets.length === 0) return 'unknown'
  const bus = connectBus(sockets)
  let stopWaiting = () => {}
  const abandoned = new Promise<LockState>((resolve) => {
    const onAbort = () => resolve('unanswered')
    signal.addEventListener('abort', onAbort, { once: true })
    stopWaiting = () => signal.removeEventListener('abort', onAbort)
  })
  const answered = lockState(bus, query).catch((): LockState => 'unknown')
  try {
    return await Promise.race([answered, abandoned])
  } finally {
    stopWaiting()
    bus.close()
  }
}

async function lockState(bus: DBusConnection, query: LockQuery): Promise<LockState> {
  const checks: Array<Promise<boolean>> = []
  if (query.items) checks.push(anyItemLocked(bus, query.items))
  if (query.defaultCollection) checks.push(defaultCollectionLocked(bus))
  return (await Promise.all(checks)).some(Boolean) ? 'locked' : 'unlocked'
}

/** SearchItems answers with the matching items in two lists: unlocked, and locked. */
async function anyItemLocked(bus: DBusConnection, attributes: Record<string, string>): Promise<boolean> {
  const [, locked] = await bus.call({
    ...SERVICE,
    interface: 'org.freedesktop.Secret.Service',
    member: 'SearchItems',
    signature: 'a{ss}',
    body: [Object.entries(attributes)],
  })
  return Array.isArray(locked) && locked.length > 0
}

async function defaultCollectionLocked(bus: DBusConnection): Promise<boolean> {
  try {
    const [locked] = await bus.call({
      destination: SERVICE.destination,
      path: DEFAULT_COLLECTION,
      interface: 'org.freedesktop.DBus.Properties',
      member: 'Get',
      signature: 'ss',
      body: ['org.freedesktop.Secret.Collection', 'Locked'],
    })
    return locked === true
  } catch (error) {
    if (error instanceof DBusError && NO_SUCH_OBJECT.test(error.errorName)) return false
    throw error
  }
}
