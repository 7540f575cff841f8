// Browser sign-in (OAuth device flow), refresh, logout and CI token exchange: the built CLI against the local
// platform's real authorization server. The browser side is walked with fetch here; test/e2e/browser.test.ts uses
// Chromium. The token goes to a 0600 file so these tests need no keychain; test/e2e/auth.test.ts covers the keychain.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { fileVault } from '../../src/adapters/token-vaults.js'
import { DeviceStep, SignIn } from '../../src/core/auth/login.js'
import { AuthStatus } from '../../src/core/auth/profiles.js'
import { StoredTokens } from '../../src/core/auth/tokens.js'
import { ErrorOutput } from '../../src/core/errors.js'
import { ProjectList } from '../../src/core/projects/list.js'
import { freshConfigDir, runCli, startCli } from '../support/cli.js'
import { startActionsTokenService } from '../support/ci-provider.js'
import { approveDeviceFlow, revokeToken } from '../support/oauth.js'
import { envFor, usePlatform } from '../support/platform.js'

const platform = usePlatform()

afterEach(() => platform().oauth.reset())


async function storedTokens(configDir: string): Promise<StoredTokens> {
  const secret = await fileVault(configDir).read('default')
  return StoredTokens.parse(JSON.parse(secret!.reveal()))
}

