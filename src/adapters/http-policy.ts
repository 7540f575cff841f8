// The one HTTP policy of the API client, the downloader and the OAuth client: which failures are tried again and after
// how long, the limits on a response, what a failure means to the user (error and exit code), what may be sent as a
// bearer token, and which proxy a URL goes through. The clients carry requests; how one ended is judged here, so the same failure is treated alike in all.
import type { Agent, IncomingHttpHeaders } from 'node:http'
import type { Agent as HttpsAgent } from 'node:https'
import { isLoopbackHost } from '../core/api-url.js'
import { LOGIN_HINT } from '../core/auth/session.js'
import { Headers, PROBLEM_CONTENT_TYPE, Problem } from '../core/contract/conventions.js'
import {
  type ClowdopsError,
  InterruptedError,
  NetworkError,
  NotSignedInError,
  PlatformError,
  ResponseTooLargeError,
  exitCodeForStatus,
} from '../core/errors.js'
import type { Clock } from '../core/ports.js'
import { type RetryPolicy, backoffMs, isRetryableStatus, parseRetryAfter } from '../core/retry-policy.js'
import type { Secret } from '../core/secret.js'
import { BODY_TOO_LARGE, type Exchange, type TextResponse, type TransportError, exchange } from './transport.js'

// Retries -------------------------------------------------------------------------------------------------------------

/** What a request that got no usable response reports: got's RequestError or the transport's TransportError. */
export interface RequestFailure {
  name: string
  code?: string | undefined
  message: string
  /** Which deadline a TimeoutError missed: `connect`, `response`, `idle` (got: `socket`), … */
  event?: string | undefined
}

/** How one try failed, as far as trying again is concerned. */
export type TryFailure =
  /** The server answered with an error status. */
  | { status: number; retryAfter: string | undefined }
  /** No complete response: the request failed with `error`, or (undefined) the body ended short. */
  | { status?: undefined; error: RequestFailure | undefined }

/** An error response as the retry decision sees it. */
export function failedStatus(response: Pick<ErrorResponse, 'statusCode' | 'headers'>): TryFailure {
  return { status: response.statusCode, retryAfter: header(response, Headers.retryAfter) }
}

/**
 * The wait before trying again, or undefined to give up now. `attempt` counts the tries in a row that failed, this one
 * included (a download that made progress counts from 0 again). `repeatable`: the request may be sent twice at all.
 */
export function retryDelay(
  failure: TryFailure,
  attempt: number,
  policy: RetryPolicy,
  now: Date,
  repeatable = true,
): number | undefined {
  if (!repeatable || attempt > policy.retries) return undefined
  if (failure.status !== undefined) {
    if (!isRetryableStatus(failure.status)) return undefined
    return backoffMs(Math.max(1, attempt), parseRetryAfter(failure.retryAfter, now), policy)
  }
  if (failure.error && isFinal(failure.error)) return undefined
  return backoffMs(Math.max(1, attempt), undefined, policy)
}

// TLS failures will not fix themselves on a retry, and want a different hint.
const TLS_ERROR = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/

/** Failures that the same request cannot escape: a TLS check, a response over its cap, an abort. */
function isFinal(error: RequestFailure): boolean {
  return error.name === 'AbortError' || error.code === BODY_TOO_LARGE || TLS_ERROR.test(error.code ?? '')
}

// Aborts --------------------------------------------------------------------------------------------------------------

/**
 * The run's signal and a call's own as one. No new signal when there is only one, or both are the same: the bulk
 * submission's hot path allocates nothing, and Node 20 keeps every AbortSignal.any signal listed on its (run-long)
 * sources (~60 bytes each, measured on 20.20), which only calls with a signal of their own pay.
 */
export function eitherSignal(run: AbortSignal | undefined, call: AbortSignal | undefined): AbortSignal | undefined {
  if (!run || run === call) return call
  if (!call) return run
  return AbortSignal.any([run, call])
}

/** What an aborted request rejects with: the abort's reason when it is an Error, else InterruptedError (exit 130). */
export function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new InterruptedError()
}

