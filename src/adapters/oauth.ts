// The OAuth 2.0 client on got: discovery, the device grant, token requests and revocation, form-encoded as the RFCs say.
import type { RequestError } from 'got'
import type { z } from 'zod'
import { assertSecureUrl } from '../core/api-url.js'
import {
  AuthServerMetadata,
  CLIENT_ID,
  DeviceAuthorization,
  OAuthError,
  TokenResponse,
} from '../core/contract/oauth.js'
import { NetworkError, PlatformError, ResponseShapeError } from '../core/errors.js'
import type { AuthServer } from '../core/ports.js'
import { redactBody } from '../core/redact.js'
import { Secret } from '../core/secret.js'
import { TLS_ERROR, agentsFor, describeIssues, loadGot, networkError } from './http.js'

export interface OAuthClientOptions {
  userAgent: string
  timeoutMs?: number
  debug?: ((line: string) => void) | undefined
}

export function createOAuthClient(options: OAuthClientOptions): AuthServer {
  const timeout = options.timeoutMs ?? 15_000
  const log = options.debug
  const discovered = new Map<string, Promise<AuthServerMetadata>>()

  async function request(url: string, form?: Record<string, string | Secret>): Promise<{ status: number; body: string }> {
    const target = new URL(url)
    assertSecureUrl(target, url)
    const got = await loadGot()
    const agent = await agentsFor(target.href)
    log?.(`→ ${form ? 'POST' : 'GET'} ${target.href}${form ? ` form fields: ${Object.keys(form).join(', ')}` : ''}`)
    try {
      const response = await got(target, {
        method: form ? 'POST' : 'GET',
        headers: { accept: 'application/json', 'user-agent': options.userAgent },
        ...(form
          ? { form: Object.fromEntries(Object.entries(form).map(([k, v]) => [k, v instanceof Secret ? v.reveal() : v])) }
          : {}),
        ...(agent ? { agent } : {}),
        throwHttpErrors: false,
        followRedirect: false,
        retry: { limit: 0 },
        timeout: { request: timeout },
      })
      log?.(`← ${response.statusCode} ${target.pathname} ${redactBody(response.body)}`)
      return { status: response.statusCode, body: response.body }
    } catch (error) {
      const requestError = error as RequestError
      throw networkError(requestError, target, TLS_ERROR.test(requestError.code ?? ''), 1)
    }
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

  function failure(where: string, status: number, body: string): PlatformError {
    const error = OAuthError.safeParse(safeJson(body))
    const detail = error.success ? `${error.data.error}${error.data.error_description ? `: ${error.data.error_description}` : ''}` : `HTTP ${status}`
    return new PlatformError(`The authorization server refused ${where} (${detail}).`, {
      code: error.success ? error.data.error : `http_${status}`,
      status,
    })
  }

  return {
    discover(apiUrl) {
      const url = `${apiUrl}/.well-known/openid-configuration`
      let metadata = discovered.get(url)
      if (!metadata) {
        metadata = request(url).then(({ status, body }) => {
          if (status !== 200) {
            throw new NetworkError(`No OAuth discovery document at ${url} (HTTP ${status}).`, {
              code: 'discovery_failed',
              hint: 'Check --api-url: it should be the platform (or private deployment) base URL.',
            })
          }
          return parse(AuthServerMetadata, body, `GET ${url}`)
        })
        discovered.set(url, metadata)
      }
      return metadata
    },

    async startDeviceFlow(metadata, scopes) {
      const { status, body } = await request(metadata.device_authorization_endpoint, {
        client_id: CLIENT_ID,
        scope: scopes.join(' '),
      })
      if (status !== 200) throw failure('the device sign-in request', status, body)
      return parse(DeviceAuthorization, body, `POST ${metadata.device_authorization_endpoint}`)
    },

    async token(metadata, grant) {
      const { status, body } = await request(metadata.token_endpoint, grant)
      if (status === 200) return { ok: true, tokens: parse(TokenResponse, body, `POST ${metadata.token_endpoint}`) }
      const error = OAuthError.safeParse(safeJson(body))
      if (status >= 400 && status < 500 && error.success) return { ok: false, error: error.data }
      throw failure('the token request', status, body)
    },

    async revoke(metadata, token, hint) {
      if (!metadata.revocation_endpoint) throw new NetworkError('The authorization server offers no revocation endpoint.')
      const { status, body } = await request(metadata.revocation_endpoint, {
        token,
        token_type_hint: hint,
        client_id: CLIENT_ID,
      })
      if (status !== 200) throw failure('the revocation', status, body)
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
