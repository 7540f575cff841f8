// When each reminder was last shown: <config dir>/notices.json ({"key": "ISO time"}), 0600, written atomically.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { NoticeLog } from '../core/ports.js'
import { writeAtomically } from './config.js'

/** Best effort, as the port says: a missing, unreadable or damaged log reads as empty; a failed write is dropped. */
export function noticeLog(configDirectory: string): NoticeLog {
  const path = join(configDirectory, 'notices.json')

  async function load(): Promise<Record<string, unknown>> {
    try {
      const raw: unknown = JSON.parse(await readFile(path, 'utf8'))
      return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {}
    } catch {
      return {}
    }
  }

  return {
    async lastShown(key) {
      const at = (await load())[key]
      const time = typeof at === 'string' ? Date.parse(at) : Number.NaN
      return Number.isNaN(time) ? undefined : new Date(time)
    },
    async markShown(key, at) {
      try {
        // Two runs at once may each drop the other's key: that reminder is shown once more, no harm done.
        await writeAtomically(configDirectory, path, `${JSON.stringify({ ...(await load()), [key]: at.toISOString() })}\n`)
      } catch {
        // Not remembered: shown again on the next run.
      }
    },
  }
}
