// The API client: contract-checked requests, retries with backoff, problem+json errors, redacted debug logs. Calls go
// through ./transport.js (node:http); what is retried, how long it waits, what errors mean and the proxy are the
// policy's (./http-policy.js), shared with the downloader and the OAuth client.
import { randomUUID } from 'node:crypto'
import type { z } from 'zod'
import { assertSecureUrl } from '../core/api-url.js'
import { LOGIN_HINT } from '../core/auth/session.js'
import { Headers, ResponseLimits, fillPath } from '../core/contract/conventions.js'
// Types only: the client is loaded by every command, the endpoint registry only by those that call the platform.
import type { AnyEndpoint } from '../core/contract/endpoints.js'
import { NotSignedInError, RefusedError, ResponseShapeError } from '../core/errors.js'
import type { ApiClient, ApiResponse, CallInput, Clock, Session } from '../core/ports.js'
import { redactBody, redactHeaders } from '../core/redact.js'
import type { Secret } from '../core/secret.js'
import {
  type ProxyAgents,
  type TimeoutOverrides,
  abortError,
  bearerAuthorization,
  eitherSignal,
  failedStatus,
  header,
  platformError,
  proxyAgentFor,
  proxyAgentsFor,
  requestError,
  retryDelay,
  timeoutsWith,
  waitBeforeRetry,
} from './http-policy.js'
import { type RetryPolicy, defaultRetryPolicy, isSafeToRepeat } from '../core/retry-policy.js'
import { type TextResponse, type TransportError, exchange } from './transport.js'

export interface HttpClientOptions {
  baseUrl: string
  userAgent: string
  clock: Clock
  session: Pick<Session, 'token' | 'afterRejection'>
  retry?: RetryPolicy
  /** Each one defaults to defaultTimeouts'. */
  timeouts?: TimeoutOverrides
  /** The run's signal (Ctrl-C): it aborts every call, as a call's own signal aborts that call. */
  signal?: AbortSignal | undefined
  debug?: ((line: string) => void) | undefined
}

type Attempt = { kind: 'response'; response: TextResponse } | { kind: 'error'; error: TransportError }

export function createHttpClient(options: HttpClientOptions): ApiClient {
  const policy = options.retry ?? defaultRetryPolicy
  const timeouts = timeoutsWith(options.timeouts)
  const log = options.debug
  // Every request goes to the same origin, so the proxy settings are read once, not at tens of µs a request.
  let agents: Promise<ProxyAgents | undefined> | undefined

  async function send<E extends AnyEndpoint>(
    endpoint: E,
    input: CallInput<E> = {},
  ): Promise<ApiResponse<z.output<E['response']>>> {
    const signal = eitherSignal(options.signal, input.signal)
    if (signal?.aborted) throw abortError(signal)
    const name = `${endpoint.method} ${endpoint.path}`
    const url = new URL(options.baseUrl + buildPath(endpoint, input))
    assertSecureUrl(url, options.baseUrl)
    appendQuery(url, endpoint, input)
    const body = !endpoint.body ? undefined : input.bodyChecked ? input.body : checkInput(endpoint.body, input.body, name, 'body')
    const text = body === undefined ? undefined : JSON.stringify(body)
    const maxBodyBytes = endpoint.maxResponseBytes ?? ResponseLimits.default

    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': options.userAgent }
    if (text !== undefined) headers['content-type'] = 'application/json'
    let token: Secret | undefined
    if (endpoint.scopes !== undefined) {
      token = input.token ?? (await options.session.token())
      if (!token) throw new NotSignedInError(`${name} needs you to be signed in.`, { hint: LOGIN_HINT })
      headers.authorization = bearerAuthorization(token)
    }
    let reauthorized = false
    const idempotencyKey = input.idempotencyKey ?? (endpoint.idempotent ? randomUUID() : undefined)
    if (idempotencyKey) headers[Headers.idempotencyKey] = idempotencyKey
    const repeatable = input.retry !== false && isSafeToRepeat(endpoint.method, idempotencyKey !== undefined)

    const agent = proxyAgentFor(await (agents ??= proxyAgentsFor(url.origin)), url)
    for (let attempt = 1; ; attempt++) {
      const started = Date.now()
      log?.(`→ ${endpoint.method} ${url.href} attempt ${attempt} ${JSON.stringify(redactHeaders(headers))}`)
      const outcome: Attempt = await exchange(url, { method: endpoint.method, headers, body: text, agent, timeouts, maxBodyBytes, signal }).then(
        (response) => ({ kind: 'response', response }) as const,
        (error: TransportError) => ({ kind: 'error', error }) as const,
      )

      if (outcome.kind === 'error') {
        const { error } = outcome
        log?.(`← ${error.code ?? error.name} after ${Date.now() - started} ms: ${error.message}`)
        if (signal?.aborted) throw abortError(signal)
        const delay = retryDelay({ error }, attempt, policy, options.clock.now(), repeatable)
        if (delay === undefined) throw requestError(error, { name, url, timeouts, maxBytes: maxBodyBytes }, attempt)
        await waitBeforeRetry(options.clock, delay, signal)
        continue
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
          headers.authorization = bearerAuthorization(fresh)
          continue
        }
      }
      const delay = retryDelay(failedStatus(response), attempt, policy, options.clock.now(), repeatable)
      if (delay === undefined) throw platformError(response, name, requestId)
      log?.(`  retrying in ${delay} ms`)
      await waitBeforeRetry(options.clock, delay, signal)
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
