// Where the API token comes from. Until sign-in lands: CLOWDOPS_TOKEN only.
import { Secret } from './secret.js'

export type TokenSource = 'env'

export interface ResolvedToken {
  token: Secret
  source: TokenSource
}

export function tokenFromEnv(env: Record<string, string | undefined>): ResolvedToken | undefined {
  const value = env.CLOWDOPS_TOKEN?.trim()
  return value ? { token: new Secret(value), source: 'env' } : undefined
}
