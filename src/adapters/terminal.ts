// The terminal of this process: stdin, stdout and stderr as the IO port, prompts (inquirer, loaded on first use) as
// the Prompter port. The only place, with bin/ and src/cli/deps.ts, that touches the streams.
import { once } from 'node:events'
import type { IO, InputStream, OutputStream, Prompter } from '../core/ports.js'
import { InterruptedError } from '../core/errors.js'
import { Secret } from '../core/secret.js'

type Env = Readonly<Record<string, string | undefined>>

/** FORCE_COLOR wins, then NO_COLOR (https://no-color.org), then whether the stream is a terminal. */
export function colorLevel(env: Env, stream: { isTTY?: boolean | undefined }): 0 | 1 | 2 | 3 {
  const force = env.FORCE_COLOR
  if (force !== undefined && force !== '') {
    if (force === '0' || force === 'false') return 0
    const level = Number(force)
    return level >= 1 && level <= 3 ? (level as 1 | 2 | 3) : 1
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0
  if (!stream.isTTY || env.TERM === 'dumb') return 0
  return env.COLORTERM === 'truecolor' ? 3 : 2
}

function outputOf(stream: NodeJS.WriteStream): OutputStream {
  return {
    isTTY: stream.isTTY === true,
    get columns() {
      return stream.isTTY ? stream.columns : undefined
    },
    write: (text) => stream.write(text),
    drain: async () => {
      if (stream.writableNeedDrain) await once(stream, 'drain')
    },
  }
}

function inputOf(stream: NodeJS.ReadStream): InputStream {
  return {
    isTTY: stream.isTTY === true,
    chunks: () => stream as AsyncIterable<Uint8Array>,
  }
}

/**
 * A status line on `err`: rewritten in place on a terminal, else a line each time it changes. Shared by the process
 * terminal and the in-memory one tests use, so both behave alike.
 */
export function statusLine(err: OutputStream): Pick<IO, 'status' | 'endStatus'> {
  let last = ''
  let open = false
  return {
    status(line) {
      if (err.isTTY) {
        err.write(`\r\u001b[K${line}`)
        open = true
      } else if (line !== last) {
        err.write(`${line}\n`)
      }
      last = line
    },
    endStatus(options) {
      if (open) err.write(options?.clear ? '\r\u001b[K' : '\n')
      open = false
      last = ''
    },
  }
}

/** stdin, stdout and stderr of this process. */
export function processIO(env: Env): IO {
  const err = outputOf(process.stderr)
  return {
    in: inputOf(process.stdin),
    out: outputOf(process.stdout),
    err,
    colorLevel: colorLevel(env, process.stdout),
    canPrompt: process.stdin.isTTY === true && process.stderr.isTTY === true && !env.CI,
    ...statusLine(err),
  }
}

/** Prompts on this process's terminal (questions on stderr, so stdout stays data); Ctrl-C or the run's signal: 130. */
export function terminalPrompter(signal: AbortSignal): Prompter {
  const context = { output: process.stderr, signal }
  async function ask<T>(prompt: () => Promise<T>): Promise<T> {
    try {
      return await prompt()
    } catch (error) {
      // Ctrl-C inside a prompt (the terminal is raw, so no SIGINT) or the run interrupted from outside.
      if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) throw new InterruptedError()
      throw error
    }
  }
  return {
    text: (message) => ask(async () => (await import('@inquirer/input')).default({ message }, context)),
    secret: (message) => ask(async () => new Secret(await (await import('@inquirer/password')).default({ message, mask: '*' }, context))),
    confirm: (message) => ask(async () => (await import('@inquirer/confirm')).default({ message, default: false }, context)),
    select: (message, choices) => ask(async () => (await import('@inquirer/select')).default({ message, choices: [...choices] }, context)),
  }
}
