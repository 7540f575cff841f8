// The config store: one JSON file of profiles, 0600 in a 0700 directory, validated, never silently reset.
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from '../core/errors.js'
import type { ConfigStore } from '../core/ports.js'
import { ConfigFile } from '../core/profile.js'

export const CONFIG_FILE_MODE = 0o600
export const CONFIG_DIR_MODE = 0o700

/** CLOWDOPS_CONFIG_DIR, else $XDG_CONFIG_HOME/clowdops, else ~/.config/clowdops (the OS convention on macOS/Windows). */
export function configDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CLOWDOPS_CONFIG_DIR) return env.CLOWDOPS_CONFIG_DIR
  if (process.platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'clowdops')
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Preferences', 'clowdops')
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'clowdops')
}

export function createConfigStore(directory: string = configDirectory()): ConfigStore {
  const path = join(directory, 'config.json')

  async function read(): Promise<ConfigFile> {
    let raw: unknown
    try {
      raw = JSON.parse(await readFile(path, 'utf8'))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw unreadable(path, error)
      raw = {}
    }
    // A file of `null`, `42` or `[]` is damaged as a whole: no key in it to fix with `config unset`.
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw notAnObject(path, raw)
    const parsed = ConfigFile.safeParse(raw)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const key = issue?.path.map(String).join('.') || '(top level)'
      throw new ConfigError(`The config file ${path} is invalid at ${key}: ${issue?.message ?? 'unknown problem'}.`, {
        hint: `Fix or remove that key (clowdops config unset), or move the file away; it was left as it is.`,
      })
    }
    return parsed.data
  }

  return {
    path,
    directory,
    read,
    async update(change) {
      const next = ConfigFile.parse(change(await read()))
      await writeAtomically(directory, path, `${JSON.stringify(next, undefined, '\t')}\n`)
      return next
    },
    async modes() {
      const modeOf = (p: string) => stat(p).then((s) => s.mode & 0o777, () => undefined)
      return { directory: await modeOf(directory), file: await modeOf(path) }
    },
  }
}

/**
 * A new 0600 file beside the old one, flushed, then renamed over it: readers see the old file or the new one, and a
 * file made world-readable by hand is replaced by a private one. (conf did this before, through atomically, whose
 * exit hook re-raised Ctrl-C and so cut short the CLI's own clean unwinding; it also cost ~50 ms of start-up.)
 */
export async function writeAtomically(directory: string, path: string, text: string): Promise<void> {
  await mkdir(directory, { recursive: true, mode: CONFIG_DIR_MODE })
  const temporary = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`
  const handle = await open(temporary, 'wx', CONFIG_FILE_MODE)
  try {
    await handle.writeFile(text)
    await handle.sync()
  } catch (error) {
    await handle.close()
    await rm(temporary, { force: true })
    throw error
  }
  await handle.close()
  try {
    await rename(temporary, path)
  } catch (error) {
    await rm(temporary, { force: true })
    throw error
  }
}

function notAnObject(path: string, raw: unknown): ConfigError {
  const held = raw === null ? 'null' : Array.isArray(raw) ? 'an array' : `a ${typeof raw}`
  return new ConfigError(`The config file ${path} holds ${held}, not a JSON object of settings.`, {
    hint: 'Fix the file by hand or move it away; clowdops will not overwrite it.',
  })
}

function unreadable(path: string, error: unknown): ConfigError {
  const reason = error instanceof SyntaxError ? 'it is not valid JSON' : error instanceof Error ? error.message : String(error)
  return new ConfigError(`Cannot read the config file ${path}: ${reason}.`, {
    hint: 'Fix the file by hand or move it away; clowdops will not overwrite it.',
    cause: error,
  })
}
