// An unknown command, answered as gh does: "Did you mean …?" printed, never asked (a question would hang a pipeline, and
// a yes would run a command nobody typed), exit 2 like any other usage error, the error body on stdout under --json.
import type { Hook } from '@oclif/core'
import { UsageError } from '../../core/errors.js'
import { editDistance } from '../../core/suggest.js'

const notFound: Hook.CommandNotFound = async function ({ argv, config, id }) {
  const typed = id.split(':').filter(Boolean)
  const known = [...config.commandIDs, ...config.topics.map((topic) => topic.name)].filter((known) => !config.findCommand(known)?.hidden)
  const match = closestCommand(typed, known)
  const bin = config.bin
  const hint =
    match === undefined
      ? `Run ${bin} --help to see the commands.`
      : `Did you mean ${bin} ${match.replaceAll(':', ' ')}? (${bin} --help lists the commands)`
  const error = new UsageError(`${shownCommand(typed)} is not a ${bin} command.`, { code: 'unknown_command', hint })
  // Loaded only here: the bundle evaluates this module on every run, and the command modules cost start-up.
  const [{ writeError }, { processHost }, { makeColors }] = await Promise.all([import('../base-command.js'), import('../deps.js'), import('../output.js')])
  const host = processHost()
  try {
    writeError(host.io, makeColors(host.io.colorLevel), error.toJSON(), { json: argv?.includes('--json') === true })
  } finally {
    host.dispose()
  }
  // Printed above: oclif's handler only exits with the code.
  throw Object.assign(error, { skipOclifErrorHandling: true, oclif: { exit: error.exitCode } })
}

/**
 * The known command or topic that best reads as the first words typed: the one that accounts for the most words (so
 * `credentials lst` finds `credentials list`, not the topic), then the fewest slips, each within about one in four
 * letters. Words after it are its arguments.
 */
export function closestCommand(typed: readonly string[], known: readonly string[]): string | undefined {
  let best: { id: string; words: number; distance: number } | undefined
  for (const id of known) {
    const words = id.split(':')
    if (words.length > typed.length) continue
    const want = words.join(' ')
    const distance = editDistance(typed.slice(0, words.length).join(' ').toLowerCase(), want)
    if (distance > Math.max(1, Math.floor(want.length / 4))) continue
    if (best === undefined || words.length > best.words || (words.length === best.words && distance < best.distance)) {
      best = { id, words: words.length, distance }
    }
  }
  return best?.id
}

/** The words typed, quoted, when they look like command words; otherwise not repeated (one could be a pasted secret). */
function shownCommand(typed: readonly string[]): string {
  const plain = typed.length > 0 && typed.every((word) => /^[A-Za-z][A-Za-z0-9_-]{0,30}$/.test(word))
  return plain ? `"${typed.join(' ')}"` : 'That'
}

export default notFound
