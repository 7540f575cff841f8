// The names (never the values) of the keychain entries `clowdops keychain set` stored: <config dir>/keychain-entries.json
// ({"entries": [{"service": …, "account": …}]}), 0600, written atomically. The OS keychain can only list one service at
// a time; this is how `keychain list` with no SERVICE knows which to look in.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { KeychainName, KeychainRecord } from '../core/ports.js'
import { writeAtomically } from './config.js'

const sameName = (a: KeychainName, b: KeychainName) => a.service === b.service && a.account === b.account

/** Best effort, as the port says: a missing or damaged record reads as empty; a failed write is dropped. */
export function keychainRecord(configDirectory: string): KeychainRecord {
  const path = join(configDirectory, 'keychain-entries.json')

  async function load(): Promise<KeychainName[]> {
    try {
      const raw = (JSON.parse(await readFile(path, 'utf8')) as { entries?: unknown }).entries
      return Array.isArray(raw)
        ? raw.filter((e): e is KeychainName => typeof e?.service === 'string' && typeof e?.account === 'string').map(({ service, account }) => ({ service, account }))
        : []
    } catch {
      return []
    }
  }

  async function save(entries: KeychainName[]): Promise<void> {
    try {
      await writeAtomically(configDirectory, path, `${JSON.stringify({ entries }, null, 2)}\n`)
    } catch {
      // Not recorded: `keychain list SERVICE` still finds the entry.
    }
  }

  return {
    list: load,
    async add(name) {
      const entries = await load()
      if (!entries.some((e) => sameName(e, name))) await save([...entries, name])
    },
    async remove(names) {
      const entries = await load()
      const kept = entries.filter((e) => !names.some((name) => sameName(e, name)))
      if (kept.length !== entries.length) await save(kept)
    },
  }
}
