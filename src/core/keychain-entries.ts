// `clowdops keychain`: put secrets in the OS keychain, list and delete them by name, so `keychain:` references work
// without OS-specific tools. Results name entries; a value never leaves this module except into the store.
import { z } from 'zod'
import { formatSecretRef, hasControlCharacter, parseKeychainName, parseKeychainService, readSecretInput } from './credentials/secret-ref.js'
import { KeychainUnavailableError, NotFoundError, UsageError } from './errors.js'
import type { KeychainRecord, Locks, SecretInput, SecretStore } from './ports.js'

export const KeychainEntry = z.object({
  service: z.string(),
  account: z.string(),
  /** The secret reference for this entry; absent when its account (made by another tool) has control characters. */
  reference: z.string().optional(),
})
export type KeychainEntry = z.infer<typeof KeychainEntry>

export const KeychainEntryList = z.object({
  /** The services looked in: the one named, or (without SERVICE) those `keychain set` stored under. */
  services: z.array(z.string()),
  entries: z.array(KeychainEntry),
})
export type KeychainEntryList = z.infer<typeof KeychainEntryList>

export const StoredKeychainEntry = KeychainEntry.extend({
  reference: z.string(),
  stored: z.literal(true),
  /** An entry of that name existed and now holds the new value. */
  replaced: z.boolean(),
})
export type StoredKeychainEntry = z.infer<typeof StoredKeychainEntry>

export const DeletedKeychainEntry = z.object({
  service: z.string(),
  account: z.string(),
  deleted: z.literal(true),
})
export type DeletedKeychainEntry = z.infer<typeof DeletedKeychainEntry>

/** `keychain set` takes its value from stdin or a prompt; one on the command line is refused without repeating it. */
function refuseValueInArgv(extra: readonly string[]): void {
  if (extra.length > 0) {
    throw new UsageError('clowdops keychain set takes only SERVICE/ACCOUNT; the rest was not used (a value there would stay in your shell history).', {
      code: 'secret_literal',
      hint: "Pipe the value in (printf '%s' \"$VALUE\" | clowdops keychain set SERVICE/ACCOUNT) or type it at the hidden prompt.",
    })
  }
}

/**
 * Stores the secret piped to stdin (or typed at a hidden prompt) under SERVICE/ACCOUNT, replacing any value there.
 * The keychain is asked first, so an unreachable one (exit 9) fails before anyone types a secret.
 */
export async function setKeychainEntry(
  input: { name: string; /** Words after the name on the command line: refused (a value there is a leak). */ extraArgs?: readonly string[] },
  deps: { secrets: SecretStore; input: SecretInput; keychainRecord: KeychainRecord; locks: Locks },
): Promise<StoredKeychainEntry> {
  refuseValueInArgv(input.extraArgs ?? [])
  const { service, account } = parseKeychainName(input.name)
  const existing = await withKeychainHint(deps.secrets.get(service, account))
  const value = await readSecretInput(deps.input, {
    prompt: `Secret to store as ${service}/${account}`,
    hint: `Pipe it in, e.g. printf '%s' "$VALUE" | clowdops keychain set ${service}/${account}`,
  })
  await withKeychainHint(deps.secrets.set(service, account, value))
  await deps.locks.withLock(RECORD_LOCK, () => deps.keychainRecord.add({ service, account }))
  return { service, account, reference: formatSecretRef({ kind: 'keychain', service, account }), stored: true, replaced: existing !== undefined }
}

/** The record of what `keychain set` stored is changed under this lock, so two runs at once both land. */
const RECORD_LOCK = 'keychain-record'

function entryOf(service: string, account: string): KeychainEntry {
  const usable = account.length > 0 && !hasControlCharacter(account)
  return { service, account, ...(usable ? { reference: formatSecretRef({ kind: 'keychain', service, account }) } : {}) }
}

/**
 * By name only (the store drops the values before they reach here): every entry of SERVICE, whoever made it; without
 * SERVICE, the entries `keychain set` stored that are still there (the others leave the record). clowdops's own
 * sign-in entries are never among those.
 */
export async function listKeychainEntries(
  input: { service?: string | undefined },
  deps: { secrets: Pick<SecretStore, 'list'>; keychainRecord: KeychainRecord; locks: Locks },
): Promise<KeychainEntryList> {
  if (input.service !== undefined) {
    const service = parseKeychainService(input.service)
    const accounts = await withKeychainHint(deps.secrets.list(service))
    return { services: [service], entries: accounts.map((account) => entryOf(service, account)) }
  }
  const recorded = await deps.keychainRecord.list()
  const services = [...new Set(recorded.map((e) => e.service))].sort()
  const present = new Map<string, Set<string>>()
  for (const service of services) present.set(service, new Set(await withKeychainHint(deps.secrets.list(service))))
  const [kept, gone] = [recorded.filter((e) => present.get(e.service)?.has(e.account)), recorded.filter((e) => !present.get(e.service)?.has(e.account))]
  if (gone.length > 0) await deps.locks.withLock(RECORD_LOCK, () => deps.keychainRecord.remove(gone))
  const entries = kept.map((e) => entryOf(e.service, e.account)).sort((a, b) => `${a.service}/${a.account}`.localeCompare(`${b.service}/${b.account}`))
  return { services: [...new Set(entries.map((e) => e.service))], entries }
}

/** Deletes SERVICE/ACCOUNT; NotFoundError (exit 5) when there is no such entry. */
export async function deleteKeychainEntry(
  input: { name: string },
  deps: { secrets: Pick<SecretStore, 'delete'>; keychainRecord: KeychainRecord; locks: Locks },
): Promise<DeletedKeychainEntry> {
  const { service, account } = parseKeychainName(input.name)
  const deleted = await withKeychainHint(deps.secrets.delete(service, account))
  await deps.locks.withLock(RECORD_LOCK, () => deps.keychainRecord.remove([{ service, account }]))
  if (!deleted) {
    throw new NotFoundError(`No OS keychain entry ${service}/${account}.`, {
      hint: `See what there is with: clowdops keychain list ${service}`,
    })
  }
  return { service, account, deleted: true }
}

/** The store's own hint speaks of sign-in; here the way out is a reference that needs no keychain. */
async function withKeychainHint<T>(call: Promise<T>): Promise<T> {
  try {
    return await call
  } catch (error) {
    if (!(error instanceof KeychainUnavailableError)) throw error
    throw error.withHint(
      'Start or unlock your OS keychain (on Linux: a Secret Service such as gnome-keyring); where there is none (CI), give secrets as env:NAME or file:PATH references instead.',
    )
  }
}
