// oclif's parse errors in the user's words: its texts are made for its own layout ("The following error occurred:",
// "Missing 1 required arg:" then a column), and some repeat what was typed where a secret may be.
import { didYouMean } from '../core/suggest.js'

export interface ParseErrorText {
  message: string
  /** "Did you mean …?" for a value outside a fixed list, or '' . */
  suggestion: string
}

/** The message and suggestion for an error oclif's parser threw. */
export function parseErrorText(error: Error & { args?: unknown; flags?: unknown }): ParseErrorText {
  const lines = error.message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('See more help'))
  const [first = '', ...rest] = lines
  const extra = Array.isArray(error.args) ? error.args.length : 0
  if (extra > 0 && first.startsWith('Unexpected argument')) {
    return plain(`Unexpected argument${extra === 1 ? '' : 's'} (${extra}, not shown in case one is a secret).`)
  }
  if (Array.isArray(error.flags) && first.startsWith('Nonexistent flag')) return plain(nonexistentFlags(error.flags.map(String)))
  // A flag's own parser failed: oclif puts "Parsing --flag" on a line of its own before the reason.
  const parsing = /^Parsing (--[\w-]+)$/.exec(first)
  if (parsing?.[1] && rest.length > 0) {
    const reason = rest.join(': ')
    return plain(reason.startsWith(parsing[1]) ? reason : `${parsing[1]}: ${reason}`)
  }
  if (/^The following errors? occurred:?$/.test(first)) return plain(sentences(rest.map(flagProblem)))
  if (/^Missing \d+ required args?:?$/.test(first) && Array.isArray(error.args)) {
    const note = rest.find((line) => line.startsWith('Note: '))
    return plain(sentences([missingArguments(error.args as MissingArg[]), ...(note ? [note.slice('Note: '.length)] : [])]))
  }
  const needsValue = /^Flag (--[\w-]+) expects (?:a value|one of these values: (.*))$/.exec(first)
  if (needsValue) return plain(`Flag ${needsValue[1]} needs a value${needsValue[2] ? `: one of ${needsValue[2]}` : ''}.`)
  const outside = /^Expected (?:--[\w-]+=)?(.*) to be one of: (.*)$/.exec(first)
  if (outside) return { message: first, suggestion: didYouMean(outside[1] ?? '', (outside[2] ?? '').split(', ')) }
  return plain(lines.join(': '))
}

function plain(message: string): ParseErrorText {
  return { message, suggestion: '' }
}

/** "Missing required flag label" → "Missing required flag --label"; oclif's other flag rules are already sentences. */
function flagProblem(line: string): string {
  return line.replace(/^Missing required flag ([\w-]+)$/, 'Missing required flag --$1')
}

/** Lines as sentences, each ending in one full stop. */
function sentences(lines: readonly string[]): string {
  return lines.map((line) => (/[.!?]$/.test(line) ? line : `${line}.`)).join(' ')
}

interface MissingArg {
  name?: string
  description?: string
  options?: readonly string[]
}

/** From the argument definitions oclif attaches (its text wraps them in columns): "Missing argument ID: description". */
function missingArguments(args: readonly MissingArg[]): string {
  const named = args.map(({ name = '', description, options }) => {
    const label = `${name.toUpperCase()}${options ? ` (one of ${options.join(', ')})` : ''}`
    return description ? `${label}: ${description}` : label
  })
  return `Missing argument${named.length === 1 ? '' : 's'} ${named.join('; ')}`
}

/**
 * An unknown flag named without any value (oclif says `Nonexistent flag: --token=<the value>`): `--token=x` → `--token`,
 * `-tx` (a short flag and its value) → `-t`.
 */
function nonexistentFlags(typed: readonly string[]): string {
  const names = typed.map((flag) => (flag.startsWith('--') ? (flag.split('=', 1)[0] ?? flag) : flag.slice(0, 2)))
  const one = names.length === 1
  const hidden = names.some((name, i) => name !== typed[i])
  const note = !hidden ? '' : one ? ' (its value is not shown, in case it is a secret)' : ' (values not shown, in case one is a secret)'
  return `Nonexistent flag${one ? '' : 's'}: ${names.join(', ')}${note}.`
}
