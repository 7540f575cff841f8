// An in-memory terminal for running commands in-process (gh's IOStreams.Test and its prompter stub): captured stdout
// and stderr, TTY flags chosen by the test, piped stdin, scripted answers, a recorded browser, and Ctrl-C on demand.
import { RunInterruption } from '../../src/adapters/interruption.js'
import { statusLine } from '../../src/adapters/terminal.js'
import type { Command } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { type Host, createDeps } from '../../src/cli/deps.js'
import { InterruptedError } from '../../src/core/errors.js'
import type { IO, OutputStream, Prompter } from '../../src/core/ports.js'
import { Secret } from '../../src/core/secret.js'

export class MemoryOutput implements OutputStream {
  text = ''
  constructor(
    readonly isTTY: boolean,
    readonly columns: number | undefined = isTTY ? 100 : undefined,
  ) {}
  write(text: string): boolean {
    this.text += text
    return true
  }
  async drain(): Promise<void> {}
}

/**
 * What a scripted prompt answers: a value, one computed when asked (a code just emailed; given what stderr shows so
 * far, e.g. an address to visit first), or Ctrl-C pressed at it.
 */
export type Answer = string | boolean | ((stderr: string) => string | Promise<string>) | { interrupt: true }

export interface Asked {
  kind: 'text' | 'secret' | 'confirm' | 'select'
  message: string
}

export interface FakeTerminalOptions {
  /** Everything piped to stdin (then stdin is not a terminal). Without it stdin is a terminal. */
  stdin?: string
  stdoutTTY?: boolean
  stderrTTY?: boolean
  /** Answers to the prompts, in order. A prompt with no answer left fails the test. */
  answers?: Answer[]
  env?: Record<string, string | undefined>
  /** What the browser does with a page the command opens (recorded in `opened` either way), e.g. sign in there. */
  onBrowserOpen?: (url: string) => void
  /** Width of stdout (default: 100 on a terminal, none otherwise). */
  columns?: number
  /** The colour level the terminal port decided (default 0: none). */
  colorLevel?: 0 | 1 | 2 | 3
}

export interface FakeTerminal {
  host: Host
  out: MemoryOutput
  err: MemoryOutput
  asked: Asked[]
  opened: string[]
  interruption: RunInterruption
}

export function fakeTerminal(options: FakeTerminalOptions = {}): FakeTerminal {
  const env: Record<string, string | undefined> = { CLOWDOPS_SKIP_NEW_VERSION_CHECK: 'true', NO_COLOR: '1', ...options.env }
  const stdinTTY = options.stdin === undefined
  const out = new MemoryOutput(options.stdoutTTY ?? stdinTTY, options.columns ?? ((options.stdoutTTY ?? stdinTTY) ? 100 : undefined))
  const err = new MemoryOutput(options.stderrTTY ?? stdinTTY)
  const answers = [...(options.answers ?? [])]
  const asked: Asked[] = []
  const opened: string[] = []
  const interruption = new RunInterruption(200)
  const piped = options.stdin === undefined ? undefined : Buffer.from(options.stdin)
  const io: IO = {
    in: {
      isTTY: stdinTTY,
      async *chunks() {
        if (piped) yield piped
      },
    },
    out,
    err,
    colorLevel: options.colorLevel ?? 0,
    canPrompt: stdinTTY && err.isTTY && !env.CI,
    ...statusLine(err),
  }
  const answer = async (kind: Asked['kind'], message: string): Promise<string | boolean> => {
    asked.push({ kind, message })
    err.write(`? ${message}\n`)
    const next = answers.shift()
    if (next === undefined) throw new Error(`unexpected ${kind} prompt: ${message}`)
    if (typeof next === 'object') {
      // As at a real terminal: Ctrl-C inside a prompt ends the prompt and interrupts the run.
      interruption.interrupt()
      throw new InterruptedError()
    }
    return typeof next === 'function' ? next(err.text) : next
  }
  const prompter: Prompter = {
    text: async (message) => String(await answer('text', message)),
    secret: async (message) => new Secret(String(await answer('secret', message))),
    confirm: async (message) => (await answer('confirm', message)) === true,
    select: async (message, choices) => {
      const value = String(await answer('select', message))
      const choice = choices.find((c) => c.value === value)
      if (!choice) throw new Error(`scripted answer ${value} is not one of the choices of: ${message}`)
      return choice.value
    },
  }
  const host: Host = {
    env,
    io,
    prompter: () => prompter,
    browser: {
      open: (url) => {
        opened.push(url)
        options.onBrowserOpen?.(url)
      },
      opener: async () => 'a fake browser of the test',
    },
    interruption,
    dispose: () => undefined,
  }
  return { host, out, err, asked, opened, interruption }
}

export interface CommandRun {
  /** The exit code the process would end with. */
  exitCode: number
  stdout: string
  stderr: string
  terminal: FakeTerminal
}

type CommandClass = { run(argv?: string[], opts?: { root: string }): Promise<unknown> } & typeof Command

/**
 * Runs a command in this process as bin/run.js would, on a fake terminal and with the real adapters pointed where
 * `env` says (the local platform, a temporary config directory, the test keyring).
 */
export async function runCommand(command: CommandClass, argv: string[], options: FakeTerminalOptions = {}): Promise<CommandRun> {
  const terminal = fakeTerminal(options)
  const previous = { host: BaseCommand.hostFactory, deps: BaseCommand.depsFactory, exitCode: process.exitCode }
  BaseCommand.hostFactory = () => terminal.host
  BaseCommand.depsFactory = createDeps
  process.exitCode = undefined
  let exitCode = 0
  try {
    await command.run(argv, { root: process.cwd() })
    exitCode = Number(process.exitCode ?? 0)
  } catch (error) {
    const exit = (error as { oclif?: { exit?: number } }).oclif?.exit
    if (exit === undefined) throw error
    exitCode = exit
  } finally {
    BaseCommand.hostFactory = previous.host
    BaseCommand.depsFactory = previous.deps
    process.exitCode = previous.exitCode
  }
  return { exitCode, stdout: terminal.out.text, stderr: terminal.err.text, terminal }
}
