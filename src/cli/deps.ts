// Builds the Deps of one command run from the real adapters. Tests point them elsewhere with env vars and an in-memory
// host (terminal, prompter, browser, interruption), not mocks. The only module of src/cli that imports adapters.
import { resolve } from 'node:path'
import { createConfigStore, configDirectory } from '../adapters/config.js'
import { systemClock } from '../adapters/clock.js'
import { createHttpClient } from '../adapters/http.js'
import { proxyFor } from '../adapters/http-policy.js'
import { RunInterruption, interruptOnSignals } from '../adapters/interruption.js'
import { createKeychainStore } from '../adapters/keychain.js'
import { fileLocks } from '../adapters/locks.js'
import { keychainRecord } from '../adapters/keychain-record.js'
import { noticeLog } from '../adapters/notices.js'
import { createOAuthClient } from '../adapters/oauth.js'
import { secretFiles } from '../adapters/secret-sources.js'
import { systemBrowser } from '../adapters/browser.js'
import { processIO, terminalPrompter } from '../adapters/terminal.js'
import { fileVault, keychainVault } from '../adapters/token-vaults.js'
import { createSession } from '../core/auth/session.js'
import { resolveContext, type ContextFlags } from '../core/context.js'
import { secretInputOf } from '../core/credentials/secret-ref.js'
import type { Browser, CiIdentity, Clock, Deps, Downloader, IO, PendingRequests, Prompter, Runtime, UserFiles } from '../core/ports.js'
import { redactPersonal, redactText } from '../core/redact.js'

/** What the process running a command provides: its environment, terminal, a person to ask, a browser, Ctrl-C. */
export interface Host {
  env: Readonly<Record<string, string | undefined>>
  io: IO
  /** The person at the terminal, asked only where Deps gets a prompter; `signal` cancels a question. */
  prompter(signal: AbortSignal): Prompter
  browser: Browser
  interruption: RunInterruption
  /** Leave the process as it was found (signal handlers removed). */
  dispose(): void
}

/** The real process: its streams, inquirer on its terminal, the system's browser opener, SIGINT and SIGTERM. */
export function processHost(): Host {
  const io = processIO(process.env)
  const interruption = new RunInterruption()
  const stopListening = interruptOnSignals(interruption, () => io.err.write(`\nInterrupted; not waiting for the run to unwind.\n`))
  return { env: process.env, io, prompter: terminalPrompter, browser: systemBrowser(process.env), interruption, dispose: stopListening }
}

export interface DepsOptions extends ContextFlags {
  env: Readonly<Record<string, string | undefined>>
  runtime: Runtime
  host: Host
  /** A person may be asked here (a terminal, no CI, no --json): Deps gets a prompter. */
  interactive: boolean
  debug?: ((line: string) => void) | undefined
}

export function userAgent(runtime: Runtime): string {
  return `clowdops/${runtime.cliVersion} (node ${runtime.nodeVersion}; ${runtime.platform} ${runtime.arch})`
}

/** Sleeps of this run end when it is interrupted, whoever asked for them. */
function interruptibleClock(clock: Clock, signal: AbortSignal): Clock {
  return {
    now: () => clock.now(),
    sleep: (ms, own) => clock.sleep(ms, own && own !== signal ? AbortSignal.any([signal, own]) : signal),
  }
}

export async function createDeps(options: DepsOptions): Promise<Deps> {
  const { host } = options
  const { io, interruption } = host
  const signal = interruption.signal
  const directory = configDirectory(options.env as NodeJS.ProcessEnv)
  const config = createConfigStore(directory)
  const context = await resolveContext(options, options.env, config)
  const secrets = createKeychainStore()
  const clock = interruptibleClock(systemClock, signal)
  const vaults = { keychain: keychainVault(secrets), file: fileVault(directory) }
  const auth = createOAuthClient({ userAgent: userAgent(options.runtime), signal, debug: options.debug })
  const locks = fileLocks(directory, clock)
  const warn = (message: string) => void io.err.write(`${message}\n`)
  const notices = noticeLog(directory)
  const session = createSession({ env: options.env, context, config, vaults, auth, locks, clock, warn, notices, interruption })
  // Requests, downloads and sign-in calls of this run end when it is interrupted, whoever made them.
  const platform = { baseUrl: context.apiUrl.url, userAgent: userAgent(options.runtime), clock, session, signal, debug: options.debug }
  const api = createHttpClient(platform)
  // Only the privacy commands download or reserve request ids: the others do not pay for loading those adapters.
  const downloads: Downloader = {
    download: async (request) => (await import('../adapters/download.js')).createDownloader(platform).download(request),
  }
  const pending: PendingRequests = {
    reserve: async (fingerprint, fresh) => (await pendingFile()).reserve(fingerprint, fresh),
    release: async (fingerprint) => (await pendingFile()).release(fingerprint),
  }
  const pendingFile = async () => (await import('../adapters/pending-requests.js')).pendingRequestsFile(directory, locks, () => clock.now())
  // Only `login --ci` and `auth ci-check` ask a CI system for a token.
  const ciIdentity: CiIdentity = {
    requestGitHubActionsToken: async (request) =>
      (await import('../adapters/ci-identity.js')).createCiIdentity(platform).requestGitHubActionsToken(request),
  }
  const prompter = options.interactive ? host.prompter(signal) : undefined
  return {
    env: options.env,
    io,
    prompter,
    browser: host.browser,
    loopback: { listen: async (listen) => (await import('../adapters/loopback-redirect.js')).listenForRedirect(listen) },
    interruption,
    sources: { secrets, env: options.env, files: secretFiles, input: secretInputOf(io, prompter) },
    // Only the policy checks need AWS's action metadata: loading its index costs ~6 ms of every command's start-up.
    iamActions: async (services) => (await import('../adapters/iam-actions.js')).loadIamActions(services),
    files: userFiles(io),
    runtime: options.runtime,
    clock,
    config,
    secrets,
    keychainRecord: keychainRecord(directory),
    network: { proxyFor },
    context,
    api,
    vaults,
    auth,
    locks,
    session,
    ciIdentity,
    downloads,
    pending,
  }
}

/** Each reader loaded when first used: csv-parse and the journal are no cost to the commands that read no such file. */
function userFiles(io: IO): UserFiles {
  return {
    checkOutput: async (flag, path, accepts) => (await import('../adapters/output-paths.js')).checkOutputPath(flag, path, accepts),
    openBulkInput: async (source) => (await import('../adapters/bulk-input.js')).openBulkInput(source, io.in.chunks()),
    openJournal: async (options) => (await import('../adapters/journal.js')).openJournal(options),
    createReport: async (path) => (await import('../adapters/report-file.js')).createReportFile(path),
    readRequestIds: async (path) => (await import('../adapters/wait-ids.js')).readRequestIds(path, io.in.chunks()),
    readPolicies: async (paths) => (await import('../adapters/policy-files.js')).readPolicyFiles(paths),
    absolute: (path) => resolve(path),
  }
}

/** DEBUG=clowdops* (or --debug) turns on request logs on stderr, redacted once more on the way out (secrets, then emails). */
export function debugLogger(
  enabled: boolean,
  write: (line: string) => void,
): ((line: string) => void) | undefined {
  return enabled ? (line) => write(`clowdops ${redactPersonal(redactText(line))}\n`) : undefined
}

export function debugEnabled(env: Readonly<Record<string, string | undefined>>): boolean {
  return (env.DEBUG ?? '')
    .split(/[\s,]+/)
    .some((pattern) => pattern === '*' || pattern === 'clowdops' || pattern.startsWith('clowdops'))
}
