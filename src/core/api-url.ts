// Which API URL a command talks to, and the rule that plaintext HTTP is for loopback only.
import { DEFAULT_API_URL } from './contract/conventions.js'
import { RefusedError, UsageError } from './errors.js'

export type ApiUrlSource = 'flag' | 'env' | 'profile' | 'default'

export interface ResolvedApiUrl {
  url: string
  source: ApiUrlSource
}

/** `--api-url` > `CLOWDOPS_API_URL` > the profile > the public platform. */
export function resolveApiUrl(candidates: {
  flag?: string | undefined
  env?: string | undefined
  profile?: string | undefined
}): ResolvedApiUrl {
  const [url, source]: [string, ApiUrlSource] = candidates.flag
    ? [candidates.flag, 'flag']
    : candidates.env
      ? [candidates.env, 'env']
      : candidates.profile
        ? [candidates.profile, 'profile']
        : [DEFAULT_API_URL, 'default']
  return { url: normaliseApiUrl(url, source), source }
}

const ORIGIN_OF: Record<ApiUrlSource, string> = {
  flag: '--api-url',
  env: 'CLOWDOPS_API_URL',
  profile: 'the profile setting api_url',
  default: 'the default API URL',
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}

/** Parse, require https (or http on loopback), drop any trailing slash. Throws before anything is sent. */
export function normaliseApiUrl(raw: string, source: ApiUrlSource = 'flag'): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new UsageError(`${ORIGIN_OF[source]} is not a URL: ${JSON.stringify(raw)}.`, {
      hint: 'Give a full URL such as https://platform.clowdops.ai.',
    })
  }
  if (url.username || url.password) {
    throw new UsageError(`${ORIGIN_OF[source]} must not carry credentials in the URL.`, {
      hint: 'Remove the user:password@ part; tokens go in CLOWDOPS_TOKEN.',
    })
  }
  assertSecureUrl(url, ORIGIN_OF[source])
  return url.toString().replace(/\/+$/, '')
}

export function assertSecureUrl(url: URL, origin = 'The URL'): void {
  if (url.protocol === 'https:') return
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return
  throw new RefusedError(`${origin} uses ${url.protocol}//${url.host}: only https:// is allowed (plain http only on loopback).`, {
    code: 'insecure_url',
    hint: `Use https://${url.host}${url.pathname === '/' ? '' : url.pathname}.`,
  })
}
