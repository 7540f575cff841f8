// Signed-in profiles: status, list, switch, token, logout (revoking server-side before forgetting locally).
import { z } from 'zod'
import { DEFAULT_API_URL, endpoints } from '../contract/index.js'
import { ClowdopsError, NotFoundError, NotSignedInError, UsageError } from '../errors.js'
import type { Deps } from '../ports.js'
import { type Profile, SignInMethod } from '../profile.js'
import { Secret } from '../secret.js'
import { LOGIN_HINT, vaultOf } from './session.js'
import { openTokens } from './tokens.js'

export const ProfileStatus = z.object({
  profile: z.string(),
  active: z.boolean(),
  api_url: z.string().nullable(),
  account: z.string().nullable(),
  org: z.string().nullable(),
  source: z.enum(['env', 'keychain', 'file']).nullable(),
  signed_in: z.boolean(),
  expires_at: z.string().nullable(),
  signed_in_with: SignInMethod.nullable().describe(
    'How the stored sign-in was obtained: browser (PKCE), device (a code), token (--with-token) or ci; null for CLOWDOPS_TOKEN or when not signed in.',
  ),
  scopes: z.array(z.string()),
  /** Set by --verify: whether the platform accepted the token just now. */
  verified: z.boolean().optional(),
})
export type ProfileStatus = z.infer<typeof ProfileStatus>
export const AuthStatus = z.object({ active_profile: z.string(), profiles: z.array(ProfileStatus) })
export type AuthStatus = z.infer<typeof AuthStatus>

type StatusDeps = Pick<Deps, 'config' | 'context' | 'env' | 'vaults' | 'session' | 'api' | 'clock'>

/** Local facts by default (no network); `verify` asks the platform whether the active token is still accepted. */
export async function authStatus(input: { verify: boolean }, deps: StatusDeps): Promise<AuthStatus> {
  const file = await deps.config.read()
  const active = deps.context.profileName
  const names = [...new Set([active, ...Object.keys(file.profiles)])].sort()
  const profiles: ProfileStatus[] = []
  for (const name of names) {
    const profile = name === active ? deps.context.profile : (file.profiles[name] ?? {})
    const source = name === active ? await deps.session.source() : await storedSource(name, profile, deps)
    profiles.push({
      profile: name,
      active: name === active,
      api_url: name === active ? deps.context.apiUrl.url : (profile.api_url ?? null),
      account: source === 'env' ? null : (profile.account ?? null),
      org: source === 'env' ? null : (profile.org ?? null),
      source: source ?? null,
      signed_in: source !== undefined,
      expires_at: source === 'env' ? null : (profile.token_expires_at ?? null),
      signed_in_with: source === undefined || source === 'env' ? null : signInMethodOf(profile),
      scopes: source === 'env' ? [] : (profile.scopes ?? []),
    })
  }
  const current = profiles.find((p) => p.active)
  if (input.verify && current?.signed_in) {
    try {
      const me = await deps.api.call(endpoints.me)
      Object.assign(current, { verified: true, account: me.email, org: me.org.name, scopes: me.scopes })
    } catch (error) {
      if (!(error instanceof ClowdopsError) || error.exitCode !== 4) throw error
      current.verified = false
    }
  }
  return { active_profile: active, profiles }
}

/**
 * The method recorded at sign-in. Profiles written before it was recorded knew two ways: a personal access token, or
 * an OAuth sign-in, which was always the device flow then.
 */
function signInMethodOf(profile: Profile): SignInMethod | null {
  if (profile.signed_in_with) return profile.signed_in_with
  if (profile.token_kind === 'personal_access_token') return 'token'
  return profile.token_kind === 'oauth' ? 'device' : null
}

/** Present in its vault? Reading is what the keychain allows; the value is dropped at once. */
async function storedSource(name: string, profile: Profile, deps: Pick<Deps, 'vaults'>) {
  if (!profile.token_storage) return undefined
  const vault = vaultOf(deps, profile.token_storage)
  return (await vault.read(name)) ? vault.kind : undefined
}

export const ProfileList = z.array(z.object({ profile: z.string(), active: z.boolean(), api_url: z.string().nullable(), account: z.string().nullable() }))
export type ProfileList = z.infer<typeof ProfileList>

export async function listProfiles(deps: Pick<Deps, 'config' | 'context'>): Promise<ProfileList> {
  const file = await deps.config.read()
  const active = deps.context.profileName
  return [...new Set([active, ...Object.keys(file.profiles)])].sort().map((name) => ({
    profile: name,
    active: name === active,
    api_url: file.profiles[name]?.api_url ?? null,
    account: file.profiles[name]?.account ?? null,
  }))
}

