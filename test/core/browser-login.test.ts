// The browser sign-in's use case with in-memory ports: what happens before the browser opens, and when it never answers.
import { describe, expect, it } from 'vitest'
import { loginWithBrowser } from '../../src/core/auth/login.js'
import type { TokenVault } from '../../src/core/auth/tokens.js'
import type { AuthServerMetadata } from '../../src/core/contract/oauth.js'
import { ClowdopsError, KeychainUnavailableError } from '../../src/core/errors.js'
import type { AuthServer, LoopbackListener } from '../../src/core/ports.js'

const METADATA: AuthServerMetadata = {
  issuer: 'http://127.0.0.1:1',
  authorization_endpoint: 'http://127.0.0.1:1/auth',
  token_endpoint: 'http://127.0.0.1:1/token',
  device_authorization_endpoint: 'http://127.0.0.1:1/device/auth',
  code_challenge_methods_supported: ['S256'],
}

/** A listener that never gets an answer (as when the browser is closed): it reports the timeout at once. */
function silentLoopback() {
  const events: string[] = []
  const loopback: LoopbackListener = {
    async listen() {
      events.push('listen')
      return { redirectUri: 'http://127.0.0.1:5000/callback', answer: async () => undefined, close: async () => void events.push('close') }
    },
  }
  return { loopback, events }
}

function deps(options: { metadata?: AuthServerMetadata; keychainWritable?: boolean } = {}) {
  const { loopback, events } = silentLoopback()
  const vault: TokenVault = {
    kind: 'keychain',
    read: async () => undefined,
    write: async () => void events.push('stored'),
    delete: async () => false,
    checkWritable: async () => {
      if (options.keychainWritable === false) throw new KeychainUnavailableError('The keychain is locked.', { code: 'keychain_locked' })
    },
  }
  const auth: AuthServer = {
    discover: async () => options.metadata ?? METADATA,
    startDeviceFlow: async () => {
      throw new Error('not the device flow')
    },
    token: async () => {
      events.push('token')
      return { ok: false, error: { error: 'invalid_grant' } }
    },
    revoke: async () => undefined,
  }
  return {
    events,
    deps: {
      api: {} as never,
      auth,
      clock: { now: () => new Date('2026-12-02T12:00:00Z'), sleep: async () => undefined },
      config: {} as never,
      context: { profileName: 'default', profile: {}, apiUrl: { url: 'http://127.0.0.1:1', source: 'env' as const } },
      vaults: { keychain: vault, file: vault },
      loopback,
    },
  }
}

async function failure(run: Promise<unknown>): Promise<ClowdopsError> {
  const error = await run.then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  if (!(error instanceof ClowdopsError)) throw new Error(`expected a ClowdopsError, got ${String(error)}`)
  return error
}

describe('loginWithBrowser', () => {
  it('no answer in time: exit 4 naming --remote and --device, the listener closed, nothing redeemed or stored', async () => {
    const { deps: d, events } = deps()
    const steps: string[] = []
    const error = await failure(loginWithBrowser({ insecureStorage: false, remote: false, onStep: (step) => void steps.push(step.authorization_url) }, d))
    expect(error).toMatchObject({ code: 'browser_timeout', exitCode: 4 })
    expect(error.hint).toMatch(/--remote.*--device/)
    expect(steps).toHaveLength(1)
    expect(events).toEqual(['listen', 'close'])
  })

  it('a keychain that cannot keep the token fails before anything listens or the browser opens (exit 9)', async () => {
    const { deps: d, events } = deps({ keychainWritable: false })
    const steps: string[] = []
    const error = await failure(loginWithBrowser({ insecureStorage: false, remote: false, onStep: (step) => void steps.push(step.authorization_url) }, d))
    expect(error.exitCode).toBe(9)
    expect(error.message).toContain('Nothing was sent to the platform')
    expect(steps).toEqual([])
    expect(events).toEqual([])
  })

  it('a platform without an authorization endpoint, or without S256, points to --device before anything listens', async () => {
    const { authorization_endpoint: _none, ...withoutEndpoint } = METADATA
    for (const metadata of [withoutEndpoint, { ...METADATA, code_challenge_methods_supported: ['plain'] }]) {
      const { deps: d, events } = deps({ metadata })
      const error = await failure(loginWithBrowser({ insecureStorage: true, remote: false, onStep: () => undefined }, d))
      expect(error).toMatchObject({ code: 'browser_sign_in_unsupported', exitCode: 1 })
      expect(error.hint).toContain('--device')
      expect(events).toEqual([])
    }
  })
})
