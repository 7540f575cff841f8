// The base of every command: shared flags, Deps built once, one place that turns errors into output and exit codes.
import { Command, Flags } from '@oclif/core'
import type { ChalkInstance } from 'chalk'
import type { ZodType } from 'zod'
import { DEFAULT_API_URL } from '../core/contract/conventions.js'
import { ClowdopsError, ExitCode, InterruptedError, UsageError, type ErrorBody } from '../core/errors.js'
import type { Deps, IO, Prompter } from '../core/ports.js'
import { redactText } from '../core/redact.js'
import { type DepsOptions, type Host, createDeps, debugEnabled, debugLogger, processHost } from './deps.js'
import type { Listed } from '../core/pagination.js'
import { moreNote } from './list-flags.js'
import { makeColors } from './output.js'
import { parseErrorText } from './parse-errors.js'

/** Tests may swap the factories; the defaults build the real adapters from the environment and this process. */
export type DepsFactory = (options: DepsOptions) => Promise<Deps>
export type HostFactory = () => Host

export abstract class BaseCommand<Result> extends Command {
  static depsFactory: DepsFactory = createDeps
  static hostFactory: HostFactory = processHost

  static override enableJsonFlag = true

  /**
   * What `--json` prints on success; the build publishes it as docs/schemas/<command>.json. A getter, not a field: the
   * oclif manifest copies every enumerable static, and this one is not data for it.
   */
  static get resultSchema(): ZodType | undefined {
    return undefined
  }

  static override baseFlags = {
    'api-url': Flags.string({
      summary: 'API URL of the platform or a private deployment (default: the profile, then https://platform.clowdops.ai).',
      helpGroup: 'GLOBAL',
      helpValue: '<url>',
    }),
    profile: Flags.string({
      summary: 'Profile to use (default: CLOWDOPS_PROFILE, then the active profile, then "default").',
      helpGroup: 'GLOBAL',
      helpValue: '<name>',
    }),
    debug: Flags.boolean({
      summary: 'Log HTTP requests and error details to stderr, with secrets redacted (same as DEBUG=clowdops*).',
      helpGroup: 'GLOBAL',
    }),
  }

  /** Login: `--api-url` without `--profile` names the profile after the host, so each deployment keeps its own. */
  protected static profileFromApiUrl = false

  protected deps!: Deps
  protected colors!: ChalkInstance
  private host: Host | undefined
  private debugOn = false

  override async init(): Promise<void> {
    const ctor = this.constructor as typeof BaseCommand
    const host = this.hostOfRun()
    this.colors = makeColors(host.io.colorLevel)
    await super.init()
    // Every parse error shows here first (run() parses the same input again), some without a mark of where they came
    // from (e.g. "Flag --label expects a value").
    const { flags } = await this.parse({
      flags: ctor.flags,
      baseFlags: ctor.baseFlags,
      args: ctor.args,
      strict: ctor.strict,
      enableJsonFlag: ctor.enableJsonFlag,
    }).catch((error: unknown) => {
      if (error instanceof Error) parseFailures.add(error)
      throw error
    })
    this.debugOn = flags.debug === true || debugEnabled(host.env)
    this.deps = await ctor.depsFactory({
      env: host.env,
      host,
      interactive: host.io.canPrompt && !this.jsonEnabled(),
      apiUrl: flags['api-url'],
      profile: flags.profile ?? (ctor.profileFromApiUrl ? profileForApiUrl(flags['api-url'], host.env) : undefined),
      runtime: {
        cliVersion: this.config.version,
        nodeVersion: process.versions.node,
        platform: process.platform,
        arch: process.arch,
      },
      debug: debugLogger(this.debugOn, (line) => void host.io.err.write(line)),
    })
  }

  /** Built once, before anything can fail, so even a flag error is written through it. */
  private hostOfRun(): Host {
    this.host ??= (this.constructor as typeof BaseCommand).hostFactory()
    return this.host
  }

  /** Human output on stdout; oclif's own log, but through the terminal port. Silent under --json. */
  override log(message = '', ...args: unknown[]): void {
    if (this.jsonEnabled()) return
    const text = args.length > 0 ? [message, ...args].join(' ') : message
    this.io.out.write(`${text}\n`)
  }

  override logJson(json: unknown): void {
    this.io.out.write(`${JSON.stringify(json, null, 2)}\n`)
  }