/** Makes `name` the active profile; without a name, the person at the terminal picks one (as `gh auth switch` does). */
export async function switchProfile(name: string | undefined, deps: Pick<Deps, 'config' | 'prompter'>): Promise<ProfileList[number]> {
  const file = await deps.config.read()
  name ??= await pickProfile(file.profiles, deps.prompter)
  const profile = file.profiles[name]
  if (!profile) {
    const known = Object.keys(file.profiles).sort()
    throw new NotFoundError(`No profile ${JSON.stringify(name)}.`, {
      hint: known.length ? `Known profiles: ${known.join(', ')}. Create one with clowdops login --profile ${name}.` : `Create it with clowdops login --profile ${name}.`,
    })
  }
  await deps.config.update((f) => ({ ...f, active_profile: name }))
  return { profile: name, active: true, api_url: profile.api_url ?? null, account: profile.account ?? null }
}

async function pickProfile(profiles: Record<string, Profile | undefined>, prompter: Deps['prompter']): Promise<string> {
  const names = Object.keys(profiles).sort()
  if (names.length === 0) throw new NotFoundError('There are no profiles yet.', { hint: 'Sign in first: clowdops login' })
  if (!prompter) {
    throw new UsageError('Name the profile to switch to.', { hint: `clowdops auth switch NAME, with one of: ${names.join(', ')}.` })
  }
  const choices = names.map((value) => {
    const profile = profiles[value]
    const where = [profile?.account, profile?.api_url].filter(Boolean).join(', ')
    return { value, name: where ? `${value} (${where})` : value }
  })
  return prompter.select('Switch to which profile?', choices)
}

export const LogoutResult = z.array(
  z.object({
    profile: z.string(),
    revoked: z.boolean(),
    removed: z.boolean(),
    signed_in: z.literal(false).optional().describe('Present when the profile was not signed in: there was nothing to do.'),
    note: z.string().optional(),
  }),
)
export type LogoutResult = z.infer<typeof LogoutResult>

type LogoutDeps = Pick<Deps, 'config' | 'context' | 'vaults' | 'auth'>

/**
 * Revoke refresh then access token (RFC 7009), then forget them; unreachable server: forget, and say so. A profile that
 * is not signed in is already where logout would leave it: nothing to do, not a failure (`--all` with none: an empty list).
 */
export async function logout(input: { all: boolean }, deps: LogoutDeps): Promise<LogoutResult> {
  const file = await deps.config.read()
  const names = input.all ? Object.keys(file.profiles).filter((n) => file.profiles[n]?.token_storage) : [deps.context.profileName]
  const results: LogoutResult = []
  for (const name of names) {
    const profile = file.profiles[name] ?? {}
    if (!profile.token_storage) {
      results.push({ profile: name, revoked: false, removed: false, signed_in: false })
      continue
    }
    const vault = vaultOf(deps, profile.token_storage)
    const secret = await vault.read(name)
    const result = { profile: name, revoked: false, removed: false } as LogoutResult[number]
    if (secret) {
      const tokens = openTokens(secret, `the ${vault.kind} entry of profile ${name}`)
      if (tokens.kind === 'oauth') {
        try {
          // This run's profile talks to this run's API URL (--api-url, CLOWDOPS_API_URL); others to their own.
          const apiUrl = name === deps.context.profileName ? deps.context.apiUrl.url : (profile.api_url ?? DEFAULT_API_URL)
          const metadata = await deps.auth.discover(apiUrl)
          if (tokens.refresh_token) await deps.auth.revoke(metadata, new Secret(tokens.refresh_token), 'refresh_token')
          await deps.auth.revoke(metadata, new Secret(tokens.access_token), 'access_token')
          result.revoked = true
        } catch (error) {
          result.note = `Could not revoke on the platform (${error instanceof Error ? error.message : String(error)}); the token may stay valid until ${tokens.expires_at ?? 'it expires'}.`
        }
      } else {
        result.note = 'A personal access token stays valid until you revoke it on the platform (Settings → Tokens).'
      }
      result.removed = await vault.delete(name)
    }
    await deps.config.update((f) => ({ ...f, profiles: { ...f.profiles, [name]: withoutSignIn(f.profiles[name] ?? {}) } }))
    results.push(result)
  }
  return results
}

function withoutSignIn(profile: Profile): Profile {
  const { account: _a, org: _o, token_storage: _s, token_kind: _k, token_expires_at: _e, scopes: _sc, ...rest } = profile
  return rest
}

/** `auth token`: the access token for piping into other tools, refreshed first when close to expiry. */
export async function currentToken(deps: Pick<Deps, 'session'>) {
  const token = await deps.session.token()
  if (!token) throw new NotSignedInError('Not signed in.', { hint: LOGIN_HINT })
  return token
}