/** `login --json`: read the device step it prints, do the browser part, and wait for the result. */
async function deviceLogin(configDir: string, decision: 'approve' | 'deny' = 'approve') {
  const cli = startCli(['login', '--json', '--insecure-storage', '--no-browser'], envFor(platform(), { configDir, withToken: false }))
  const step = DeviceStep.parse(JSON.parse(await cli.line(/^\{.*user_code/)))
  const walk = await approveDeviceFlow(step.verification_uri_complete ?? step.verification_uri, {
    email: 'ada@example.com',
    password: platform().user.password,
    decision,
  })
  return { step, walk, result: await cli.done }
}

describe('login through the device flow', () => {
  it('prints the step as one JSON line, then signs in once approved', async () => {
    platform().oauth.setPollInterval(1)
    const configDir = freshConfigDir()
    const { step, result } = await deviceLogin(configDir)
    expect(step.user_code).toMatch(/\w/)
    expect(result.code).toBe(0)
    const signIn = SignIn.parse(JSON.parse(result.stdout.slice(result.stdout.indexOf('\n') + 1)))
    expect(signIn).toMatchObject({ account: 'ada@example.com', token_kind: 'oauth', stored_in: 'file' })
    const status = AuthStatus.parse(JSON.parse((await runCli(['auth', 'status', '--json', '--verify'], envFor(platform(), { configDir, withToken: false }))).stdout))
    expect(status.profiles[0]).toMatchObject({ account: 'ada@example.com', source: 'file', verified: true })
    const tokens = await storedTokens(configDir)
    expect(tokens.refresh_token).toBeTruthy()
    const config = readFileSync(join(configDir, 'config.json'), 'utf8')
    expect(config).not.toContain(tokens.access_token)
    expect(config).not.toContain(tokens.refresh_token!)
  })

  it('Deny in the browser ends with exit 3 and nothing stored', async () => {
    platform().oauth.setPollInterval(1)
    const configDir = freshConfigDir()
    const { walk, result } = await deviceLogin(configDir, 'deny')
    expect(walk.page).toBe('denied')
    expect(result.code).toBe(3)
    expect(ErrorOutput.parse(JSON.parse(result.stdout.slice(result.stdout.indexOf('\n') + 1))).error.message).toContain('denied')
    expect(readdirSync(configDir)).not.toContain('tokens')
  })

  it('an unapproved code that expires ends with exit 4 and nothing stored', async () => {
    platform().oauth.setPollInterval(1)
    platform().oauth.setDeviceCodeTtl(2)
    const configDir = freshConfigDir()
    const cli = startCli(['login', '--json', '--insecure-storage'], envFor(platform(), { configDir, withToken: false }))
    await cli.line(/user_code/)
    const result = await cli.done
    expect(result.code).toBe(4)
    // No --device: chosen because the test's environment has no display, and said so.
    expect(result.stderr).toContain('Signing in with a device code: there is no display here')
    expect(ErrorOutput.parse(JSON.parse(result.stdout.slice(result.stdout.indexOf('\n') + 1))).error.code).toBe('expired_token')
    expect(readdirSync(configDir)).not.toContain('tokens')
  })
})

describe('an OAuth session', () => {
  it('refreshes a short-lived token transparently; two processes at once both succeed and keep the latest refresh token', async () => {
    platform().oauth.setPollInterval(1)
    platform().oauth.setAccessTokenTtl(30) // inside the CLI's refresh margin: every run refreshes first
    const configDir = freshConfigDir()
    expect((await deviceLogin(configDir)).result.code).toBe(0)
    const first = await storedTokens(configDir)

    const runs = await Promise.all([
      runCli(['projects', 'list', '--json'], envFor(platform(), { configDir, withToken: false })),
      runCli(['projects', 'list', '--json'], envFor(platform(), { configDir, withToken: false })),
    ])
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(0)
      expect(ProjectList.parse(JSON.parse(run.stdout)).length).toBeGreaterThan(0)
    }
    const latest = await storedTokens(configDir)
    expect(latest.refresh_token).not.toBe(first.refresh_token)
    expect(await platform().oauth.isRefreshTokenActive(first.refresh_token!)).toBe(false) // rotated away
    expect(await platform().oauth.isRefreshTokenActive(latest.refresh_token!)).toBe(true) // the one stored is the live one
    expect((await runCli(['projects', 'list'], envFor(platform(), { configDir, withToken: false }))).code).toBe(0)
  })

  it('logout revokes the tokens on the platform before forgetting them', async () => {
    platform().oauth.setPollInterval(1)
    const configDir = freshConfigDir()
    expect((await deviceLogin(configDir)).result.code).toBe(0)
    const tokens = await storedTokens(configDir)
    const me = () => fetch(`${platform().url}/v1/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })
    expect((await me()).status).toBe(200)
    const logout = await runCli(['logout', '--json'], envFor(platform(), { configDir, withToken: false }))
    expect(logout.code).toBe(0)
    expect(JSON.parse(logout.stdout)).toEqual([{ profile: 'default', revoked: true, removed: true }])
    expect((await me()).status).toBe(401)
    expect(await platform().oauth.isRefreshTokenActive(tokens.refresh_token!)).toBe(false)
  })

  it('a token revoked elsewhere gets one refresh attempt, then exit 4 saying to run clowdops login', async () => {
    platform().oauth.setPollInterval(1)
    const configDir = freshConfigDir()
    expect((await deviceLogin(configDir)).result.code).toBe(0)
    expect(await revokeToken(platform().url, (await storedTokens(configDir)).access_token, 'access_token')).toBe(200)
    const before = platform().stats.oauth.tokenRequests.refresh_token ?? 0
    const result = await runCli(['projects', 'list'], envFor(platform(), { configDir, withToken: false }))
    expect(result.code).toBe(4)
    expect(result.stderr).toContain('clowdops login')
    expect((platform().stats.oauth.tokenRequests.refresh_token ?? 0) - before).toBe(1)
  })

  it('logout with the platform unreachable forgets the token locally and says it may stay valid', async () => {
    platform().oauth.setPollInterval(1)
    const configDir = freshConfigDir()
    expect((await deviceLogin(configDir)).result.code).toBe(0)
    const result = await runCli(['logout'], { ...envFor(platform(), { configDir, withToken: false }), CLOWDOPS_API_URL: 'http://127.0.0.1:9' })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('may stay valid')
    expect(await fileVault(configDir).read('default')).toBeUndefined()
  })
})

describe('a private deployment', () => {
  it('login --api-url keeps the sign-in in a profile named after the host, and makes it active', async () => {
    const configDir = freshConfigDir()
    const env = { CLOWDOPS_CONFIG_DIR: configDir }
    const login = await runCli(['login', '--with-token', '--insecure-storage', '--api-url', platform().url, '--json'], env, platform().token)
    const profile = `127-0-0-1-${new URL(platform().url).port}`
    expect(SignIn.parse(JSON.parse(login.stdout)).profile).toBe(profile)
    const status = AuthStatus.parse(JSON.parse((await runCli(['auth', 'status', '--json'], env)).stdout))
    expect(status.active_profile).toBe(profile)
    expect(status.profiles.find((p) => p.active)).toMatchObject({ api_url: platform().url, signed_in: true })
  })
})

describe('CI sign-in with the job’s OIDC token (RFC 8693)', () => {
  const subject = 'repo:acme/payments:ref:refs/heads/main'

  it('--print hands out a short-lived token that works, and stores nothing', async () => {
    platform().oauth.trustCiIssuer({ audience: 'clowdops', subject: 'repo:acme/*', scopes: ['projects:read'] })
    const idToken = await platform().ciIssuer.sign({ aud: 'clowdops', sub: subject })
    const configDir = freshConfigDir()
    const result = await runCli(['login', '--oidc-token-env', 'CI_ID_TOKEN', '--print'], { ...envFor(platform(), { configDir, withToken: false }), CI_ID_TOKEN: idToken })
    expect(result.code, result.stderr).toBe(0)
    const token = result.stdout.trim()
    const projects = await runCli(['projects', 'list', '--json'], { CLOWDOPS_API_URL: platform().url, CLOWDOPS_TOKEN: token })
    expect(ProjectList.parse(JSON.parse(projects.stdout)).length).toBeGreaterThan(0)
    expect(result.stderr).not.toContain(idToken)
    for (const entry of readdirSync(configDir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) expect(readFileSync(join(entry.parentPath, entry.name), 'utf8')).not.toContain(token)
    }
  })

  it('--ci in GitHub Actions, the built CLI with --debug: asks the token service, signs in, and shows neither token (canary)', async () => {
    platform().oauth.trustCiIssuer({ audience: 'clowdops', subject: 'repo:acme/*', scopes: ['projects:read'] })
    const actions = await startActionsTokenService(platform().ciIssuer)
    try {
      const result = await runCli(['login', '--ci', '--print', '--debug'], { ...envFor(platform(), { withToken: false }), ...actions.env() })
      expect(result.code, result.stderr).toBe(0)
      expect(actions.requests).toEqual([{ authorization: `bearer ${actions.requestToken}`, audience: 'clowdops' }])
      expect(result.stderr).toContain('/_apis/idtoken')
      for (const secret of [actions.requestToken, ...actions.issued]) expect(result.stdout + result.stderr).not.toContain(secret)
      const projects = await runCli(['projects', 'list', '--json'], { CLOWDOPS_API_URL: platform().url, CLOWDOPS_TOKEN: result.stdout.trim() })
      expect(projects.code, projects.stderr).toBe(0)
    } finally {
      await actions.close()
    }
  })

  it('an ID token for another repository is refused with exit 4', async () => {
    platform().oauth.trustCiIssuer({ audience: 'clowdops', subject, scopes: ['projects:read'] })
    const idToken = await platform().ciIssuer.sign({ aud: 'clowdops', sub: 'repo:evil/fork:ref:refs/heads/main' })
    const result = await runCli(['login', '--oidc-token-env', 'CI_ID_TOKEN', '--json'], { ...envFor(platform(), { withToken: false }), CI_ID_TOKEN: idToken })
    expect(result.code).toBe(4)
    expect(ErrorOutput.parse(JSON.parse(result.stdout)).error.code).toBe('invalid_grant')
  })
})
