// Sign-in rules with in-memory ports (an authorization server that answers from a script, a vault in a Map) and the
// real file locks in a temp directory.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fileLocks } from '../../src/adapters/locks.js'
import { loginWithDevice } from '../../src/core/auth/login.js'
import { createSession } from '../../src/core/auth/session.js'
import { type StoredTokens, type TokenVault, sealTokens } from '../../src/core/auth/tokens.js'
import type { AuthServerMetadata } from '../../src/core/contract/oauth.js'
import { ExitCode, KeychainUnavailableError } from '../../src/core/errors.js'
import type { AuthServer, Clock, Context, Deps, TokenResult } from '../../src/core/ports.js'
import type { ConfigFile } from '../../src/core/profile.js'
import { Secret } from '../../src/core/secret.js'

const metadata: AuthServerMetadata = {
  issuer: 'http://127.0.0.1:1',
  token_endpoint: 'http://127.0.0.1:1/token',
  device_authorization_endpoint: 'http://127.0.0.1:1/device/auth',
}
const context: Context = {
  profileName: 'default',
  profile: { token_storage: 'keychain' },
  apiUrl: { url: 'http://127.0.0.1:1', source: 'env' },
}

/** A clock whose sleeps return at once but are recorded, and whose time moves by what was slept. */
function steppingClock(start = Date.parse('2026-11-26T12:00:00Z')): Clock & { sleeps: number[] } {
  let now = start
  const sleeps: number[] = []
  return { sleeps, now: () => new Date(now), sleep: async (ms) => void (sleeps.push(ms), (now += ms)) }
}

function memoryVault(): TokenVault & { entries: Map<string, string> } {
  const entries = new Map<string, string>()
  return {
    kind: 'keychain',
    entries,
    read: async (profile) => (entries.has(profile) ? new Secret(entries.get(profile)!) : undefined),
    write: async (profile, value) => void entries.set(profile, value.reveal()),
    delete: async (profile) => entries.delete(profile),
    checkWritable: async () => undefined,
  }
}

/** An authorization server whose token endpoint answers from a script; refresh rotates and is counted. */
function scriptedServer(answers: TokenResult[] = []): AuthServer & { grants: string[] } {
  const grants: string[] = []
  let generation = 0
  return {
    grants,
    discover: async () => metadata,
    startDeviceFlow: async () => ({
      device_code: 'dev-code',
      user_code: 'ABCD-EFGH',
      verification_uri: 'http://127.0.0.1:1/device',
      expires_in: 60,
      interval: 1,
    }),
    async token(_metadata, grant) {
      grants.push(String(grant.grant_type))
      await new Promise((resolve) => setTimeout(resolve, 20)) // long enough for a concurrent caller to pile up
      if (grant.grant_type === 'refresh_token') {
        generation++
        return { ok: true, tokens: { access_token: `access-${generation}`, refresh_token: `refresh-${generation}`, token_type: 'Bearer', expires_in: 3600 } }
      }
      return answers.shift() ?? { ok: false, error: { error: 'authorization_pending' } }
    },
    revoke: async () => undefined,
  }
}

function sessionDeps(vault: TokenVault, auth: AuthServer, clock: Clock, locksDir: string) {
  const config = {
    update: async (change: (c: ConfigFile) => ConfigFile) => change({ profiles: {} }),
  }
  return { env: {}, context, config, vaults: { keychain: vault, file: vault }, auth, locks: fileLocks(locksDir, clock), clock }
}

const expiring = (clock: Clock): StoredTokens => ({
  kind: 'oauth',
  access_token: 'access-0',
  refresh_token: 'refresh-0',
  expires_at: new Date(clock.now().getTime() + 10_000).toISOString(), // inside the refresh margin
  scopes: [],
})

describe('session', () => {
  it('refreshes a token about to expire, and stores the rotated refresh token', async () => {
    const clock = steppingClock()
    const vault = memoryVault()
    await vault.write('default', sealTokens(expiring(clock)))
    const auth = scriptedServer()
    const session = createSession(sessionDeps(vault, auth, clock, mkdtempSync(join(tmpdir(), 'locks-'))))
    expect((await session.token())?.reveal()).toBe('access-1')
    expect(JSON.parse(vault.entries.get('default')!)).toMatchObject({ access_token: 'access-1', refresh_token: 'refresh-1' })
    expect(await session.source()).toBe('keychain')
  })

  it('two runs refreshing at once refresh once: the second re-reads what the first stored', async () => {
    const clock = steppingClock()
    const vault = memoryVault()
    await vault.write('default', sealTokens(expiring(clock)))
    const auth = scriptedServer()
    const locksDir = mkdtempSync(join(tmpdir(), 'locks-'))
    const [a, b] = [createSession(sessionDeps(vault, auth, clock, locksDir)), createSession(sessionDeps(vault, auth, clock, locksDir))]
    const tokens = await Promise.all([a.token(), b.token()])
    expect(tokens.map((t) => t?.reveal())).toEqual(['access-1', 'access-1'])
    expect(auth.grants.filter((g) => g === 'refresh_token')).toHaveLength(1)
  })

  it('after a 401 refreshes once, and never for a token from CLOWDOPS_TOKEN', async () => {
    const clock = steppingClock()
    const vault = memoryVault()
    await vault.write('default', sealTokens({ ...expiring(clock), expires_at: new Date(clock.now().getTime() + 3_600_000).toISOString() }))
    const session = createSession(sessionDeps(vault, scriptedServer(), clock, mkdtempSync(join(tmpdir(), 'locks-'))))
    const first = await session.token()
    expect((await session.afterRejection(first!))?.reveal()).toBe('access-1')
    expect(await session.afterRejection(new Secret('access-1'))).toBeUndefined()

    const fromEnv = createSession({ ...sessionDeps(vault, scriptedServer(), clock, mkdtempSync(join(tmpdir(), 'locks-'))), env: { CLOWDOPS_TOKEN: 'cop_env' } })
    expect(await fromEnv.source()).toBe('env')
    expect(await fromEnv.afterRejection((await fromEnv.token())!)).toBeUndefined()
  })

  it('an expired sign-in without a refresh token is exit 4 with what to run', async () => {
    const clock = steppingClock()
    const vault = memoryVault()
    const { refresh_token: _none, ...noRefresh } = expiring(clock)
    await vault.write('default', sealTokens(noRefresh))
    const session = createSession(sessionDeps(vault, scriptedServer(), clock, mkdtempSync(join(tmpdir(), 'locks-'))))
    await expect(session.token()).rejects.toMatchObject({ exitCode: ExitCode.notSignedIn, hint: expect.stringContaining('clowdops login') })
  })
})

