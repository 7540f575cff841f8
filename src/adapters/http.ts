// The API client: contract-checked requests, retries with backoff, problem+json errors, redacted debug logs. Calls go
// through ./transport.js (node:http); got, loaded from here for the adapters that stream, carries downloads.
import { randomUUID } from 'node:crypto'
import type { Agents, Got } from 'got'
import type { z } from 'zod'
import { assertSecureUrl } from '../core/api-url.js'
import { LOGIN_HINT } from '../core/auth/session.js'
import { Headers, PROBLEM_CONTENT_TYPE, Problem, fillPath } from '../core/contract/conventions.js'
// Types only: the client is loaded by every command, the endpoint registry only by those that call the platform.
import type { AnyEndpoint } from '../core/contract/endpoints.js'
import {
  ClowdopsError,
  NetworkError,
  NotSignedInError,
  PlatformError,
  RefusedError,
  ResponseShapeError,
  exitCodeForStatus,
} from '../core/errors.js'
import type { ApiClient, ApiResponse, CallInput, Clock, Session } from '../core/ports.js'
import { redactBody, redactHeaders } from '../core/redact.js'
import {
  type RetryPolicy,
  defaultRetryPolicy,
  isRetryableStatus,
  isSafeToRepeat,
  parseRetryAfter,
  retryDelayMs,
} from '../core/retry-policy.js'
import type { Secret } from '../core/secret.js'
import { type TextResponse, TransportError, exchange } from './transport.js'

export interface HttpClientOptions {
  baseUrl: string
  userAgent: string
  clock: Clock
  session: Pick<Session, 'token' | 'afterRejection'>
  retry?: RetryPolicy
  timeouts?: { connectMs: number; responseMs: number }
  debug?: ((line: string) => void) | undefined
}

/** What platformError reads of an error response; a streamed download reads its (small) error body first. */
export type ErrorResponse = TextResponse

/** What networkError reads of a failed request: got's RequestError or the transport's TransportError. */
export interface RequestFailure {
  name: string
  code?: string | undefined
  message: string
}

type Attempt = { kind: 'response'; response: TextResponse } | { kind: 'error'; error: TransportError }

// TLS failures will not fix themselves on a retry, and want a different hint.
export const TLS_ERROR = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/

let gotPromise: Promise<Got> | undefined
export function loadGot(): Promise<Got> {
  gotPromise ??= import('got').then((m) => m.got)
  return gotPromise
}

/** The proxy a request to `url` goes through, from HTTPS_PROXY / HTTP_PROXY / NO_PROXY. */
export async function proxyFor(url: string): Promise<string | undefined> {
  const { getProxyForUrl } = (await import('proxy-from-env')).default
  return getProxyForUrl(url) || undefined
}

export async function agentsFor(url: string): Promise<Agents | undefined> {
  const proxy = await proxyFor(url)
  if (!proxy) return undefined
  const { HttpProxyAgent, HttpsProxyAgent } = await import('hpagent')
  const common = { proxy, keepAlive: true }
  return { http: new HttpProxyAgent(common), https: new HttpsProxyAgent(common) }
}

export function createHttpClient(options: HttpClientOptions): ApiClient {
  const policy = options.retry ?? defaultRetryPolicy
  const timeouts = options.timeouts ?? { connectMs: 10_000, responseMs: 30_000 }
  const log = options.debug
  // Every request goes to the same origin, so the proxy settings are read once, not at tens of µs a request.
  let agents: Promise<Agents | undefined> | undefined

  async function send<E extends AnyEndpoint>(
    endpoint: E,
    input: CallInput<E> = {},
  ): Promise<ApiResponse<z.output<E['response']>>> {
    const name = `${endpoint.method} ${endpoint.path}`
    const url = new URL(options.baseUrl + buildPath(endpoint, input))
    assertSecureUrl(url, options.baseUrl)
    appendQuery(url, endpoint, input)
    const body = !endpoint.body ? undefined : input.bodyChecked ? input.body : checkInput(endpoint.body, input.body, name, 'body')
    const text = body === undefined ? undefined : JSON.stringify(body)

    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': options.userAgent }
    if (text !== undefined) headers['content-type'] = 'application/json'
    let token: Secret | undefined
    if (endpoint.scopes !== undefined) {
      token = input.token ?? (await options.session.token())
      if (!token) throw new NotSignedInError(`${name} needs you to be signed in.`, { hint: LOGIN_HINT })
      headers.authorization = `Bearer ${token.reveal()}`
    }
    let reauthorized = false
    const idempotencyKey = input.idempotencyKey ?? (endpoint.idempotent ? randomUUID() : undefined)
    if (idempotencyKey) headers[Headers.idempotencyKey] = idempotencyKey
    const repeatable = input.retry !== false && isSafeToRepeat(endpoint.method, idempotencyKey !== undefined)

    const agent = (await (agents ??= agentsFor(url.origin)))?.[url.protocol === 'https:' ? 'https' : 'http'] || undefined
    for (let attempt = 1; ; attempt++) {
      const started = Date.now()
      log?.(`→ ${endpoint.method} ${url.href} attempt ${attempt} ${JSON.stringify(redactHeaders(headers))}`)
      const outcome: Attempt = await exchange(url, { method: endpoint.method, headers, body: text, agent, timeouts, signal: input.signal }).then(
        (response) => ({ kind: 'response', response }) as const,
        (error: TransportError) => ({ kind: 'error', error }) as const,
      )

      if (outcome.kind === 'error') {
        const { error } = outcome
        log?.(`← ${error.code ?? error.name} after ${Date.now() - started} ms: ${error.message}`)
        if (error.name === 'AbortError' || input.signal?.aborted) throw error
        const tls = TLS_ERROR.test(error.code ?? '')
        const delay = retryDelayMs(attempt, undefined, policy)
        if (!tls && repeatable && attempt <= policy.retries && delay !== undefined) {
          await options.clock.sleep(delay, input.signal)
          continue
        }
        throw networkError(error, url, tls, attempt)
      }

      const { response } = outcome
      const requestId = header(response, Headers.requestId)
      log?.(
        `← ${response.statusCode} ${name} ${Date.now() - started} ms request_id=${requestId ?? '-'} ` +
          redactBody(response.body),
      )
      if (response.statusCode >= 200 && response.statusCode < 300) {
        return { data: checkResponse(endpoint, response.body, name), status: response.statusCode, headers: response.headers, requestId }
      }
      // A rejected session token gets one refresh and one more try; a token passed in explicitly does not.
      if (response.statusCode === 401 && token && !input.token && !reauthorized) {
        reauthorized = true
        const fresh = await options.session.afterRejection(token)
        if (fresh) {
          token = fresh
          headers.authorization = `Bearer ${fresh.reveal()}`
          continue
        }
      }
      if (repeatable && isRetryableStatus(response.statusCode) && attempt <= policy.retries) {
        const retryAfter = parseRetryAfter(header(response, Headers.retryAfter), options.clock.now())
        const delay = retryDelayMs(attempt, retryAfter, policy)
        if (delay !== undefined) {
          log?.(`  retrying in ${delay} ms`)
          await options.clock.sleep(delay, input.signal)
          continue
        }
      }
      throw platformError(response, name, requestId)
    }
  }

  return {
    baseUrl: options.baseUrl,
    send,
    async call(endpoint, input) {
      return (await send(endpoint, input)).data
    },
  }
}

