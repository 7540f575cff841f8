// Cross-process locks as exclusive-create files in the config directory; a holder that died leaves a stale lock
// that is broken after STALE_MS.
import { mkdir, open, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Clock, Locks } from '../core/ports.js'
import { CONFIG_DIR_MODE } from './config.js'

const STALE_MS = 30_000
const WAIT_MS = 25
const GIVE_UP_MS = 60_000

export function fileLocks(configDirectory: string, clock: Clock): Locks {
  const directory = join(configDirectory, 'locks')
  return {
    async withLock(name, run) {
      await mkdir(directory, { recursive: true, mode: CONFIG_DIR_MODE })
      const path = join(directory, `${name}.lock`)
      const started = clock.now().getTime()
      for (;;) {
        try {
          const handle = await open(path, 'wx', 0o600)
          await handle.writeFile(String(process.pid))
          await handle.close()
          break
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
          const age = await stat(path).then((s) => clock.now().getTime() - s.mtimeMs, () => 0)
          if (age > STALE_MS) await rm(path, { force: true })
          else if (clock.now().getTime() - started > GIVE_UP_MS) throw new Error(`Timed out waiting for the lock ${path}`)
          else await clock.sleep(WAIT_MS)
        }
      }
      try {
        return await run()
      } finally {
        await rm(path, { force: true })
      }
    },
  }
}
