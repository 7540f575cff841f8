import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isLoopbackHost, normaliseApiUrl, resolveApiUrl } from '../../src/core/api-url.js'
import { RefusedError, UsageError } from '../../src/core/errors.js'

describe('API URL', () => {
  it('prefers --api-url, then CLOWDOPS_API_URL, then the profile, then the public platform', () => {
    const all = { flag: 'https://a.example', env: 'https://b.example', profile: 'https://c.example' }
    expect(resolveApiUrl(all)).toEqual({ url: 'https://a.example', source: 'flag' })
    expect(resolveApiUrl({ ...all, flag: undefined })).toEqual({ url: 'https://b.example', source: 'env' })
    expect(resolveApiUrl({ profile: 'https://c.example/' })).toEqual({ url: 'https://c.example', source: 'profile' })
    expect(resolveApiUrl({})).toEqual({ url: 'https://platform.clowdops.ai', source: 'default' })
  })

  it('allows plain http only on loopback', () => {
    for (const ok of ['http://127.0.0.1:4010', 'http://localhost:1', 'http://[::1]:8080', 'http://127.9.9.9']) {
      expect(() => normaliseApiUrl(ok)).not.toThrow()
    }
    for (const bad of ['http://platform.clowdops.ai', 'http://10.0.0.1', 'http://127.0.0.1.evil.example', 'ftp://x.example']) {
      expect(() => normaliseApiUrl(bad)).toThrow(RefusedError)
    }
  })

  it('never treats a name that merely starts with a loopback address as loopback', () => {
    fc.assert(
      fc.property(fc.domain(), (domain) => {
        expect(isLoopbackHost(`127.0.0.1.${domain}`)).toBe(false)
        expect(isLoopbackHost(`localhost.${domain}`)).toBe(false)
      }),
    )
  })

  it('rejects non-URLs and URLs with credentials as usage errors', () => {
    expect(() => normaliseApiUrl('platform.clowdops.ai')).toThrow(UsageError)
    expect(() => normaliseApiUrl('https://user:pw@platform.clowdops.ai')).toThrow(UsageError)
  })
})
