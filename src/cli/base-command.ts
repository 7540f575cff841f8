// The base of every command: shared flags, Deps built once, one place that turns errors into output and exit codes.
import { Command, Flags, type Interfaces } from '@oclif/core'
import type { ChalkInstance } from 'chalk'
import type { ZodType } from 'zod'
import { DEFAULT_API_URL } from '../core/contract/conventions.js'
import { ClowdopsError, ExitCode, InterruptedError, UsageError, type ErrorBody } from '../core/errors.js'
import type { Deps } from '../core/ports.js'
import { redactText } from '../core/redact.js'
import { askConfirm, askSecret, askText, openBrowser, readStdin } from '../adapters/terminal.js'
import { secretFiles, terminalSecretInput } from '../adapters/secret-sources.js'
import type { SecretSources } from '../core/credentials/secret-ref.js'
import type { Secret } from '../core/secret.js'
import { createDeps, debugEnabled, debugLogger, type DepsOptions } from './deps.js'
import { makeColors } from './output.js'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>

/** Tests may swap the factory; the default builds the real adapters from the environment. */
export type DepsFactory = (options: DepsOptions) => Promise<Deps>

export abstract class BaseCommand<Result> extends Command {
  static depsFactory: DepsFactory = createDeps

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
  private debugOn = false

  override async init(): Promise<void> {
    await super.init()
    const ctor = this.constructor as typeof BaseCommand
    const env = process.env
    this.colors = makeColors(env, process.stdout)
    process.once('SIGINT', this.onInterrupt)
    const { flags } = await this.parse({
      flags: ctor.flags,
      baseFlags: ctor.baseFlags,
      args: ctor.args,
      strict: ctor.strict,
      enableJsonFlag: ctor.enableJsonFlag,
    })
    this.debugOn = flags.debug === true || debugEnabled(env)
    this.deps = await ctor.depsFactory({
      env,
      apiUrl: flags['api-url'],
      profile: flags.profile ?? (ctor.profileFromApiUrl ? profileForApiUrl(flags['api-url'], env) : undefined),
      runtime: {
        cliVersion: this.config.version,
        nodeVersion: process.versions.node,
        platform: process.platform,
        arch: process.arch,
      },
      debug: debugLogger(this.debugOn, (line) => process.stderr.write(line)),
    })
  }

  /** Can a person answer here? stdin is a terminal and CI is not set. */
  protected get stdinIsTerminal(): boolean {
    return process.stdin.isTTY === true && !process.env.CI
  }

  /** A secret from stdin: a hidden prompt on a terminal, else everything piped in. Never from argv. */
  protected async secretFromStdin(prompt: string): Promise<Secret> {
    return this.stdinIsTerminal ? askSecret(prompt) : readStdin()
  }

  private secretSourcesOfRun: SecretSources | undefined

  /**
   * What secret references (keychain:, env:, file:, stdin) read in this run, built once: stdin holds one secret per run.
   * A hidden prompt only on a terminal, without CI and without --json.
   */
  protected secretSources(): SecretSources {
    this.secretSourcesOfRun ??= {
      secrets: this.deps.secrets,
      env: this.deps.env,
      files: secretFiles,
      input: terminalSecretInput({ canPrompt: this.stdinIsTerminal && !this.jsonEnabled() }),
    }
    return this.secretSourcesOfRun
  }

  protected confirm(question: string): Promise<boolean> {
    return askConfirm(question)
  }

  /** A visible one-line answer; only ask where `canAsk`. */
  protected ask(question: string): Promise<string> {
    return askText(question)
  }

  /** A person can answer a prompt here: a terminal on stdin, no CI, no --json. */
  protected get canAsk(): boolean {
    return this.stdinIsTerminal && !this.jsonEnabled()
  }

  protected openBrowser(url: string): void {
    openBrowser(url)
  }

  /** A result that is printed in full but still means failure (e.g. doctor with a failed check). */
  protected exitAfterOutput(code: ExitCode): void {
    process.exitCode = code
  }

  /** Progress and notes go to stderr, so stdout stays clean for data. */
  protected note(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`${message}\n`)
  }

  override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<never> {
    const body = this.describe(error)
    if (this.jsonEnabled()) {
      this.logJson({ error: body })
    } else {
      const lines = [`${this.colors.red('Error:')} ${body.message}`]
      if (body.hint) lines.push(`${this.colors.dim('Hint:')} ${body.hint}`)
      if (body.requestId) lines.push(`${this.colors.dim('Request ID:')} ${body.requestId}`)
      if (this.debugOn && error.stack && !(error instanceof ClowdopsError && error.exitCode !== ExitCode.failure)) {
        lines.push(this.colors.dim(redactText(error.stack)))
      }
      process.stderr.write(`${lines.join('\n')}\n`)
    }
    // oclif's error handler exits with `oclif.exit` and prints nothing more for a handled error.
    throw Object.assign(error, { skipOclifErrorHandling: true, oclif: { exit: body.exitCode }, exitCode: body.exitCode })
  }

  override async finally(error: Error | undefined): Promise<unknown> {
    process.removeListener('SIGINT', this.onInterrupt)
    return super.finally(error)
  }

  /** Every failure as the same body, in text and --json alike. */
  private describe(error: Error & { oclif?: { exit?: number } }): ErrorBody {
    if (error instanceof ClowdopsError) return error.toJSON()
    // oclif's own parse errors (unknown flag, missing argument) carry `parse`: they are usage errors.
    if ('parse' in error || error.oclif?.exit === ExitCode.usage) {
      // Unexpected arguments are not echoed: a secret pasted where a flag was meant must not reach the terminal log.
      const extra = 'args' in error && Array.isArray(error.args) ? error.args.length : 0
      const message = extra > 0 && error.message.startsWith('Unexpected argument')
        ? `Unexpected argument${extra === 1 ? '' : 's'} (${extra}, not shown in case one is a secret).`
        : error.message.split('\n').map((line) => line.trim()).filter(Boolean).join(': ').replace(/: See more help.*$/, '')
      return new UsageError(redactText(message), {
        hint: `See ${[this.config.bin, this.id?.replaceAll(':', ' ')].filter(Boolean).join(' ')} --help.`,
      }).toJSON()
    }
    return {
      code: 'internal',
      message: `Unexpected error: ${redactText(error.message)}`,
      hint: 'Run again with --debug for details, and report it at https://github.com/clowdops/clowdops/issues.',
      exitCode: ExitCode.failure,
    }
  }

  // Nothing a command does yet needs cleaning up, so Ctrl-C ends the run at once with the documented code.
  private readonly onInterrupt = (): void => {
    process.stderr.write(`\n${new InterruptedError().message}\n`)
    process.exit(ExitCode.interrupted)
  }

  abstract override run(): Promise<Result>
}

/** `https://clowd.acme.example` → profile `clowd-acme-example`; the public platform keeps `default`. */
function profileForApiUrl(apiUrl: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (!apiUrl || env.CLOWDOPS_PROFILE) return undefined
  try {
    const { host } = new URL(apiUrl)
    return host === new URL(DEFAULT_API_URL).host ? undefined : host.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 40)
  } catch {
    return undefined // the API URL check reports it
  }
}
