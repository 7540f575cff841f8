// Builds the Deps of one command run from the real adapters. Tests point them elsewhere with env vars, not mocks.
import { createConfigStore, configDirectory } from '../adapters/config.js'
import { systemClock } from '../adapters/clock.js'
import { createHttpClient } from '../adapters/http.js'
import { proxyFor } from '../adapters/http-policy.js'
import { createKeychainStore } from '../adapters/keychain.js'
import { fileLocks } from '../adapters/locks.js'
import { createOAuthClient } from '../adapters/oauth.js'
import { fileVault, keychainVault } from '../adapters/token-vaults.js'
import { createSession } from '../core/auth/session.js'
import { resolveContext, type ContextFlags } from '../core/context.js'
import type { Deps, Downloader, PendingRequests, Runtime } from '../core/ports.js'
import { redactPersonal, redactText } from '../core/redact.js'

export interface DepsOptions extends ContextFlags {
  env: Readonly<Record<string, string | undefined>>
  runtime: Runtime
  debug?: ((line: string) => void) | undefined
  /** The run's signal (Ctrl-C), handed to the HTTP, download and OAuth clients. */
  signal?: AbortSignal | undefined
}

export function userAgent(runtime: Runtime): string {
  return `clowdops/${runtime.cliVersion} (node ${runtime.nodeVersion}; ${runtime.platform} ${runtime.arch})`
}

export async function createDeps(options: DepsOptions): Promise<Deps> {
  const directory = configDirectory(options.env as NodeJS.ProcessEnv)
  const config = createConfigStore(directory)
  const context = await resolveContext(options, options.env, config)
  const secrets = createKeychainStore()
  const clock = systemClock
  const vaults = { keychain: keychainVault(secrets), file: fileVault(directory) }
  const auth = createOAuthClient({ userAgent: userAgent(options.runtime), signal: options.signal, debug: options.debug })
  const locks = fileLocks(directory, clock)
  const warn = (message: string) => process.stderr.write(`${message}\n`)
  const session = createSession({ env: options.env, context, config, vaults, auth, locks, clock, warn })
  const platform = {
    baseUrl: context.apiUrl.url,
    userAgent: userAgent(options.runtime),
    clock,
    session,
    signal: options.signal,
    debug: options.debug,
  }
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
  return {
    env: options.env,
    runtime: options.runtime,
    clock,
    config,
    secrets,
    network: { proxyFor },
    context,
    api,
    vaults,
    auth,
    locks,
    session,
    downloads,
    pending,
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
