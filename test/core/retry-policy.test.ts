import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { defaultRetryPolicy, isSafeToRepeat, parseRetryAfter, retryDelayMs } from '../../src/core/retry-policy.js'

describe('retry policy', () => {
  it('backs off exponentially with jitter inside [ceiling/2, ceiling], never above the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, random) => {
        const delay = retryDelayMs(attempt, undefined, defaultRetryPolicy, () => random)!
        const ceiling = Math.min(defaultRetryPolicy.maxDelayMs, defaultRetryPolicy.baseDelayMs * 2 ** (attempt - 1))
        expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2))
        expect(delay).toBeLessThanOrEqual(ceiling)
      }),
    )
  })

  it('waits exactly what Retry-After asks, and gives up when it asks for more than the cap', () => {
    expect(retryDelayMs(1, 3000, defaultRetryPolicy)).toBe(3000)
    expect(retryDelayMs(1, defaultRetryPolicy.maxRetryAfterMs + 1, defaultRetryPolicy)).toBeUndefined()
  })

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = new Date('2026-11-26T12:00:00Z')
    expect(parseRetryAfter('7', now)).toBe(7000)
    expect(parseRetryAfter('Thu, 26 Nov 2026 12:00:30 GMT', now)).toBe(30_000)
    expect(parseRetryAfter('Thu, 26 Nov 2026 11:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
  })

  it('repeats POST and PATCH only with an Idempotency-Key', () => {
    expect(isSafeToRepeat('GET', false)).toBe(true)
    expect(isSafeToRepeat('POST', false)).toBe(false)
    expect(isSafeToRepeat('PATCH', false)).toBe(false)
    expect(isSafeToRepeat('POST', true)).toBe(true)
  })
})
