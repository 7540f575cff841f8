// `auth status`: how each sign-in was obtained and when it expires, from the profile record (in-memory ports).
import { Chalk } from 'chalk'
import { describe, expect, it } from 'vitest'
import { renderAuthStatus } from '../../src/cli/render.js'
import { authStatus } from '../../src/core/auth/profiles.js'
import type { TokenVault } from '../../src/core/auth/tokens.js'
import type { ConfigFile, Profile } from '../../src/core/profile.js'
import type { ApiClient, Session } from '../../src/core/ports.js'
import { Secret } from '../../src/core/secret.js'

const NOW = new Date('2026-12-02T12:00:00Z')
const IN_AN_HOUR = '2026-12-02T13:00:00.000Z'

function statusOf(profiles: Record<string, Profile>, active: string, source: 'keychain' | 'env' = 'keychain') {
  const file: ConfigFile = { active_profile: active, profiles }
  const vault: TokenVault = {
    kind: 'keychain',
    read: async (name) => (name in profiles ? new Secret('sealed') : undefined),
    write: async () => undefined,
    delete: async () => false,
    checkWritable: async () => undefined,
  }
  const session: Session = { token: async () => new Secret('t'), source: async () => source, afterRejection: async () => undefined }
  return authStatus(
    { verify: false },
    {
      config: { read: async () => file } as never,
      context: { profileName: active, profile: profiles[active] ?? {}, apiUrl: { url: 'http://127.0.0.1:1', source: 'env' } },
      env: {},
      vaults: { keychain: vault, file: vault },
      session,
      api: {} as ApiClient,
      clock: { now: () => NOW, sleep: async () => undefined },
    },
  )
}

const signedIn = (extra: Profile): Profile => ({ account: 'ada@example.com', org: 'Acme', token_storage: 'keychain', ...extra })

describe('auth status: how the session was obtained', () => {
  it('reports the method recorded at sign-in', async () => {
    const status = await statusOf(
      {
        browser: signedIn({ token_kind: 'oauth', signed_in_with: 'browser', token_expires_at: IN_AN_HOUR }),
        device: signedIn({ token_kind: 'oauth', signed_in_with: 'device' }),
        pat: signedIn({ token_kind: 'personal_access_token', signed_in_with: 'token' }),
      },
      'browser',
    )
    expect(status.profiles.map((p) => [p.profile, p.signed_in_with])).toEqual([
      ['browser', 'browser'],
      ['device', 'device'],
      ['pat', 'token'],
    ])
  })

  it('profiles from before the method was recorded: a token is a token, OAuth was the device flow then', async () => {
    const status = await statusOf(
      { old: signedIn({ token_kind: 'oauth' }), oldPat: signedIn({ token_kind: 'personal_access_token' }) },
      'old',
    )
    expect(status.profiles.map((p) => p.signed_in_with)).toEqual(['device', 'token'])
  })

  it('says nothing it does not know: CLOWDOPS_TOKEN, or a record with neither a method nor a token kind', async () => {
    const env = await statusOf({ default: signedIn({ token_kind: 'oauth', signed_in_with: 'browser' }) }, 'default', 'env')
    expect(env.profiles[0]?.signed_in_with).toBeNull()
    const out = await statusOf({ other: { api_url: 'http://127.0.0.1:2' } }, 'other')
    expect(out.profiles[0]).toMatchObject({ signed_in: true, signed_in_with: null })
  })

  it('as text: the way, then the expiry in local time and relative', async () => {
    const status = await statusOf({ default: signedIn({ token_kind: 'oauth', signed_in_with: 'browser', token_expires_at: IN_AN_HOUR }) }, 'default')
    const text = renderAuthStatus(status, new Chalk({ level: 0 }), NOW)
    expect(text).toContain('    signed in through the browser\n    expires in 1 h (')
    expect(text).toMatch(/expires in 1 h \(2026-12-02 \d\d:00 [^)]+\)/)
  })
})
