// The one module that touches the OS keychain: keytar behind a lock check and a timeout, failures as
// KeychainUnavailableError.
import { KeychainUnavailableError, UsageError } from '../core/errors.js'
import type { SecretStore } from '../core/ports.js'
import { Secret } from '../core/secret.js'
import { type LockQuery, type LockState, secretServiceLockState } from './secret-service.js'

/** The part of keytar's API this adapter uses. */
export interface KeytarModule {
  getPassword(service: string, account: string): Promise<string | null>
  setPassword(service: string, account: string, password: string): Promise<void>
  deletePassword(service: string, account: string): Promise<boolean>
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>
}

export interface KeychainStoreOptions {
  /** Upper bound for each keychain call, lock check and loading keytar included. A missing D-Bus service can hang for minutes. */
  timeoutMs?: number
  /**
   * Test seam: how to obtain the keytar module. Defaults to a lazy `import('@github/keytar')`.
   * Tests pass a hand-written fake here (no module mocking) to reach paths a real keychain cannot be made to take.
   */
  load?: () => Promise<KeytarModule>
  /**
   * Asked before keytar, within the same time limit: is what the call needs locked? keytar cannot tell a locked entry
   * from a missing one, and a native call that hangs cannot be abandoned. Defaults to asking the Secret Service over
   * D-Bus where keytar uses libsecret, and to `unknown` (keytar alone) on macOS and Windows.
   */
  lockState?: (query: LockQuery, signal: AbortSignal) => Promise<LockState>
}

export const defaultKeychainTimeoutMs = 3000

type Operation = 'read' | 'store' | 'delete' | 'list'

const phrases: Record<Operation, (target: string) => string> = {
  read: (target) => `read "${target}" from`,
  store: (target) => `store "${target}" in`,
  delete: (target) => `delete "${target}" from`,
  list: (target) => `list the accounts of "${target}" in`,
}

/** The same words wherever a locked keychain stops a command. */
export const KEYCHAIN_LOCKED = 'the keychain is locked; unlock it and retry'
const LOCKED_HINT =
  'Unlock your OS keychain (log in to the desktop session, or unlock it in your keyring or Keychain Access app), ' +
  'then run the command again.'

/** keytar uses libsecret (the Secret Service over D-Bus) everywhere but on macOS and Windows. */
const usesSecretService = process.platform !== 'darwin' && process.platform !== 'win32'

function defaultLockState(query: LockQuery, signal: AbortSignal): Promise<LockState> {
  return usesSecretService ? secretServiceLockState(query, process.env, signal) : Promise.resolve('unknown')
}

