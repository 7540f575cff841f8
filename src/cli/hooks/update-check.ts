// The update notice: the init hook of @oclif/plugin-warn-if-update-available, run only when it has something to do.
// Loading that hook costs ~20 ms on every command (it reads the npm configuration for the registry), while nearly every
// run finds a fresh version file that names nothing newer; that is checked here first, with one stat and one small read.
import { readFile, stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { type Hook, type Interfaces, ModuleLoader } from '@oclif/core'

const DAY_MS = 24 * 60 * 60 * 1000

const updateCheck: Hook.Init = async function (options) {
  const { config } = options
  const force = config.scopedEnvVarTrue('FORCE_VERSION_CACHE_UPDATE')
  if (!force && (config.scopedEnvVarTrue('SKIP_NEW_VERSION_CHECK') || !(await pluginHasWork(config)))) return
  // The plugin's package exports only its index; the hook sits next to it, and is loaded the way oclif loads hooks.
  const index = createRequire(join(config.root, 'package.json')).resolve('@oclif/plugin-warn-if-update-available')
  const hookFile = join(dirname(index), 'hooks', 'init', 'check-update.js')
  const { default: pluginHook } = (await ModuleLoader.load(config, hookFile)) as { default: Hook.Init }
  await pluginHook.call(this, options)
}

export default updateCheck

/**
 * The plugin's hook acts when the version file is missing or older than `timeoutInDays` (it refreshes it in a detached
 * process) or names a newer version for the tag (it may warn). Anything else, including an unreadable file, is left to it.
 */
async function pluginHasWork(config: Interfaces.Config): Promise<boolean> {
  const { timeoutInDays = 60 } = (config.pjson.oclif['warn-if-update-available'] ?? {}) as { timeoutInDays?: number }
  const versionFile = join(config.cacheDir, 'version')
  try {
    const { mtime } = await stat(versionFile)
    if (mtime.valueOf() + timeoutInDays * DAY_MS < Date.now()) return true
    const tags = JSON.parse(await readFile(versionFile, 'utf8')) as Record<string, unknown>
    const latest = tags[config.scopedEnvVar('NEW_VERSION_CHECK_TAG') ?? 'latest']
    return typeof latest === 'string' && isNewer(latest, config.version)
  } catch {
    return true
  }
}

/** The plugin's comparison: release parts only (before any '-'), numbers compared as numbers. */
function isNewer(candidate: string, current: string): boolean {
  const release = (version: string) => version.split('-', 1)[0] ?? version
  return release(candidate).localeCompare(release(current), undefined, { numeric: true, sensitivity: 'base' }) > 0
}
