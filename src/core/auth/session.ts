// A run's signed-in state: which token wins (env > keychain > file), and refreshing it without losing the session.
import { CLIENT_ID } from '../contract/oauth.js'
import { NotSignedInError } from '../errors.js'
import type { AuthServer, Clock, ConfigStore, Context, Interruption, Locks, NoticeLog, Session } from '../ports.js'
import { Secret } from '../secret.js'
import { remindOfInsecureStorage } from './insecure-storage.js'
import { type StoredTokens, type TokenSource, type TokenVault, needsRefresh, openTokens, sealTokens } from './tokens.js'

export interface SessionDeps {
  env: Readonly<Record<string, string | undefined>>
  context: Context
  config: Pick<ConfigStore, 'update'>
  vaults: { keychain: TokenVault; file: TokenVault }
  auth: AuthServer
  locks: Locks
  clock: Clock
  /** A refresh is not torn by Ctrl-C: the rotated tokens are stored before the run stops. */
  interruption?: Pick<Interruption, 'uninterrupted'>
  /** Told when the token comes from the --insecure-storage file: once a day per profile, as `notices` remembers. */
  warn?: (message: string) => void
  notices?: NoticeLog
}

interface Resolved {
  source: TokenSource
  vault?: TokenVault
  tokens: StoredTokens
}

export const LOGIN_HINT = 'Run clowdops login (or set CLOWDOPS_TOKEN in CI).'

/** The vault a profile's sign-in lives in: the keychain unless it was made with --insecure-storage. */
export function vaultOf(deps: Pick<SessionDeps, 'vaults'>, storage: 'keychain' | 'file' | undefined): TokenVault {
  return storage === 'file' ? deps.vaults.file : deps.vaults.keychain
}

export function createSession(deps: SessionDeps): Session {
  let resolved: Promise<Resolved | undefined> | undefined
  let refreshed = false

  async function resolve(): Promise<Resolved | undefined> {
    const fromEnv = deps.env.CLOWDOPS_TOKEN?.trim()
    if (fromEnv) return { source: 'env', tokens: { kind: 'personal_access_token', access_token: fromEnv, scopes: [] } }
    const { profile, profileName } = deps.context
    if (!profile.token_storage) return undefined
    const vault = vaultOf(deps, profile.token_storage)
    const secret = await vault.read(profileName)
    if (!secret) return undefined
    if (vault.kind === 'file') await remindOfInsecureStorage(profileName, deps)
    return { source: vault.kind, vault, tokens: openTokens(secret, `the ${vault.kind} entry of profile ${profileName}`) }
  }

  const current = () => (resolved ??= resolve())

  /** Under a lock shared by every clowdops process: the loser of a race re-reads what the winner stored. */
  async function refresh(stale: Resolved): Promise<Resolved> {
    const { vault } = stale
    const name = deps.context.profileName
    if (!vault || !stale.tokens.refresh_token) {
      throw new NotSignedInError(`The sign-in of profile ${name} has expired.`, { code: 'token_expired', hint: LOGIN_HINT })
    }
    return deps.locks.withLock(`refresh-${name}`, async () => {
      const latest = await vault.read(name)
      const stored = latest ? openTokens(latest, `the ${vault.kind} entry of profile ${name}`) : undefined
      if (!stored) throw new NotSignedInError(`Profile ${name} was signed out meanwhile.`, { hint: LOGIN_HINT })
      if (stored.access_token !== stale.tokens.access_token && !needsRefresh(stored, deps.clock.now())) {
        return { ...stale, tokens: stored }
      }
      const refreshToken = stored.refresh_token ?? stale.tokens.refresh_token
      const metadata = await deps.auth.discover(deps.context.apiUrl.url)
      // The grant spends the refresh token: from here until the new tokens are stored, Ctrl-C waits.
      const grant = async () => {
        const result = await deps.auth.token(metadata, {
          grant_type: 'refresh_token',
          refresh_token: new Secret(refreshToken ?? ''),
          client_id: CLIENT_ID,
        })
        if (!result.ok) {
          throw new NotSignedInError(`The sign-in of profile ${name} can no longer be refreshed (${result.error.error}).`, {
            code: 'refresh_failed',
            hint: LOGIN_HINT,
          })
        }
        const tokens = tokensFromResponse(result.tokens, deps.clock.now(), refreshToken)
        await vault.write(name, sealTokens(tokens))
        await deps.config.update((file) => ({
          ...file,
          profiles: { ...file.profiles, [name]: { ...file.profiles[name], token_expires_at: tokens.expires_at } },
        }))
        return tokens
      }
      const tokens = deps.interruption ? await deps.interruption.uninterrupted(grant) : await grant()
      return { ...stale, tokens }
    })
  }

  return {
    async token() {
      let found = await current()
      if (!found) return undefined
      if (found.source !== 'env' && needsRefresh(found.tokens, deps.clock.now())) {
        found = await refresh(found)
        resolved = Promise.resolve(found)
      }
      return new Secret(found.tokens.access_token)
    },
    async source() {
      return (await current())?.source
    },
    async afterRejection(rejected) {
      const found = await current()
      // One refresh per run, and only for a refreshable sign-in whose token is the one rejected.
      if (refreshed || !found?.tokens.refresh_token || found.tokens.access_token !== rejected.reveal()) return undefined
      refreshed = true
      const fresh = await refresh(found)
      resolved = Promise.resolve(fresh)
      return new Secret(fresh.tokens.access_token)
    },
  }
}

/** What a token response becomes in the vault; a server that does not rotate leaves the old refresh token valid. */
export function tokensFromResponse(
  response: { access_token: string; expires_in?: number | undefined; refresh_token?: string | undefined; scope?: string | undefined },
  now: Date,
  previousRefreshToken?: string,
): StoredTokens {
  const refresh = response.refresh_token ?? previousRefreshToken
  return {
    kind: 'oauth',
    access_token: response.access_token,
    ...(refresh ? { refresh_token: refresh } : {}),
    ...(response.expires_in ? { expires_at: new Date(now.getTime() + response.expires_in * 1000).toISOString() } : {}),
    scopes: response.scope ? response.scope.split(' ').filter(Boolean) : [],
  }
}