function buildPath(endpoint: AnyEndpoint, input: CallInput<AnyEndpoint>): string {
  const name = `${endpoint.method} ${endpoint.path}`
  const params = endpoint.params ? checkInput(endpoint.params, input.params, name, 'parameter') : {}
  return fillPath(endpoint.path, params as Record<string, string>)
}

function appendQuery(url: URL, endpoint: AnyEndpoint, input: CallInput<AnyEndpoint>): void {
  if (!endpoint.query || input.query === undefined) return
  checkInput(endpoint.query, input.query, `${endpoint.method} ${endpoint.path}`, 'query')
  for (const [key, value] of Object.entries(input.query as Record<string, unknown>)) {
    if (value !== undefined) url.searchParams.set(key, String(value))
  }
}

/** Input is checked before sending: a bad value is refused locally (exit 10), never sent to be rejected. */
function checkInput(schema: z.ZodType, value: unknown, name: string, part: string): unknown {
  const result = schema.safeParse(value ?? {})
  if (result.success) return result.data
  throw new RefusedError(`Invalid ${part} for ${name}: ${describeIssues(result.error)}`, { code: 'invalid_input' })
}

function checkResponse<E extends AnyEndpoint>(endpoint: E, body: string, name: string): z.output<E['response']> {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    throw new ResponseShapeError(name, 'the body is not JSON')
  }
  const result = endpoint.response.safeParse(json)
  if (!result.success) throw new ResponseShapeError(name, describeIssues(result.error))
  return result.data as z.output<E['response']>
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? `field ${formatPath(issue.path)}` : 'value'}: ${issue.message}`)
    .join('; ')
}

function formatPath(path: PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('')
}

export function header(response: Pick<ErrorResponse, 'headers'>, name: string): string | undefined {
  const value = response.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** An error response as a PlatformError: the problem+json code and request id, and the status's exit code. */
export function platformError(response: ErrorResponse, name: string, requestId: string | undefined): ClowdopsError {
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
  const code = problem?.code ?? `http_${status}`
  const message = problem ? `${problem.title}${problem.detail ? `: ${problem.detail}` : ''}` : `${name} failed with HTTP ${status}.`
  const retryAfterMs = parseRetryAfter(header(response, Headers.retryAfter), new Date())
  return new PlatformError(message, {
    code,
    status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    requestId: problem?.request_id ?? requestId,
    exitCode: exitCodeForStatus(status, code),
    hint: hintForStatus(status, code, header(response, Headers.retryAfter)),
  })
}

function hintForStatus(status: number, code: string, retryAfter: string | undefined): string {
  if (code === 'account_erased') return "Signing in again will not help. Clear this machine's sign-in for the profile: clowdops logout"
  if (status === 401) return `The token was rejected. ${LOGIN_HINT}`
  if (status === 403) return 'The token lacks a permission this needs: use a token with the scope named above.'
  if (status === 404) return 'Check the id; list what exists with the matching list command.'
  if (status === 429) return `Rate-limited by the platform; try again${retryAfter ? ` in ${retryAfter} s` : ' later'}.`
  if (status >= 500) return 'The platform failed; try again, and quote the request id if you contact support.'
  return 'Check the input; --debug shows the request and response.'
}

export function networkError(error: RequestFailure, url: URL, tls: boolean, attempts: number): NetworkError {
  const code = error.code ?? error.name
  if (tls) {
    return new NetworkError(`TLS check failed for ${url.host}: ${code}.`, {
      code: 'tls_failed',
      hint: 'If this is a private deployment with its own CA, point NODE_EXTRA_CA_CERTS at the CA certificate (PEM).',
    })
  }
  const timedOut = error.name === 'TimeoutError'
  return new NetworkError(
    `Could not reach ${url.host}${timedOut ? ' (timed out)' : ''}: ${code}, after ${attempts} attempt${attempts === 1 ? '' : 's'}.`,
    { code: timedOut ? 'timeout' : 'unreachable' },
  )
}

