// The local platform's authorization server (oidc-provider): device grant, refresh rotation, revocation and
// token exchange, over real HTTP with fetch; the sign-in pages walked with test/support/oauth.ts.
import { setTimeout as sleep } from 'node:timers/promises'
import { SignJWT, createRemoteJWKSet, generateKeyPair, jwtVerify } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CiTrust, Me, Problem } from '../../src/core/contract/index.js'
import {
  ID_TOKEN_TYPE,
  approveDeviceFlow,
  exchangeCiToken,
  pollDeviceToken,
  refreshTokens,
  revokeToken,
  signInWithDeviceFlow,
  startDeviceFlow,
  textOf,
  tokenRequest,
  type TokenResult,
} from '../support/oauth.js'
import { usePlatform } from '../support/platform.js'

const platform = usePlatform({ port: 0 })
beforeEach(() => {
  platform().oauth.setPollInterval(1)
})
afterEach(() => {
  platform().oauth.reset()
})

function me(token: string): Promise<Response> {
  return fetch(`${platform().url}/v1/me`, { headers: { authorization: `Bearer ${token}` } })
}

function expectOAuthError(result: TokenResult, error: string, description?: RegExp): void {
  expect(result.ok, JSON.stringify(result.body)).toBe(false)
  if (result.ok) return
  expect(result.status).toBeGreaterThanOrEqual(400)
  expect(result.body.error).toBe(error)
  if (description) expect(result.body.error_description).toMatch(description)
}

function tokensOf(result: TokenResult) {
  if (!result.ok) throw new Error(`expected tokens, got ${result.body.error}: ${result.body.error_description}`)
  return result.body
}

async function expectRejected(token: string): Promise<void> {
  const response = await me(token)
  expect(response.status).toBe(401)
  expect(Problem.parse(await response.json()).code).toBe('invalid_token')
}

const SIGN_IN = () => ({ email: platform().user.email, password: platform().user.password })

describe('authorization server: discovery', () => {
  it('publishes the device, token and revocation endpoints and the three grants at the platform URL', async () => {
    const response = await fetch(`${platform().url}/.well-known/openid-configuration`)
    expect(response.status).toBe(200)
    const metadata = (await response.json()) as Record<string, unknown>
    expect(metadata).toMatchObject({
      issuer: platform().url,
      device_authorization_endpoint: `${platform().url}/device/auth`,
      token_endpoint: `${platform().url}/token`,
      revocation_endpoint: `${platform().url}/token/revocation`,
    })
    expect(platform().oauth.issuer).toBe(platform().url)
    expect(metadata.grant_types_supported).toEqual(
      expect.arrayContaining([
        'urn:ietf:params:oauth:grant-type:device_code',
        'refresh_token',
        'urn:ietf:params:oauth:grant-type:token-exchange',
      ]),
    )
  })

  it('keeps /v1 and /_admin its own: unknown /v1 paths are still problem+json 404s', async () => {
    const response = await fetch(`${platform().url}/v1/nothing-here`, { headers: { authorization: `Bearer ${platform().token}` } })
    expect(response.status).toBe(404)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
  })
})

