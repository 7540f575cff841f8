// Paths the user names for output (--report, --journal, --output), checked before anything is sent: a run must not do
// its work and then fail to write down what it did.
import { stat } from 'node:fs/promises'
import { dirname, resolve, sep } from 'node:path'
import { UsageError } from '../core/errors.js'
import type { OutputTarget } from '../core/ports.js'

/**
 * `accepts: 'file'`: a file to create or replace, in a folder that exists. `'file-or-directory'`: that, or an existing
 * directory to write into (a path ending in `/` always means a directory). Anything else is exit 2 naming the path.
 */
export async function checkOutputPath(flag: string, path: string, accepts: 'file' | 'file-or-directory'): Promise<OutputTarget> {
  const shown = `${flag} ${path}`
  const wantsDirectory = path.endsWith('/') || path.endsWith(sep)
  const found = await stat(path).catch(() => undefined)
  if (wantsDirectory || found?.isDirectory()) {
    if (accepts === 'file') throw new UsageError(`${shown} is a directory; this needs a file path.`, { hint: `Name a file, e.g. ${path.replace(/[/\\]*$/, '')}/out.ndjson` })
    if (!found) throw new UsageError(`${shown}: there is no such directory.`, { hint: `Create it first (mkdir -p ${path}), or name a file.` })
    if (!found.isDirectory()) throw new UsageError(`${shown} is a file, not a directory.`, { hint: 'Drop the trailing / to write to that file.' })
    return { kind: 'directory', path: resolve(path) }
  }
  if (found && !found.isFile()) throw new UsageError(`${shown} exists and is not a regular file.`, { hint: 'Name another path.' })
  const folder = dirname(resolve(path))
  const parent = await stat(folder).catch(() => undefined)
  if (!parent?.isDirectory()) {
    throw new UsageError(`${shown}: the folder ${folder} does not exist.`, { hint: `Create it first (mkdir -p ${folder}), or name a path in an existing folder.` })
  }
  return { kind: 'file', path: resolve(path) }
}