/** The wait before a retry; an abort ends it at once, with the abort's reason. */
export async function waitBeforeRetry(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await clock.sleep(ms, signal)
  } catch (error) {
    if (signal?.aborted) throw abortError(signal)
    throw error
  }
}

// Limits --------------------------------------------------------------------------------------------------------------

/** How exchangeWithRetries tries again and what it logs (`--debug`). */
export interface RetryLoop {
  /** `METHOD URL`, for messages. */
  name: string
  policy: RetryPolicy
  clock: Clock
  /** False for a request that must never be sent twice (a token grant): then nothing is retried. */
  repeatable?: boolean
  log?: ((line: string) => void) | undefined
  /** Appended to each attempt's debug line (e.g. which form fields were sent). */
  attemptNote?: string
  /** What the debug line shows of a response body; nothing unless given (a body may hold a token). */
  showBody?: (body: string) => string
}

/**
 * One request under the retry policy, over the node:http transport: transport failures and retryable statuses are
 * tried again after the policy's delay; the last response comes back whatever its status, for the caller to judge.
 */
export async function exchangeWithRetries(target: URL, request: Exchange, loop: RetryLoop): Promise<TextResponse> {
  const { name, policy, clock, log } = loop
  const signal = request.signal
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw abortError(signal)
    log?.(`→ ${name} attempt ${attempt}${loop.attemptNote ?? ''}`)
    let response: TextResponse
    try {
      response = await exchange(target, request)
    } catch (error) {
      const failure = error as TransportError
      log?.(`← ${failure.code} ${target.pathname}: ${failure.message}`)
      if (signal?.aborted) throw abortError(signal)
      const delay = retryDelay({ error: failure }, attempt, policy, clock.now(), loop.repeatable)
      if (delay === undefined) throw requestError(failure, { name, url: target, timeouts: request.timeouts, maxBytes: request.maxBodyBytes }, attempt)
      await waitBeforeRetry(clock, delay, signal)
      continue
    }
    log?.(`← ${response.statusCode} ${target.pathname}${loop.showBody ? ` ${loop.showBody(response.body)}` : ''}`)
    if (response.statusCode < 400) return response
    const delay = retryDelay(failedStatus(response), attempt, policy, clock.now(), loop.repeatable)
    if (delay === undefined) return response
    await waitBeforeRetry(clock, delay, signal)
  }
}

export interface Timeouts {
  /** Until the connection (and TLS) is up. */
  connectMs: number
  /** From the end of the request until the response's headers. */
  responseMs: number
  /** After the headers, between any two pieces of the body: a body that stalls this long fails (a download resumes). */
  idleMs: number
}

export const defaultTimeouts: Timeouts = { connectMs: 10_000, responseMs: 30_000, idleMs: 30_000 }

/** What a client's options may change of defaultTimeouts. */
export type TimeoutOverrides = Partial<Timeouts>

export function timeoutsWith(overrides: TimeoutOverrides | undefined): Timeouts {
  return overrides ? { ...defaultTimeouts, ...overrides } : defaultTimeouts
}

// Errors --------------------------------------------------------------------------------------------------------------

/** What an error maps from: a response with its (small, or capped) body as text. */
export interface ErrorResponse {
  statusCode: number
  headers: IncomingHttpHeaders
  body: string
}