describe('authorization server: device flow (RFC 8628)', () => {
  it('signs in through the pages with the prefilled code and issues tokens that /v1 accepts as oauth', async () => {
    const before = platform().stats.oauth.tokenRequests.device_code ?? 0
    const authorization = await startDeviceFlow(platform().url)
    expect(authorization).toMatchObject({ interval: 1, expires_in: 600 })
    expect(authorization.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/)
    expect(authorization.verification_uri).toBe(`${platform().url}/device`)
    expect(authorization.verification_uri_complete).toBe(`${platform().url}/device?user_code=${authorization.user_code}`)

    const walk = await approveDeviceFlow(authorization.verification_uri_complete, { ...SIGN_IN(), decision: 'approve' })
    expect(walk).toEqual({ page: 'success', pages: ['confirm-code', 'login', 'consent', 'success'] })

    const tokens = tokensOf(await pollDeviceToken(platform().url, authorization.device_code))
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'projects:read projects:write' })
    expect(tokens.refresh_token).toEqual(expect.any(String))
    expect(tokens.id_token).toEqual(expect.any(String))

    const response = await me(tokens.access_token)
    expect(response.status).toBe(200)
    const caller = Me.parse(await response.json())
    expect(caller).toMatchObject({ email: 'ada@example.com', token_type: 'oauth', scopes: ['projects:read', 'projects:write'] })
    expect(platform().stats.oauth.tokenRequests.device_code).toBe(before + 1)

    // A device code is good for one sign-in.
    expectOAuthError(await pollDeviceToken(platform().url, authorization.device_code), 'invalid_grant')
  })

  it('shows the user code on the verification page, and accepts a typed code on the plain verification_uri', async () => {
    const authorization = await startDeviceFlow(platform().url)
    const page = await (await fetch(authorization.verification_uri_complete)).text()
    expect(page).toContain('data-page="confirm-code"')
    expect(textOf(page, 'user-code')).toBe(authorization.user_code)
    expect(page).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)/)

    const typed = { verificationUri: authorization.verification_uri, userCode: authorization.user_code.toLowerCase() }
    const walk = await approveDeviceFlow(typed, { ...SIGN_IN(), decision: 'approve' })
    expect(walk.pages).toEqual(['enter-code', 'confirm-code', 'login', 'consent', 'success'])
    expect((await pollDeviceToken(platform().url, authorization.device_code)).ok).toBe(true)
  })

  it('lists the requested scopes and the user code on the consent page; no offline_access, no refresh token', async () => {
    const authorization = await startDeviceFlow(platform().url, 'openid projects:read')
    let consent = ''
    await approveDeviceFlow(authorization.verification_uri_complete, {
      ...SIGN_IN(),
      decision: 'approve',
      onPage: (kind, html) => void (kind === 'consent' && (consent = html)),
    })
    expect([...consent.matchAll(/data-scope="([^"]+)"/g)].map((found) => found[1])).toEqual(['openid', 'projects:read'])
    expect(textOf(consent, 'user-code')).toBe(authorization.user_code)
    expect(consent).toMatch(/id="approve"[^>]*name="decision" value="approve"/)
    const tokens = tokensOf(await pollDeviceToken(platform().url, authorization.device_code))
    expect(tokens.scope).toBe('projects:read')
    expect(tokens.refresh_token).toBeUndefined()
  })

  it('keeps the sign-in form up with an error for a wrong password', async () => {
    const authorization = await startDeviceFlow(platform().url)
    await expect(
      approveDeviceFlow(authorization.verification_uri_complete, { ...SIGN_IN(), password: 'wrong', decision: 'approve' }),
    ).rejects.toThrow(/sign-in refused: Wrong email or password/)
    expectOAuthError(await pollDeviceToken(platform().url, authorization.device_code), 'authorization_pending')
  })

  it('answers authorization_pending, then slow_down for a poll inside the interval', async () => {
    const authorization = await startDeviceFlow(platform().url)
    expectOAuthError(await pollDeviceToken(platform().url, authorization.device_code), 'authorization_pending')
    expectOAuthError(await pollDeviceToken(platform().url, authorization.device_code), 'slow_down', /every 1 s/)
    await sleep(1_000)
    expectOAuthError(await pollDeviceToken(platform().url, authorization.device_code), 'authorization_pending')
    expect(platform().stats.oauth.tokenErrors.slow_down).toBeGreaterThanOrEqual(1)
  })

  it('answers access_denied after the user presses Deny', async () => {
    const authorization = await startDeviceFlow(platform().url)
    const walk = await approveDeviceFlow(authorization.verification_uri_complete, { ...SIGN_IN(), decision: 'deny' })
    expect(walk).toEqual({ page: 'denied', pages: ['confirm-code', 'login', 'consent', 'denied'] })
    expectOAuthError(await pollDeviceToken(platform().url, authorization.device_code), 'access_denied')
  })

  it('answers expired_token once the device code outlives its TTL, and the page says so', async () => {
    platform().oauth.setDeviceCodeTtl(1)
    const authorization = await startDeviceFlow(platform().url)
    expect(authorization.expires_in).toBe(1)
    await sleep(1_100)
    expectOAuthError(await pollDeviceToken(platform().url, authorization.device_code), 'expired_token')
    await expect(
      approveDeviceFlow(authorization.verification_uri_complete, { ...SIGN_IN(), decision: 'approve' }),
    ).rejects.toThrow(/code has expired/)
  })

  it('refuses the sign-in pages to a browser without the interaction cookie', async () => {
    const authorization = await startDeviceFlow(platform().url)
    const page = await fetch(authorization.verification_uri_complete)
    const html = await page.text()
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1] ?? ''
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1] ?? ''
    // Posting the form without the session cookie that came with it: the xsrf check fails.
    const posted = await fetch(new URL(action, platform().url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, user_code: authorization.user_code, confirm: 'yes' }),
      redirect: 'manual',
    })
    expect(posted.status).toBe(400)
    const stray = await fetch(`${platform().url}/interaction/not-a-real-uid`)
    expect(stray.status).toBe(400)
    expect(textOf(await stray.text(), 'error')).toMatch(/expired or belongs to another browser/)
  })
})

