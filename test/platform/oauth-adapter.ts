// oidc-provider's storage for one platform: plain Maps, so each platform keeps its own grants and nothing is evicted.
// (oidc-provider's bundled adapter is an LRU of 1000 entries and warns on stderr; this one is quiet and unbounded.)
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider'

/** Expired entries stay this long, so a late poll still hears `expired_token` rather than "not found". */
const GRACE_MS = 10 * 60_000
const SWEEP_EVERY_MS = 30_000

interface Entry {
  payload: AdapterPayload
  /** When the model expires (ms since epoch); Infinity for none. */
  expiresAt: number
}

export function createMemoryAdapter(now: () => number = Date.now): AdapterFactory {
  const entries = new Map<string, Entry>()
  /** grantId → keys of the tokens and codes issued under it. */
  const grants = new Map<string, Set<string>>()
  const userCodes = new Map<string, string>()
  const sessionUids = new Map<string, string>()
  let lastSweep = now()

  function sweep(): void {
    const at = now()
    if (at - lastSweep < SWEEP_EVERY_MS) return
    lastSweep = at
    for (const [key, entry] of entries) if (entry.expiresAt + GRACE_MS < at) entries.delete(key)
    for (const [grantId, keys] of grants) {
      for (const key of keys) if (!entries.has(key)) keys.delete(key)
      if (keys.size === 0) grants.delete(grantId)
    }
    for (const index of [userCodes, sessionUids]) {
      for (const [value, key] of index) if (!entries.has(key)) index.delete(value)
    }
  }

  return (model: string): Adapter => {
    const keyOf = (id: string) => `${model}:${id}`
    const read = (key: string | undefined): AdapterPayload | undefined => {
      if (key === undefined) return undefined
      const entry = entries.get(key)
      if (!entry) return undefined
      if (entry.expiresAt + GRACE_MS < now()) {
        entries.delete(key)
        return undefined
      }
      return entry.payload
    }
    return {
      async upsert(id, payload, expiresIn) {
        sweep()
        const key = keyOf(id)
        entries.set(key, { payload, expiresAt: typeof expiresIn === 'number' ? now() + expiresIn * 1000 : Infinity })
        if (payload.grantId) {
          const keys = grants.get(payload.grantId) ?? new Set<string>()
          keys.add(key)
          grants.set(payload.grantId, keys)
        }
        if (payload.userCode) userCodes.set(payload.userCode, key)
        if (model === 'Session' && payload.uid) sessionUids.set(payload.uid, key)
      },
      async find(id) {
        return read(keyOf(id))
      },
      async findByUserCode(userCode) {
        return read(userCodes.get(userCode))
      },
      async findByUid(uid) {
        return read(sessionUids.get(uid))
      },
      async consume(id) {
        const payload = read(keyOf(id))
        if (payload) payload.consumed = Math.floor(now() / 1000)
      },
      async destroy(id) {
        entries.delete(keyOf(id))
      },
      async revokeByGrantId(grantId) {
        const keys = grants.get(grantId)
        if (!keys) return
        for (const key of keys) {
          if (!key.startsWith(`${model}:`)) continue
          entries.delete(key)
          keys.delete(key)
        }
        if (keys.size === 0) grants.delete(grantId)
      },
    }
  }
}
