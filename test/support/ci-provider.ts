// A fake GitHub Actions OIDC token service on 127.0.0.1 (what ACTIONS_ID_TOKEN_REQUEST_URL points at in a job): it
// checks the bearer request token and reads the audience as GitHub's does, and issues ID tokens from the local
// platform's test CI issuer, so `login --ci` and `auth ci-check` run against the platform's real exchange.
import { randomBytes } from 'node:crypto'
import type { JWTPayload } from 'jose'
import type { CiIssuer } from '../platform/oauth.js'
import { startLoopbackServer } from './loopback.js'

/** The claims GitHub puts in a push to main of acme/payments (names only: the pre-2026 subject). */
export const GITHUB_CLAIMS = {
  sub: 'repo:acme/payments:ref:refs/heads/main',
  repository: 'acme/payments',
  repository_owner: 'acme',
  repository_id: '456789',
  repository_owner_id: '123456',
  ref: 'refs/heads/main',
  ref_type: 'branch',
  workflow: 'deploy',
  event_name: 'push',
} as const satisfies JWTPayload

/** The same job in a repository with immutable subject claims: `repo:OWNER@OWNER_ID/REPO@REPO_ID:…`. */
export const GITHUB_CLAIMS_WITH_IDS = { ...GITHUB_CLAIMS, sub: 'repo:acme@123456/payments@456789:ref:refs/heads/main' } as const

export interface TokenRequest {
  authorization: string | undefined
  audience: string | null
}

export interface ActionsTokenService {
  /** The ACTIONS_ID_TOKEN_REQUEST_URL of the job: with a query already, as GitHub's has. */
  url: string
  /** The ACTIONS_ID_TOKEN_REQUEST_TOKEN of the job. */
  requestToken: string
  requests: TokenRequest[]
  /** Every ID token handed out, for canary checks. */
  issued: string[]
  /** The environment of a GitHub Actions job allowed `id-token: write`. */
  env(): Record<string, string>
  close(): Promise<void>
}

export async function startActionsTokenService(issuer: CiIssuer, claims: () => JWTPayload = () => GITHUB_CLAIMS): Promise<ActionsTokenService> {
  const requestToken = `ghs_${randomBytes(24).toString('base64url')}`
  const requests: TokenRequest[] = []
  const issued: string[] = []
  const server = await startLoopbackServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const authorization = req.headers.authorization
    const audience = url.searchParams.get('audience')
    requests.push({ authorization, audience })
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (req.method !== 'GET' || url.pathname !== '/_apis/idtoken') return reply(404, { message: 'not found' })
    const [scheme, presented] = (authorization ?? '').split(' ')
    if (scheme?.toLowerCase() !== 'bearer' || presented !== requestToken) return reply(401, { message: 'bad request token' })
    // Without an audience GitHub uses the repository owner's URL.
    const value = await issuer.sign({ aud: audience ?? 'https://github.com/acme', ...claims() })
    issued.push(value)
    reply(200, { count: 1, value })
  })
  const url = `${server.url}/_apis/idtoken?api-version=2.0`
  return {
    url,
    requestToken,
    requests,
    issued,
    env: () => ({ GITHUB_ACTIONS: 'true', ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken }),
    close: () => server.close(),
  }
}
