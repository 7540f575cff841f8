// The local platform's authorization-code grant for the CLI, over real HTTP: PKCE required (S256), a loopback redirect
// on any port (RFC 8252 §7.3) and nothing else, and a code redeemable once, only with its verifier.
import { describe, expect, it } from 'vitest'
import { authorizationUrl, newPkce, type Pkce } from '../../src/core/auth/authorization-code.js'
import { approveAuthorizationRequest, CLIENT_ID, DEFAULT_SCOPE, tokenRequest } from '../support/oauth.js'
import { usePlatform } from '../support/platform.js'

const platform = usePlatform({ port: 0 })

function request(redirectUri: string, pkce: Pkce = newPkce(), state = 'st4te') {
  return authorizationUrl(`${platform().url}/auth`, { clientId: CLIENT_ID, redirectUri, scopes: DEFAULT_SCOPE.split(' '), state, pkce })
}

/** Where the authorization endpoint sends the browser first (no redirect followed). */
async function firstAnswer(url: string): Promise<{ status: number; location: URL | undefined }> {
  const response = await fetch(url, { redirect: 'manual' })
  await response.body?.cancel()
  const location = response.headers.get('location')
  return { status: response.status, location: location ? new URL(location, url) : undefined }
}

/** A code for `pkce`, signed in and approved, taken from the redirect (not followed: nothing listens there). */
async function codeFor(pkce: Pkce, redirectUri = 'http://127.0.0.1:49152/callback') {
  const { landed } = await approveAuthorizationRequest(request(redirectUri, pkce), { ...platform().user, decision: 'approve', stopAtRedirect: true })
  expect(landed.url.searchParams.get('state')).toBe('st4te')
  return landed.url.searchParams.get('code') ?? ''
}

describe('authorization server: the authorization code with PKCE', () => {
  it('is published in discovery, with S256', async () => {
    const metadata = (await (await fetch(`${platform().url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>
    expect(metadata).toMatchObject({ authorization_endpoint: `${platform().url}/auth`, code_challenge_methods_supported: ['S256'] })
  })

  it('refuses a request without a code challenge, back to the client as invalid_request', async () => {
    const url = new URL(request('http://127.0.0.1:49152/callback'))
    url.searchParams.delete('code_challenge')
    url.searchParams.delete('code_challenge_method')
    const { location } = await firstAnswer(url.href)
    expect(location?.origin).toBe('http://127.0.0.1:49152')
    expect(location?.searchParams.get('error')).toBe('invalid_request')
  })

  it('accepts the loopback redirect on any port, and only there', async () => {
    for (const port of [1024, 49152, 65535]) {
      const { location } = await firstAnswer(request(`http://127.0.0.1:${port}/callback`))
      expect(location?.pathname, `port ${port}`).toMatch(/^\/interaction\//)
    }
    for (const elsewhere of ['http://127.0.0.1:49152/other', 'http://localhost:49152/callback', 'https://evil.test/callback']) {
      const { status, location } = await firstAnswer(request(elsewhere))
      expect(status, elsewhere).toBe(400)
      expect(location, elsewhere).toBeUndefined()
    }
  })

  it('redeems a code once, only with its verifier and the same redirect', async () => {
    const pkce = newPkce()
    const code = await codeFor(pkce)
    const redeem = (fields: Record<string, string>) =>
      tokenRequest(platform().url, { grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:49152/callback', code_verifier: pkce.verifier.reveal(), ...fields })
    expect((await redeem({ code_verifier: newPkce().verifier.reveal() })).body).toMatchObject({ error: 'invalid_grant' })

    const other = newPkce()
    const second = await codeFor(other)
    const wrongRedirect = await tokenRequest(platform().url, {
      grant_type: 'authorization_code',
      code: second,
      redirect_uri: 'http://127.0.0.1:49153/callback',
      code_verifier: other.verifier.reveal(),
    })
    expect(wrongRedirect.body).toMatchObject({ error: 'invalid_grant' })

    const third = newPkce()
    const code3 = await codeFor(third)
    const fields = { grant_type: 'authorization_code', code: code3, redirect_uri: 'http://127.0.0.1:49152/callback', code_verifier: third.verifier.reveal() }
    const granted = await tokenRequest(platform().url, fields)
    expect(granted.ok, JSON.stringify(granted.body)).toBe(true)
    expect(granted.body).toMatchObject({ token_type: 'Bearer', refresh_token: expect.any(String) })
    expect((await tokenRequest(platform().url, fields)).body).toMatchObject({ error: 'invalid_grant' })
  })
})