  /** This run's terminal. */
  protected get io(): IO {
    return this.hostOfRun().io
  }

  /** This run's environment variables (the process's, or a test's). */
  protected get env(): Readonly<Record<string, string | undefined>> {
    return this.hostOfRun().env
  }

  /** Progress and notes go to stderr, so stdout stays clean for data. */
  protected note(message: string): void {
    if (this.jsonEnabled()) return
    this.io.endStatus()
    this.io.err.write(`${message}\n`)
  }

  /** A list cut short by --limit: say so, and how to see the rest (for people; --json keeps the plain array). */
  protected noteMore(listed: Listed<unknown>, noun: string): void {
    const more = moreNote(listed, noun)
    if (more) this.note(more)
  }

  /** The person at the terminal, where one may be asked (a terminal, no CI, no --json). */
  protected get prompter(): Prompter | undefined {
    return this.deps.prompter
  }

  /** A result that is printed in full but still means failure (e.g. doctor with a failed check). */
  protected exitAfterOutput(code: ExitCode): void {
    process.exitCode = code
  }

  override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<never> {
    const body = this.describe(error)
    const showStack = this.debugOn && error.stack && !(error instanceof ClowdopsError && error.exitCode !== ExitCode.failure)
    writeError(this.io, this.colors, body, { json: this.jsonEnabled(), ...(showStack ? { stack: error.stack } : {}) })
    // oclif's error handler exits with `oclif.exit` and prints nothing more for a handled error.
    throw Object.assign(error, { skipOclifErrorHandling: true, oclif: { exit: body.exitCode }, exitCode: body.exitCode })
  }

  override async finally(error: Error | undefined): Promise<unknown> {
    this.host?.dispose()
    return super.finally(error)
  }

  /** Every failure as the same body, in text and --json alike. */
  private describe(error: Error & { oclif?: { exit?: number } }): ErrorBody {
    // Once Ctrl-C has aborted the run, whatever the unwinding threw (an aborted request, a cut prompt) is the interrupt.
    if (this.host?.interruption.signal.aborted || error instanceof InterruptedError) return new InterruptedError().toJSON()
    // A flag's parser threw it: oclif has put its own words around the message.
    if (error instanceof ClowdopsError) return { ...error.toJSON(), ...(parseFailures.has(error) ? { message: parseErrorText(error).message } : {}) }
    // oclif's own parse errors (unknown flag, missing argument) carry `parse`, or are thrown by parse(): usage errors.
    if ('parse' in error || parseFailures.has(error) || error.oclif?.exit === ExitCode.usage) {
      const { message, suggestion } = parseErrorText(error)
      return new UsageError(redactText(message), {
        hint: `${suggestion}See ${[this.config.bin, this.id?.replaceAll(':', ' ')].filter(Boolean).join(' ')} --help.`,
      }).toJSON()
    }
    return {
      code: 'internal',
      message: `Unexpected error: ${redactText(error.message)}`,
      hint: 'Run again with --debug for details, and report it at https://github.com/clowdops/clowdops/issues.',
      exitCode: ExitCode.failure,
    }
  }

  abstract override run(): Promise<Result>
}

/** Errors thrown by oclif's parser. */
const parseFailures = new WeakSet<Error>()

/** A failure as the user sees it: the error body on stdout under --json, otherwise Error/Hint lines on stderr. */
export function writeError(io: IO, colors: ChalkInstance, body: ErrorBody, options: { json: boolean; stack?: string | undefined }): void {
  if (options.json) {
    io.out.write(`${JSON.stringify({ error: body }, null, 2)}\n`)
    return
  }
  const lines = [`${colors.red('Error:')} ${body.message}`]
  if (body.hint) lines.push(`${colors.dim('Hint:')} ${body.hint}`)
  if (body.requestId) lines.push(`${colors.dim('Request ID:')} ${body.requestId}`)
  if (options.stack) lines.push(colors.dim(redactText(options.stack)))
  io.err.write(`${lines.join('\n')}\n`)
}

/** `https://clowd.acme.example` → profile `clowd-acme-example`; the public platform keeps `default`. */
function profileForApiUrl(apiUrl: string | undefined, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (!apiUrl || env.CLOWDOPS_PROFILE) return undefined
  try {
    const { host } = new URL(apiUrl)
    return host === new URL(DEFAULT_API_URL).host ? undefined : host.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 40)
  } catch {
    return undefined // the API URL check reports it
  }
}