export function createKeychainStore(options: KeychainStoreOptions = {}): SecretStore {
  const timeoutMs = options.timeoutMs ?? defaultKeychainTimeoutMs
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive: ${timeoutMs}`)
  const load = options.load ?? importKeytar
  const lockState = options.lockState ?? defaultLockState
  let keytar: Promise<KeytarModule> | undefined

  async function call<T>(
    operation: Operation,
    target: string,
    needs: LockQuery,
    run: (keytar: KeytarModule) => Promise<T>,
    value?: Secret,
  ): Promise<T> {
    // Loaded on first use and once: a failed load is not retried, a missing library does not appear mid-process.
    // Loading goes on while the lock check runs; a call that never gets to it must not leave its failure unhandled.
    if (keytar === undefined) {
      keytar = load()
      keytar.catch(() => undefined)
    }
    const loaded = keytar
    const abandon = new AbortController()
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abandon.abort()
        reject(new KeychainTimeout())
      }, timeoutMs)
    })
    const unlessLocked = async (): Promise<T> => {
      const state = await lockState(needs, abandon.signal)
      if (state === 'locked') throw new KeychainLocked()
      const module = await loaded
      // A native call cannot be abandoned: it goes on in a libuv worker thread until D-Bus gives up (25 s, twice), and
      // the process cannot exit before it does, not even through process.exit. So none starts after the time is up.
      if (state === 'unanswered' || abandon.signal.aborted) throw new KeychainTimeout()
      return run(module)
    }
    try {
      return await Promise.race([unlessLocked(), timedOut])
    } catch (error) {
      throw unavailable(operation, target, error, timeoutMs, value)
    } finally {
      clearTimeout(timer)
    }
  }

  const entry = (service: string, account: string): LockQuery => ({ items: { service, account } })

  return {
    async get(service, account) {
      checkName('service', service)
      checkName('account', account)
      const password = await call('read', `${service}/${account}`, entry(service, account), (k) => k.getPassword(service, account))
      return password === null ? undefined : new Secret(password)
    },

    async set(service, account, value) {
      checkName('service', service)
      checkName('account', account)
      if (value.reveal() === '') throw new UsageError('Refusing to store an empty secret in the OS keychain.')
      const needs = { defaultCollection: true } // where a new item goes
      await call('store', `${service}/${account}`, needs, (k) => k.setPassword(service, account, value.reveal()), value)
    },

    async delete(service, account) {
      checkName('service', service)
      checkName('account', account)
      return call('delete', `${service}/${account}`, entry(service, account), (k) => k.deletePassword(service, account))
    },

    async checkWritable(service, account) {
      checkName('service', service)
      checkName('account', account)
      // What storing needs, and one real round trip (the library loads, the service answers); the value is dropped.
      const needs = { ...entry(service, account), defaultCollection: true }
      await call('store', `${service}/${account}`, needs, async (k) => void (await k.getPassword(service, account)))
    },

    async list(service) {
      checkName('service', service)
      // Never on a locked item: findCredentials crashes the process (a NULL secret in libsecret) on one.
      return call('list', service, { items: { service } }, async (k) => {
        // keytar has no names-only search; the values are dropped here, before anything else sees them.
        const accounts = (await k.findCredentials(service)).map(({ account }) => account)
        return [...new Set(accounts)].sort()
      })
    },
  }
}

async function importKeytar(): Promise<KeytarModule> {
  // CommonJS: Node's static analysis finds only some of its named exports, so take module.exports from `default`.
  const module = (await import('@github/keytar')) as unknown as { default?: KeytarModule } & Partial<KeytarModule>
  return module.default ?? (module as KeytarModule)
}

function checkName(kind: 'service' | 'account', name: string): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new UsageError(`The keychain ${kind} name must not be empty.`)
  }
  if (hasControlCharacter(name)) {
    throw new UsageError(`The keychain ${kind} name must not contain control characters.`)
  }
}

/** C0 and C1 control characters, DEL included: names end up in item labels, messages and terminals. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true
  }
  return false
}

class KeychainTimeout extends Error {}
class KeychainLocked extends Error {}

/** The known ways keytar fails, per platform, in words a user can act on. */
const knownFailures: ReadonlyArray<readonly [RegExp, string]> = [
  [/Failed to load keytar native addon|libsecret|cannot open shared object/i,
    'the keychain library could not be loaded (on Linux it needs libsecret-1-0)'],
  [/Cannot autolaunch D-Bus|\$DISPLAY/i, 'there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset)'],
  [/Could not connect|Failed to connect|Connection refused|DBUS_SESSION_BUS_ADDRESS|Unable to autolaunch/i,
    'the D-Bus session bus cannot be reached'],
  [/org\.freedesktop\.secrets|ServiceUnknown|not provided by any \.service/i,
    'no Secret Service (such as gnome-keyring) is running on the D-Bus session bus'],
  [/locked|User interaction is not allowed|errSecInteractionNotAllowed/i, KEYCHAIN_LOCKED],
  [/dismissed|cancell?ed/i, 'unlocking the keyring was cancelled'],
]

function unavailable(
  operation: Operation,
  target: string,
  error: unknown,
  timeoutMs: number,
  value: Secret | undefined,
): KeychainUnavailableError {
  const failed = `Could not ${phrases[operation](target)} the OS keychain`
  if (error instanceof KeychainTimeout) {
    return new KeychainUnavailableError(`${failed}: it did not answer within ${timeoutMs} ms.`)
  }
  if (error instanceof KeychainLocked) return locked(`${failed}: ${KEYCHAIN_LOCKED}.`)
  let raw = oneLine(error instanceof Error ? error.message : String(error))
  const explanation = knownFailures.find(([pattern]) => pattern.test(raw))?.[1]
  // Belt and braces: no native message is known to echo the value, but one that did must not carry it any further.
  const revealed = value?.reveal()
  const echoed = revealed !== undefined && raw.includes(revealed)
  if (echoed) raw = 'native error withheld: it contained the secret'
  const detail = explanation === undefined ? raw : `${explanation} (${raw})`
  const cause = echoed ? {} : { cause: error }
  if (explanation === KEYCHAIN_LOCKED) return locked(`${failed}: ${detail}.`, cause)
  return new KeychainUnavailableError(`${failed}: ${detail}.`, cause)
}

function locked(message: string, options: { cause?: unknown } = {}): KeychainUnavailableError {
  return new KeychainUnavailableError(message, { code: 'keychain_locked', hint: LOCKED_HINT, ...options })
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}
