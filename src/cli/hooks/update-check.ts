// The update notice. Every run reads the version file (one stat, one small read) and warns when it names a newer
// release; when the file is missing or older than a week, a detached process (bin/update-check.js) asks the npm
// registry and rewrites it, so no command waits for the registry. That process reads the npm token itself: nothing
// secret is on its command line (oclif's plugin-warn-if-update-available, used before, passed the token in argv).
import { mkdir, readFile, stat, utimes, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Hook, Interfaces } from '@oclif/core'

const CHECK_EVERY_MS = 7 * 24 * 60 * 60 * 1000

const updateCheck: Hook.Init = async function ({ config }) {
  if (config.scopedEnvVarTrue('SKIP_NEW_VERSION_CHECK')) return
  const versionFile = join(config.cacheDir, 'version')
  const known = await readVersionFile(versionFile)
  if (!known.fresh && (await markChecking(versionFile, config.version))) startCheck(config, versionFile)
  // A prerelease is not told about releases: whoever runs one chose their version.
  if (known.latest && !config.version.includes('-') && isNewer(known.latest, config.version)) {
    this.warn(`${config.name} update available from ${config.version} to ${known.latest}: npm install -g ${config.name}`)
  }
}

export default updateCheck

/** What the version file says: whether it was checked within the week, and the latest release if it names one. */
async function readVersionFile(versionFile: string): Promise<{ fresh: boolean; latest?: string }> {
  let fresh: boolean
  try {
    fresh = (await stat(versionFile)).mtimeMs + CHECK_EVERY_MS > Date.now()
  } catch {
    return { fresh: false }
  }
  try {
    const tags = JSON.parse(await readFile(versionFile, 'utf8')) as Record<string, unknown>
    return typeof tags.latest === 'string' ? { fresh, latest: tags.latest } : { fresh }
  } catch {
    return { fresh } // unreadable: the next check rewrites it
  }
}

/**
 * Makes the file fresh before the check starts, so that the runs meanwhile (and after a check that fails) start none
 * for a week. False when the cache cannot be written: then no check is started, or every run would start one.
 */
async function markChecking(versionFile: string, version: string): Promise<boolean> {
  const now = new Date()
  try {
    await utimes(versionFile, now, now)
    return true
  } catch {
    try {
      await mkdir(dirname(versionFile), { recursive: true, mode: 0o700 })
      await writeFile(versionFile, `${JSON.stringify({ current: version })}\n`, { mode: 0o600 })
      return true
    } catch {
      return false
    }
  }
}

/** Starts bin/update-check.js on its own: it outlives this command, which does not wait for it. */
function startCheck(config: Interfaces.Config, versionFile: string): void {
  const check = { name: config.name, version: config.version, versionFile, ...(config.npmRegistry ? { registry: config.npmRegistry } : {}) }
  // It needs the npm configuration and the proxy settings of this environment, and not the platform token.
  const { CLOWDOPS_TOKEN: _token, ...environment } = process.env
  try {
    // Loaded only when a check is due (once a week): node:child_process and what it pulls in cost every run ~2 ms.
    const { spawn } = process.getBuiltinModule('node:child_process') as typeof import('node:child_process')
    spawn(process.execPath, [join(config.root, 'bin', 'update-check.js')], {
      detached: !config.windows,
      stdio: 'ignore',
      windowsHide: true,
      env: { ...environment, CLOWDOPS_VERSION_CHECK: JSON.stringify(check) },
    })
      .on('error', () => undefined)
      .unref()
  } catch {
    // A check that cannot start is tried again next week: the notice is not worth failing a command for.
  }
}

/** Release parts only (before any '-'), numbers compared as numbers: 0.10.0 is newer than 0.9.1. */
function isNewer(candidate: string, current: string): boolean {
  const release = (version: string) => version.split('-', 1)[0] ?? version
  return release(candidate).localeCompare(release(current), undefined, { numeric: true, sensitivity: 'base' }) > 0
}