describe('device flow polling', () => {
  function loginDeps(auth: AuthServer, clock: Clock) {
    const vault = memoryVault()
    return {
      vault,
      deps: {
        auth,
        clock,
        context,
        vaults: { keychain: vault, file: memoryVault() },
        config: { update: async (change: (c: ConfigFile) => ConfigFile) => change({ profiles: {} }) },
        api: { call: async () => ({ email: 'ada@example.com', org: { name: 'Example Org' }, scopes: ['projects:read'] }) },
      } as unknown as Pick<Deps, 'api' | 'auth' | 'clock' | 'config' | 'context' | 'vaults'>,
    }
  }
  const granted: TokenResult = { ok: true, tokens: { access_token: 'a', refresh_token: 'r', token_type: 'Bearer', expires_in: 600, scope: 'openid projects:read' } }

  it('polls at the interval while pending, adds 5 s on slow_down, then stores the tokens', async () => {
    const clock = steppingClock()
    const auth = scriptedServer([
      { ok: false, error: { error: 'authorization_pending' } },
      { ok: false, error: { error: 'slow_down' } },
      { ok: false, error: { error: 'authorization_pending' } },
      granted,
    ])
    const { vault, deps } = loginDeps(auth, clock)
    const steps: unknown[] = []
    const signIn = await loginWithDevice({ insecureStorage: false, onStep: (step) => void steps.push(step) }, deps)
    expect(steps).toEqual([expect.objectContaining({ user_code: 'ABCD-EFGH' })])
    expect(clock.sleeps).toEqual([1000, 1000, 6000, 6000])
    expect(signIn).toMatchObject({ account: 'ada@example.com', stored_in: 'keychain', scopes: ['openid', 'projects:read'] })
    expect(JSON.parse(vault.entries.get('default')!)).toMatchObject({ access_token: 'a', refresh_token: 'r' })
  })

  it('access_denied is exit 3 and expired_token exit 4, with nothing stored', async () => {
    for (const [error, exitCode] of [['access_denied', ExitCode.cancelled], ['expired_token', ExitCode.notSignedIn]] as const) {
      const { vault, deps } = loginDeps(scriptedServer([{ ok: false, error: { error } }]), steppingClock())
      await expect(loginWithDevice({ insecureStorage: false, onStep: () => undefined }, deps)).rejects.toMatchObject({ exitCode })
      expect(vault.entries.size).toBe(0)
    }
  })

  it('asks the keychain first: where it cannot keep the token, no device flow starts and the other ways are offered', async () => {
    const server = scriptedServer([granted])
    let started = 0
    const auth: AuthServer = { ...server, startDeviceFlow: (...args) => (started++, server.startDeviceFlow(...args)) }
    const { vault, deps } = loginDeps(auth, steppingClock())
    vault.checkWritable = async () => {
      throw new KeychainUnavailableError('Could not store "clowdops/default" in the OS keychain: the keychain is locked; unlock it and retry.', { code: 'keychain_locked' })
    }
    const steps: unknown[] = []
    const error = await loginWithDevice({ insecureStorage: false, onStep: (step) => void steps.push(step) }, deps).catch((e: unknown) => e)
    expect(error).toMatchObject({ exitCode: ExitCode.keychain, code: 'keychain_locked' })
    expect((error as Error).message).toMatch(/the keychain is locked; unlock it and retry\. Nothing was sent to the platform\.$/)
    for (const way of ['--insecure-storage', '--with-token', 'CLOWDOPS_TOKEN']) expect((error as KeychainUnavailableError).hint).toContain(way)
    expect([started, steps.length, vault.entries.size]).toEqual([0, 0, 0])

    // --insecure-storage needs no keychain, so it is not asked.
    const signIn = await loginWithDevice({ insecureStorage: true, onStep: () => undefined }, deps)
    expect(signIn.stored_in).toBe('file')
    expect(started).toBe(1)
  })

  it('gives up when the code outlives expires_in while still pending', async () => {
    const { deps } = loginDeps(scriptedServer([]), steppingClock())
    await expect(loginWithDevice({ insecureStorage: false, onStep: () => undefined }, deps)).rejects.toMatchObject({ code: 'expired_token' })
  })
})
