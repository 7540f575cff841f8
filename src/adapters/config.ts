// The config store on conf: one JSON file of profiles, 0600 in a 0700 directory, validated, never silently reset.
import { chmodSync, existsSync, mkdirSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type Conf from 'conf'
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
  let conf: Promise<Conf<Record<string, unknown>>> | undefined

  function open(): Promise<Conf<Record<string, unknown>>> {
    conf ??= import('conf').then(({ default: Conf }) => {
      if (!existsSync(directory)) mkdirSync(directory, { recursive: true, mode: CONFIG_DIR_MODE })
      try {
        return new Conf<Record<string, unknown>>({
          cwd: directory,
          configName: 'config',
          projectName: 'clowdops',
          clearInvalidConfig: false,
          configFileMode: CONFIG_FILE_MODE,
          accessPropertiesByDotNotation: false,
        })
      } catch (error) {
        throw unreadable(path, error)
      }
    })
    return conf
  }

  async function read(): Promise<ConfigFile> {
    const store = await open()
    let raw: unknown
    try {
      raw = store.store
    } catch (error) {
      throw unreadable(path, error)
    }
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
      const store = await open()
      store.store = next
      chmodSync(path, CONFIG_FILE_MODE) // conf keeps an existing file's mode; ours is always 0600
      return next
    },
    async modes() {
      const modeOf = (p: string) => stat(p).then((s) => s.mode & 0o777, () => undefined)
      return { directory: await modeOf(directory), file: await modeOf(path) }
    },
  }
}

function unreadable(path: string, error: unknown): ConfigError {
  const reason = error instanceof SyntaxError ? 'it is not valid JSON' : error instanceof Error ? error.message : String(error)
  return new ConfigError(`Cannot read the config file ${path}: ${reason}.`, {
    hint: 'Fix the file by hand or move it away; clowdops will not overwrite it.',
    cause: error,
  })
}
