// The pending privacy requests file: ids reserved before their POST, so a rerun after a lost response reuses them.
import { mkdir, open, readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import type { Locks, PendingRequests } from '../core/ports.js'
import { CONFIG_DIR_MODE, CONFIG_FILE_MODE } from './config.js'

/** Idempotency keys are kept by the platform for at least this long; an older reservation could create a duplicate. */
const KEEP_MS = 24 * 3_600_000

const PendingFile = z.record(z.string(), z.object({ id: z.string(), reserved_at: z.iso.datetime() }))
type PendingFile = z.infer<typeof PendingFile>

export function pendingRequestsFile(configDirectory: string, locks: Locks, now: () => Date): PendingRequests {
  const path = join(configDirectory, 'pending-requests.json')

  async function load(): Promise<PendingFile> {
    const raw = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '{}'
      throw error
    })
    // A damaged file only loses replay protection for the runs it held; it must not block new requests.
    const parsed = PendingFile.safeParse(safeJson(raw))
    if (!parsed.success) return {}
    const cutoff = now().getTime() - KEEP_MS
    return Object.fromEntries(Object.entries(parsed.data).filter(([, entry]) => Date.parse(entry.reserved_at) > cutoff))
  }

  /** Written to a temporary file, flushed to disk, then renamed: a crash leaves the old file or the new, never half. */
  async function save(pending: PendingFile): Promise<void> {
    await mkdir(configDirectory, { recursive: true, mode: CONFIG_DIR_MODE })
    const temporary = `${path}.${process.pid}.tmp`
    const handle = await open(temporary, 'w', CONFIG_FILE_MODE)
    try {
      await handle.writeFile(JSON.stringify(pending, null, 2))
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temporary, path)
  }

  return {
    reserve: (fingerprint, fresh) =>
      locks.withLock('pending-requests', async () => {
        const pending = await load()
        const kept = pending[fingerprint]
        if (kept) return { id: kept.id, reused: true }
        await save({ ...pending, [fingerprint]: { id: fresh, reserved_at: now().toISOString() } })
        return { id: fresh, reused: false }
      }),
    release: (fingerprint) =>
      locks.withLock('pending-requests', async () => {
        const pending = await load()
        if (!(fingerprint in pending)) return
        delete pending[fingerprint]
        await save(pending)
      }),
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw)
  } catch {
    return undefined
  }
}
