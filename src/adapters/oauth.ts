// The OAuth 2.0 client: discovery, the device grant, token requests and revocation, form-encoded as the RFCs say. Its
// requests go through ./transport.js under the same policy as API calls (./http-policy.js): limits, retries, errors.
import type { z } from 'zod'
import { assertSecureUrl } from '../core/api-url.js'
import {
  AuthServerMetadata,
  CLIENT_ID,
  DeviceAuthorization,
  OAuthError,
  TokenResponse,
} from '../core/contract/oauth.js'
import { NetworkError, type PlatformError, ResponseShapeError } from '../core/errors.js'
import type { AuthServer, Clock } from '../core/ports.js'
import { redactBody } from '../core/redact.js'
import { Secret } from '../core/secret.js'
import { systemClock } from './clock.js'
import { describeIssues } from './http.js'
import { type TimeoutOverrides, exchangeWithRetries, proxyAgentFor, proxyAgentsFor, statusError, timeoutsWith } from './http-policy.js'
import { type RetryPolicy, defaultRetryPolicy, isRetryableStatus, isSafeToRepeat } from '../core/retry-policy.js'
import type { TextResponse } from './transport.js'

export interface OAuthClientOptions {
  userAgent: string
  /** Waits between retries; the system clock unless a test records them. */
  clock?: Clock
  retry?: RetryPolicy
  /** Each one defaults to defaultTimeouts'. */
  timeouts?: TimeoutOverrides
  /** The run's signal (Ctrl-C): it aborts every request of this client. */
  signal?: AbortSignal | undefined
  debug?: ((line: string) => void) | undefined
}

// Discovery documents and token responses are a few KB: this leaves room, and bounds what a broken server costs.
const MAX_RESPONSE_BYTES = 64 * 1024

export function createOAuthClient(options: OAuthClientOptions): AuthServer {
  const clock = options.clock ?? systemClock
  const policy = options.retry ?? defaultRetryPolicy
  const timeouts = timeoutsWith(options.timeouts)
  const { signal, debug: log } = options
  const discovered = new Map<string, Promise<AuthServerMetadata>>()

  /**
   * One GET, or a POST of `form`, with retries as the policy allows: a POST is never sent twice, since a token request
   * may have been granted (and a refresh token spent) even when its answer was lost. Error statuses come back as values.
   */
  async function request(url: string, form?: Record<string, string | Secret>): Promise<TextResponse> {
    const target = new URL(url)
    assertSecureUrl(target, url)
    const method = form ? 'POST' : 'GET'
    const name = `${method} ${target.href}`
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': options.userAgent }
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded'
    const body = form ? formBody(form) : undefined
    const agent = proxyAgentFor(await proxyAgentsFor(target.href), target)
    return exchangeWithRetries(
      target,
      { method, headers, body, agent, timeouts, maxBodyBytes: MAX_RESPONSE_BYTES, signal },
      {
        name,
        policy,
        clock,
        repeatable: isSafeToRepeat(method, false),
        log,
        attemptNote: form ? ` form fields: ${Object.keys(form).join(', ')}` : '',
        showBody: redactBody,
      },
    )
  }

  function parse<T extends z.ZodType>(schema: T, body: string, where: string): z.output<T> {
    let json: unknown
    try {
      json = JSON.parse(body)
    } catch {
      throw new ResponseShapeError(where, 'the body is not JSON')
    }
    const result = schema.safeParse(json)
    if (!result.success) throw new ResponseShapeError(where, describeIssues(result.error))
    return result.data
  }

  /** An error status with its OAuth error (RFC 6749 §5.2) when the body is one, mapped as any error status is. */
  function failure(where: string, response: TextResponse): PlatformError {
    const status = response.statusCode
    const error = OAuthError.safeParse(safeJson(response.body))
    const detail = error.success ? `${error.data.error}${error.data.error_description ? `: ${error.data.error_description}` : ''}` : `HTTP ${status}`
    return statusError(response, {
      code: error.success ? error.data.error : `http_${status}`,
      message: `The authorization server refused ${where} (${detail}).`,
    })
  }

  return {
    discover(apiUrl) {
      const url = `${apiUrl}/.well-known/openid-configuration`
      let metadata = discovered.get(url)
      if (!metadata) {
        metadata = request(url).then((response) => {
          const status = response.statusCode
          // A server that failed is reported as such; any other answer means there is no document at this URL.
          if (status >= 500 || isRetryableStatus(status)) throw failure('the discovery request', response)
          if (status !== 200) {
            throw new NetworkError(`No OAuth discovery document at ${url} (HTTP ${status}).`, {
              code: 'discovery_failed',
              hint: 'Check --api-url: it should be the platform (or private deployment) base URL.',
            })
          }
          return parse(AuthServerMetadata, response.body, `GET ${url}`)
        })
        discovered.set(url, metadata)
      }
      return metadata
    },

    async startDeviceFlow(metadata, scopes) {
      const response = await request(metadata.device_authorization_endpoint, {
        client_id: CLIENT_ID,
        scope: scopes.join(' '),
      })
      if (response.statusCode !== 200) throw failure('the device sign-in request', response)
      return parse(DeviceAuthorization, response.body, `POST ${metadata.device_authorization_endpoint}`)
    },

    async token(metadata, grant) {
      const response = await request(metadata.token_endpoint, grant)
      const status = response.statusCode
      if (status === 200) return { ok: true, tokens: parse(TokenResponse, response.body, `POST ${metadata.token_endpoint}`) }
      const error = OAuthError.safeParse(safeJson(response.body))
      if (status >= 400 && status < 500 && error.success) return { ok: false, error: error.data }
      throw failure('the token request', response)
    },

    async revoke(metadata, token, hint) {
      if (!metadata.revocation_endpoint) throw new NetworkError('The authorization server offers no revocation endpoint.')
      const response = await request(metadata.revocation_endpoint, {
        token,
        token_type_hint: hint,
        client_id: CLIENT_ID,
      })
      if (response.statusCode !== 200) throw failure('the revocation', response)
    },
  }
}

function safeJson(body: string): unknown {
  try {
    return JSON.parse(body)
  } catch {
    return undefined
  }
}

/** application/x-www-form-urlencoded, with secrets revealed here and only here, on their way into the request body. */
function formBody(form: Record<string, string | Secret>): string {
  const fields = Object.entries(form).map(([key, value]): [string, string] => [key, value instanceof Secret ? value.reveal() : value])
  return new URLSearchParams(fields).toString()
}
