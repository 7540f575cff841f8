// Asks the CI system for the job's OIDC ID token (GitHub Actions' token service), through ./transport.js under the
// same HTTP policy as every other request of the CLI (./http-policy.js): secure URLs only, proxies, limits, retries.
import { z } from 'zod'
import { assertSecureUrl } from '../core/api-url.js'
import { NotSignedInError, ResponseShapeError } from '../core/errors.js'
import type { CiIdentity, Clock } from '../core/ports.js'
import { type RetryPolicy, defaultRetryPolicy } from '../core/retry-policy.js'
import { Secret } from '../core/secret.js'
import { systemClock } from './clock.js'
import { exchangeWithRetries, proxyAgentFor, proxyAgentsFor, statusError, timeoutsWith } from './http-policy.js'
import type { TextResponse } from './transport.js'

export interface CiIdentityOptions {
  userAgent: string
  clock?: Clock
  retry?: RetryPolicy
  signal?: AbortSignal | undefined
  debug?: ((line: string) => void) | undefined
}

// An ID token is a JWT of a few KB; the cap bounds what a broken endpoint costs.
const MAX_RESPONSE_BYTES = 64 * 1024

/** GitHub's answer: `{"value": "<jwt>"}` (docs.github.com, "Configuring OpenID Connect in cloud providers"). */
const ActionsTokenResponse = z.object({ value: z.string().min(1) })

export function createCiIdentity(options: CiIdentityOptions): CiIdentity {
  const clock = options.clock ?? systemClock
  const policy = options.retry ?? defaultRetryPolicy
  const timeouts = timeoutsWith(undefined)
  const { signal, debug: log } = options

  return {
    async requestGitHubActionsToken({ url, requestToken, audience }) {
      const target = new URL(url)
      assertSecureUrl(target, 'ACTIONS_ID_TOKEN_REQUEST_URL')
      // The URL GitHub hands out already has a query (api-version); the audience is added to it, as actions/toolkit does.
      target.searchParams.set('audience', audience)
      // Named without its query: the path is all a message or log needs.
      const name = `GET ${target.origin}${target.pathname}`
      const headers = {
        accept: 'application/json',
        'user-agent': options.userAgent,
        // GitHub's documented request: `Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN`.
        authorization: `bearer ${requestToken.reveal()}`,
      }
      const agent = proxyAgentFor(await proxyAgentsFor(target.href), target)
      // Never the body in the debug log: it is the ID token.
      const response = await exchangeWithRetries(
        target,
        { method: 'GET', headers, agent, timeouts, maxBodyBytes: MAX_RESPONSE_BYTES, signal },
        { name, policy, clock, log, attemptNote: ` audience=${audience}` },
      )
      return idTokenFrom(response, name)
    },
  }
}

function idTokenFrom(response: TextResponse, name: string): Secret {
  const status = response.statusCode
  if (status === 401 || status === 403) {
    throw new NotSignedInError(`GitHub Actions refused the request for the job's OIDC token (HTTP ${status}).`, {
      code: 'ci_token_request_refused',
      hint: 'The request token is valid only while its job runs: run clowdops in a step of that job, with `permissions: id-token: write`.',
    })
  }
  if (status !== 200) {
    throw statusError(response, { code: `http_${status}`, message: `${name} failed with HTTP ${status} (GitHub Actions' OIDC token service).` })
  }
  let json: unknown
  try {
    json = JSON.parse(response.body)
  } catch {
    json = undefined
  }
  const parsed = ActionsTokenResponse.safeParse(json)
  if (!parsed.success) {
    const issue = json === undefined ? 'the body is not JSON' : 'no "value" with the ID token in it'
    // Not the platform's API: upgrading clowdops (ResponseShapeError's usual hint) would not help.
    throw new ResponseShapeError(name, issue).withHint('Check that ACTIONS_ID_TOKEN_REQUEST_URL is the one GitHub Actions set for this job.')
  }
  return new Secret(parsed.data.value)
}
