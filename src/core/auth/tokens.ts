// What sign-in stores for a profile (in the keychain or the 0600 file), and where a run's token comes from.
import { z } from 'zod'
import { ConfigError } from '../errors.js'
import { Secret } from '../secret.js'

/** The keychain service under which every profile's tokens live, one entry (account) per profile. */
export const KEYCHAIN_SERVICE = 'clowdops'

export const StoredTokens = z.object({
  kind: z.enum(['personal_access_token', 'oauth']),
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_at: z.iso.datetime().optional(),
  scopes: z.array(z.string()).default([]),
})
export type StoredTokens = z.infer<typeof StoredTokens>

export type TokenSource = 'env' | 'keychain' | 'file'

/** One place a profile's tokens can be kept: the OS keychain, or the --insecure-storage file. */
export interface TokenVault {
  readonly kind: Exclude<TokenSource, 'env'>
  read(profile: string): Promise<Secret | undefined>
  write(profile: string, value: Secret): Promise<void>
  delete(profile: string): Promise<boolean>
  /** Fails where `write` would fail for want of a usable keychain, writing nothing: asked before a sign-in starts. */
  checkWritable(profile: string): Promise<void>
}

export function sealTokens(tokens: StoredTokens): Secret {
  return new Secret(JSON.stringify(tokens))
}

export function openTokens(secret: Secret, where: string): StoredTokens {
  let json: unknown
  try {
    json = JSON.parse(secret.reveal())
  } catch {
    // A bare token stored by hand (e.g. with `secret-tool`) is a personal access token.
    return { kind: 'personal_access_token', access_token: secret.reveal(), scopes: [] }
  }
  const parsed = StoredTokens.safeParse(json)
  if (!parsed.success) {
    throw new ConfigError(`The stored sign-in in ${where} is unreadable.`, { hint: 'Run clowdops logout, then clowdops login.' })
  }
  return parsed.data
}

/** Refresh this long before expiry, so a token never expires in flight. */
export const REFRESH_MARGIN_MS = 60_000

export function needsRefresh(tokens: StoredTokens, now: Date): boolean {
  return tokens.expires_at !== undefined && Date.parse(tokens.expires_at) - REFRESH_MARGIN_MS <= now.getTime()
}