describe('authorization server: refresh and revocation', () => {
  it('rotates refresh tokens: each use returns a new one and the old one stops working', async () => {
    const first = await signInWithDeviceFlow(platform())
    const before = platform().stats.oauth.tokenRequests.refresh_token ?? 0
    const second = tokensOf(await refreshTokens(platform().url, first.refresh_token ?? ''))
    expect(second.refresh_token).toEqual(expect.any(String))
    expect(second.refresh_token).not.toBe(first.refresh_token)
    expect(second.access_token).not.toBe(first.access_token)
    expect(await platform().oauth.isRefreshTokenActive(first.refresh_token ?? '')).toBe(false)
    expect(await platform().oauth.isRefreshTokenActive(second.refresh_token ?? '')).toBe(true)
    expect((await me(second.access_token)).status).toBe(200)

    const third = tokensOf(await refreshTokens(platform().url, second.refresh_token ?? ''))
    expect((await me(third.access_token)).status).toBe(200)
    expect(platform().stats.oauth.tokenRequests.refresh_token).toBe(before + 2)

    // Replaying a rotated refresh token is treated as theft: the whole sign-in is revoked (oidc-provider's rule).
    expectOAuthError(await refreshTokens(platform().url, first.refresh_token ?? ''), 'invalid_grant', /already used/)
    expect(await platform().oauth.isRefreshTokenActive(third.refresh_token ?? '')).toBe(false)
    await expectRejected(third.access_token)
  })

  it('shortens access tokens with the TTL knob; a refresh brings a working one', async () => {
    platform().oauth.setAccessTokenTtl(1)
    const tokens = await signInWithDeviceFlow(platform())
    expect(tokens.expires_in).toBe(1)
    expect((await me(tokens.access_token)).status).toBe(200)
    await sleep(1_100)
    await expectRejected(tokens.access_token)
    platform().oauth.setAccessTokenTtl(60)
    const refreshed = tokensOf(await refreshTokens(platform().url, tokens.refresh_token ?? ''))
    expect(refreshed.expires_in).toBe(60)
    expect((await me(refreshed.access_token)).status).toBe(200)
  })

  it('revokes an access token (RFC 7009): /v1 then answers 401 invalid_token', async () => {
    const tokens = await signInWithDeviceFlow(platform())
    expect((await me(tokens.access_token)).status).toBe(200)
    expect(await revokeToken(platform().url, tokens.access_token, 'access_token')).toBe(200)
    await expectRejected(tokens.access_token)
    expect(await platform().oauth.isAccessTokenActive(tokens.access_token)).toBe(false)
    // Revoking an unknown token is not an error either.
    expect(await revokeToken(platform().url, 'not-a-token')).toBe(200)
  })

  it('revokes a refresh token: it no longer refreshes, and the access tokens of the sign-in go with it', async () => {
    const tokens = await signInWithDeviceFlow(platform())
    const before = platform().stats.oauth.revocations
    expect(await revokeToken(platform().url, tokens.refresh_token ?? '', 'refresh_token')).toBe(200)
    expect(platform().stats.oauth.revocations).toBe(before + 1)
    expectOAuthError(await refreshTokens(platform().url, tokens.refresh_token ?? ''), 'invalid_grant')
    await expectRejected(tokens.access_token)
  })
})