export function header(response: Pick<ErrorResponse, 'headers'>, name: string): string | undefined {
  const value = response.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** The request a failure is reported for. */
export interface FailedRequest {
  /** How messages name it: `GET /v1/projects` for an endpoint, method and URL elsewhere. */
  name: string
  url: URL
  timeouts: Timeouts
  /** The cap its body was read under, for a response that went over it. */
  maxBytes?: number | undefined
}

/** A request that got no usable response, as the user's error: TLS, too large, which deadline, or unreachable. */
export function requestError(error: RequestFailure, request: FailedRequest, attempts: number): ClowdopsError {
  const code = error.code ?? error.name
  const { name, url } = request
  if (TLS_ERROR.test(code)) {
    return new NetworkError(`TLS check failed for ${url.host}: ${code}.`, {
      code: 'tls_failed',
      hint: 'If this is a private deployment with its own CA, point NODE_EXTRA_CA_CERTS at the CA certificate (PEM).',
    })
  }
  if (code === BODY_TOO_LARGE) {
    const cap = request.maxBytes === undefined ? 'its size limit' : formatBytes(request.maxBytes)
    return new ResponseTooLargeError(`The response to ${name} is over ${cap}, the most read for it: reading stopped there.`)
  }
  const tries = `after ${attempts} attempt${attempts === 1 ? '' : 's'}`
  if (error.name === 'TimeoutError') {
    return new NetworkError(`${name} timed out: ${missedDeadline(error.event, request.timeouts)}, ${tries}.`, { code: 'timeout' })
  }
  return new NetworkError(`Could not reach ${url.host}: ${code}, ${tries}.`, { code: 'unreachable' })
}

function missedDeadline(event: string | undefined, timeouts: Timeouts): string {
  switch (event) {
    case 'lookup':
    case 'connect':
    case 'secureConnect':
      return `no connection within ${timeouts.connectMs} ms`
    case 'response':
      return `no response within ${timeouts.responseMs} ms`
    case 'idle':
    case 'socket': // got's inactivity timeout, which carries the idle limit
      return `the response stalled, nothing received for ${timeouts.idleMs} ms`
    default:
      return `no answer in time (${event ?? 'unknown phase'})`
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`
  return `${bytes} bytes`
}

/** An API error response as a PlatformError: the problem+json code and request id when the platform sent them. */
export function platformError(response: ErrorResponse, name: string, requestId: string | undefined): PlatformError {
  const status = response.statusCode
  const contentType = header(response, 'content-type') ?? ''
  let problem: Problem | undefined
  if (contentType.startsWith(PROBLEM_CONTENT_TYPE) || contentType.startsWith('application/json')) {
    try {
      const parsed = Problem.safeParse(JSON.parse(response.body))
      if (parsed.success) problem = parsed.data
    } catch {
      // not JSON: described from the status alone below
    }
  }
  return statusError(response, {
    code: problem?.code ?? `http_${status}`,
    message: problem ? `${problem.title}${problem.detail ? `: ${problem.detail}` : ''}` : `${name} failed with HTTP ${status}.`,
    requestId: problem?.request_id ?? requestId,
    endpoint: name,
  })
}

/** An error status as a PlatformError: the status's exit code, its Retry-After, and a hint of what to do. */
export function statusError(
  response: Pick<ErrorResponse, 'statusCode' | 'headers'>,
  described: { code: string; message: string; requestId?: string | undefined; endpoint?: string },
): PlatformError {
  const status = response.statusCode
  const retryAfter = header(response, Headers.retryAfter)
  const retryAfterMs = parseRetryAfter(retryAfter, new Date())
  return new PlatformError(described.message, {
    code: described.code,
    status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    requestId: described.requestId,
    exitCode: exitCodeForStatus(status, described.code),
    hint: hintForStatus(status, described.code, retryAfter, described.endpoint ?? ''),
  })
}

function hintForStatus(status: number, code: string, retryAfter: string | undefined, endpoint: string): string {
  if (code === 'account_erased') return "Signing in again will not help. Clear this machine's sign-in for the profile: clowdops logout"
  if (status === 401) return `The token was rejected. ${LOGIN_HINT}`
  if (status === 403) return 'The token lacks a permission this needs: use a token with the scope named above.'
  if (status === 404) {
    const list = listCommandFor(endpoint)
    return list ? `Check the id; list what exists with: ${list}` : 'Check the id; --debug shows the request and response.'
  }
  if (status === 429) return `Rate-limited by the platform; try again${retryAfter ? ` in ${retryAfter} s` : ' later'}.`
  if (status >= 500) return 'The platform failed; try again, and quote the request id if you contact support.'
  return 'Check the input; --debug shows the request and response.'
}

/** The command that lists what an endpoint's ids name (`GET /v1/credentials/{credential_id}` → credentials list). */
const LIST_COMMANDS: ReadonlyArray<[RegExp, string]> = [
  [/^\/v1\/credentials\/[^/]+\/sandboxes\//, 'clowdops credentials list, and clowdops sandboxes list for the sandbox'],
  [/^\/v1\/credentials\//, 'clowdops credentials list'],
  [/^\/v1\/projects\/[^/]+/, 'clowdops projects list'],
  [/^\/v1\/privacy\/requests\//, 'clowdops privacy list'],
  [/^\/v1\/privacy\/consents\//, 'clowdops privacy consent list'],
]

function listCommandFor(endpoint: string): string | undefined {
  const path = endpoint.split(' ')[1] ?? ''
  return LIST_COMMANDS.find(([pattern]) => pattern.test(path))?.[1]
}

// Credentials ---------------------------------------------------------------------------------------------------------

// RFC 6750 §2.1 (b64token): all a bearer token can be made of. A token from CLOWDOPS_TOKEN, the keychain or stdin with
// anything else (a line break pasted in the middle, a control character) cannot go into a header: Node refuses to send
// it, and that used to be retried and reported as a network failure.
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/

/** The Authorization header for `token`; a token that cannot be a bearer token is refused (exit 4), nothing sent. */
export function bearerAuthorization(token: Secret): string {
  const value = token.reveal()
  if (!BEARER_TOKEN.test(value)) throw invalidToken(value)
  return `Bearer ${value}`
}

/** Says where the token breaks the rule and what is there, never what the token is. */
function invalidToken(token: string): NotSignedInError {
  const characters = [...token]
  const bad = characters.findIndex((c, i) => !/[A-Za-z0-9\-._~+/]/.test(c) && !(c === '=' && characters.slice(i).every((rest) => rest === '=')))
  const found =
    bad !== -1 ? `its character ${bad + 1} is ${describeCharacter(characters[bad] ?? '')}` : token === '' ? 'it is empty' : "it has nothing before its '='"
  return new NotSignedInError(`The token cannot be sent: a bearer token has only letters, digits and -._~+/ (and = at its end), and ${found}.`, {
    code: 'invalid_token',
    hint: 'Check CLOWDOPS_TOKEN, or what was piped to clowdops login --with-token, for a stray line break or extra text; or sign in again: clowdops login.',
  })
}

function describeCharacter(c: string): string {
  if (c === ' ') return 'a space'
  if (c === '=') return "an '=' before the end"
  if (/\p{Cc}/u.test(c)) return 'a control character (a line break, a tab or another)'
  return 'none of those'
}

// Proxies -------------------------------------------------------------------------------------------------------------

/**
 * The proxy a request to `url` goes through, from HTTPS_PROXY / HTTP_PROXY / NO_PROXY. Never one for a loopback host:
 * plain http is allowed there only because it stays on this machine, and a proxy would carry it, token and all, in
 * clear to another one.
 */
export async function proxyFor(url: string): Promise<string | undefined> {
  if (isLoopbackHost(new URL(url).hostname)) return undefined
  const { getProxyForUrl } = (await import('proxy-from-env')).default
  return getProxyForUrl(url) || undefined
}

/** Agents through the proxy for `url`, one per protocol (as got takes them); undefined when no proxy applies. */
export interface ProxyAgents {
  http: Agent
  https: HttpsAgent
}

export async function proxyAgentsFor(url: string): Promise<ProxyAgents | undefined> {
  const proxy = await proxyFor(url)
  if (!proxy) return undefined
  const { HttpProxyAgent, HttpsProxyAgent } = await import('hpagent')
  const common = { proxy, keepAlive: true }
  return { http: new HttpProxyAgent(common), https: new HttpsProxyAgent(common) }
}

/** The proxy agent for a request to `url`, or undefined for a direct connection. */
export function proxyAgentFor(agents: ProxyAgents | undefined, url: URL): Agent | undefined {
  return agents?.[url.protocol === 'https:' ? 'https' : 'http']
}