describe('authorization server: token exchange for CI (RFC 8693)', () => {
  const SUBJECT = 'repo:acme/payments:ref:refs/heads/main'

  beforeEach(() => {
    platform().oauth.trustCiIssuer({ audience: 'clowdops', subject: SUBJECT, scopes: ['projects:read'] })
  })

  it('exchanges a trusted CI ID token for a short-lived access token, without a refresh token', async () => {
    const idToken = await platform().ciIssuer.sign({ aud: 'clowdops', sub: SUBJECT })
    const result = await exchangeCiToken(platform().url, idToken)
    const tokens = tokensOf(result)
    expect(tokens).toEqual({
      access_token: expect.any(String),
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      token_type: 'Bearer',
      expires_in: 600,
      scope: 'projects:read',
    })
    const projects = await fetch(`${platform().url}/v1/projects`, { headers: { authorization: `Bearer ${tokens.access_token}` } })
    expect(projects.status).toBe(200)
    expect(Me.parse(await (await me(tokens.access_token)).json())).toMatchObject({ token_type: 'oauth', scopes: ['projects:read'] })
    const write = await fetch(`${platform().url}/v1/projects`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokens.access_token}`,
        'content-type': 'application/json',
        'idempotency-key': crypto.randomUUID(),
      },
      body: JSON.stringify({ name: 'from-ci' }),
    })
    expect(write.status).toBe(403)
    expect(platform().stats.oauth.tokenRequests['token-exchange']).toBeGreaterThanOrEqual(1)
  })

  it('accepts the jwt token type, a * glob in the policy subject, and a narrower scope request', async () => {
    platform().oauth.trustCiIssuer({ audience: 'clowdops', subject: 'repo:acme/*:ref:refs/heads/*', scopes: ['projects:read', 'projects:write'] })
    const idToken = await platform().ciIssuer.sign({ aud: ['other', 'clowdops'], sub: 'repo:acme/web:ref:refs/heads/release' })
    const tokens = tokensOf(
      await exchangeCiToken(platform().url, idToken, { subject_token_type: 'urn:ietf:params:oauth:token-type:jwt', scope: 'projects:read' }),
    )
    expect(tokens.scope).toBe('projects:read')
    expectOAuthError(
      await exchangeCiToken(platform().url, idToken, { scope: 'projects:read admin' }),
      'invalid_scope',
      /does not allow admin/,
    )
  })

  it('refuses a wrong audience, a wrong subject, a foreign signature, an expired token and a foreign issuer', async () => {
    const now = Math.floor(Date.now() / 1000)
    const cases: [string, string, RegExp][] = [
      ['wrong audience', await platform().ciIssuer.sign({ aud: 'someone-else', sub: SUBJECT }), /audience "someone-else" is not trusted/],
      [
        'wrong subject',
        await platform().ciIssuer.sign({ aud: 'clowdops', sub: 'repo:acme/payments:ref:refs/heads/feature' }),
        /subject .* is not trusted/,
      ],
      ['expired', await platform().ciIssuer.sign({ aud: 'clowdops', sub: SUBJECT, iat: now - 600, exp: now - 60 }), /expired/],
      ['not yet valid', await platform().ciIssuer.sign({ aud: 'clowdops', sub: SUBJECT, nbf: now + 600 }), /not valid yet/],
      ['foreign issuer', await platform().ciIssuer.sign({ aud: 'clowdops', sub: SUBJECT, iss: 'https://evil.example' }), /issuer is not trusted/],
      ['not a JWT', 'not-a-jwt', /not a valid JWT/],
    ]
    const forged = await generateKeyPair('ES256')
    const foreign = await new SignJWT({ aud: 'clowdops', sub: SUBJECT })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
      .setIssuer(platform().ciIssuer.issuer)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(forged.privateKey)
    cases.push(['bad signature', foreign, /signature does not verify/])
    for (const [name, token, description] of cases) {
      const result = await exchangeCiToken(platform().url, token)
      expect(result.ok, name).toBe(false)
      expectOAuthError(result, 'invalid_grant', description)
    }
  })

  it('GitHub subjects: a rule written with names accepts the immutable form with ids, and the other way round, only when the id claims agree', async () => {
    const claims = { aud: 'clowdops', repository: 'acme/payments', repository_owner_id: '123456', repository_id: '456789' }
    const withIds = 'repo:acme@123456/payments@456789:ref:refs/heads/main'
    platform().oauth.trustCiIssuer({ audience: 'clowdops', subject: 'repo:acme/payments:ref:refs/heads/*', scopes: ['projects:read'] })
    expect(tokensOf(await exchangeCiToken(platform().url, await platform().ciIssuer.sign({ ...claims, sub: withIds }))).scope).toBe('projects:read')
    // Ids in the subject that the token's own id claims contradict are not read as the names.
    const inconsistent = await platform().ciIssuer.sign({ ...claims, sub: 'repo:acme@123456/payments@999999:ref:refs/heads/main' })
    expectOAuthError(await exchangeCiToken(platform().url, inconsistent), 'invalid_grant', /subject .* is not trusted/)
    // A rule written with ids accepts the names form of that repository, and refuses a recycled name (other ids) in either form.
    platform().oauth.trustCiIssuer({ audience: 'clowdops', subject: withIds, scopes: ['projects:read'] })
    expect(tokensOf(await exchangeCiToken(platform().url, await platform().ciIssuer.sign({ ...claims, sub: SUBJECT }))).scope).toBe('projects:read')
    for (const sub of [SUBJECT, 'repo:acme@123456/payments@999999:ref:refs/heads/main']) {
      const recycled = await platform().ciIssuer.sign({ ...claims, repository_id: '999999', sub })
      expectOAuthError(await exchangeCiToken(platform().url, recycled), 'invalid_grant', /subject .* is not trusted/)
    }
  })

  it('enforces the repository, ref, environment and issuer conditions of a rule, and publishes the same rules at GET /v1/ci-trust', async () => {
    const rule = {
      name: 'deploy-prod',
      audience: 'clowdops',
      subject: 'repo:acme/payments:*',
      repository: 'acme/payments',
      ref: 'refs/heads/main',
      environment: 'production',
      scopes: ['projects:read'],
    }
    platform().oauth.trustCiIssuer(rule)
    const good = { aud: 'clowdops', sub: 'repo:acme/payments:environment:production', repository: 'acme/payments', ref: 'refs/heads/main', environment: 'production' }
    expect(tokensOf(await exchangeCiToken(platform().url, await platform().ciIssuer.sign(good))).scope).toBe('projects:read')
    for (const [claim, value] of [['repository', 'acme/payments-fork'], ['ref', 'refs/heads/feature'], ['environment', 'staging']] as const) {
      const token = await platform().ciIssuer.sign({ ...good, [claim]: value })
      expectOAuthError(await exchangeCiToken(platform().url, token), 'invalid_grant', new RegExp(`${claim} "${value}" is not trusted`))
    }
    const published = await fetch(`${platform().url}/v1/ci-trust`)
    expect(published.status).toBe(200)
    expect(CiTrust.parse(await published.json())).toEqual({ rules: [{ ...rule, issuer: platform().ciIssuer.issuer }] })

    platform().oauth.trustCiIssuer({ ...rule, issuer: 'https://token.actions.githubusercontent.com' })
    expectOAuthError(await exchangeCiToken(platform().url, await platform().ciIssuer.sign(good)), 'invalid_grant', /issuer is not trusted \(expected https:\/\/token.actions/)
    const github = await platform().ciIssuer.sign({ ...good, iss: 'https://token.actions.githubusercontent.com' })
    expect(tokensOf(await exchangeCiToken(platform().url, github)).scope).toBe('projects:read')
  })

  it('the test CI issuer is an OpenID issuer on loopback: discovery and JWKS, which the exchange verifies against', async () => {
    const issuer = platform().ciIssuer.issuer
    expect(issuer).toBe(`${platform().url}/_ci`)
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string }
    expect(discovery).toMatchObject({ issuer, jwks_uri: platform().ciIssuer.jwksUri })
    const jwks = (await (await fetch(discovery.jwks_uri)).json()) as { keys: { kid: string; kty: string; alg: string }[] }
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'EC', alg: 'ES256' })])
    const idToken = await platform().ciIssuer.sign({ aud: 'clowdops', sub: SUBJECT })
    const verified = await jwtVerify(idToken, createRemoteJWKSet(new URL(discovery.jwks_uri)), { issuer })
    expect(verified.protectedHeader.kid).toBe(jwks.keys[0]?.kid)
    // A key the JWKS does not hold, under a kid it does not know, is refused.
    const forged = await generateKeyPair('ES256')
    const unknownKid = await new SignJWT({ aud: 'clowdops', sub: SUBJECT })
      .setProtectedHeader({ alg: 'ES256', kid: 'not-in-the-jwks' })
      .setIssuer(issuer)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(forged.privateKey)
    expectOAuthError(await exchangeCiToken(platform().url, unknownKid), 'invalid_grant', /no key of the issuer has its kid/)
  })

  it('refuses everything when no CI issuer is trusted, and a wrong subject_token_type', async () => {
    const idToken = await platform().ciIssuer.sign({ aud: 'clowdops', sub: SUBJECT })
    expectOAuthError(await exchangeCiToken(platform().url, idToken, { subject_token_type: 'urn:x' }), 'invalid_request', /subject_token_type/)
    platform().oauth.trustCiIssuer(null)
    expectOAuthError(await exchangeCiToken(platform().url, idToken), 'invalid_grant', /trusts no CI/)
    expect(ID_TOKEN_TYPE).toBe('urn:ietf:params:oauth:token-type:id_token')
  })
})

describe('authorization server: tokens side by side and admin knobs', () => {
  it('keeps personal access tokens working and rejects unknown bearer tokens', async () => {
    const response = await me(platform().token)
    expect(Me.parse(await response.json()).token_type).toBe('personal_access_token')
    await expectRejected('h2JKclLzX1Y1QPFZgimVLgSZ6I4aeM5vRx2Zu7loj0X')
  })

  it('drives the OAuth knobs over HTTP with the admin key, and mints CI ID tokens for child processes', async () => {
    const admin = (path: string, body?: unknown) =>
      fetch(`${platform().url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'x-admin-key': platform().adminKey, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
    const changed = await admin('/_admin/oauth', {
      poll_interval: 2,
      device_code_ttl: 30,
      trust_ci_issuer: { audience: 'clowdops', subject: 'repo:*', scopes: ['projects:read'] },
    })
    expect(changed.status).toBe(200)
    expect(await changed.json()).toMatchObject({
      issuer: platform().url,
      client_id: 'clowdops-cli',
      poll_interval: 2,
      device_code_ttl: 30,
      ci_issuer: `${platform().url}/_ci`,
      trust_ci_issuer: [{ audience: 'clowdops', subject: 'repo:*', scopes: ['projects:read'] }],
    })
    expect(await startDeviceFlow(platform().url)).toMatchObject({ interval: 2, expires_in: 30 })

    const minted = await admin('/_admin/oauth/ci-token', { claims: { aud: 'clowdops', sub: 'repo:acme/x' } })
    const { id_token: idToken } = (await minted.json()) as { id_token: string }
    expect(tokensOf(await exchangeCiToken(platform().url, idToken)).scope).toBe('projects:read')

    expect((await admin('/_admin/oauth', { poll_interval: 0 })).status).toBe(400)
    expect((await fetch(`${platform().url}/_admin/oauth`)).status).toBe(401)
    const stats = (await (await admin('/_admin/stats')).json()) as { oauth: { token_requests: Record<string, number> } }
    expect(stats.oauth.token_requests['token-exchange']).toBeGreaterThanOrEqual(1)
    expect((await admin('/_admin/oauth', { reset: true })).status).toBe(200)
    expect(platform().oauth.settings()).toMatchObject({ pollInterval: 5, ciTrust: [] })
  })

  it('answers an unsupported grant type with unsupported_grant_type', async () => {
    expectOAuthError(await tokenRequest(platform().url, { grant_type: 'password' }), 'unsupported_grant_type')
  })
})
