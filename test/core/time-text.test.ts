import { describe, expect, it } from 'vitest'
import { expiryText, localTime, relativeAge, timeAndAge } from '../../src/core/time-text.js'

const now = new Date('2026-12-02T12:00:00Z')

describe('times for people', () => {
  it('shows the local clock with its zone, UTC labelled too', () => {
    expect(localTime('2026-12-02T12:34:56Z', 'UTC')).toBe('2026-12-02 12:34 UTC')
    expect(localTime('2026-12-02T12:34:56Z', 'Europe/Paris')).toBe('2026-12-02 13:34 GMT+1')
    expect(localTime('2026-07-01T23:30:00Z', 'America/New_York')).toBe('2026-07-01 19:30 EDT')
  })

  it('says how far ahead or behind, in the coarsest unit that still says something', () => {
    expect(relativeAge('2026-12-02T12:59:00Z', now)).toBe('in 59 min')
    expect(relativeAge('2026-12-02T10:00:00Z', now)).toBe('2 h ago')
    expect(relativeAge('2026-12-05T12:00:00Z', now)).toBe('in 3 days')
    expect(relativeAge('2026-12-02T12:00:20Z', now)).toBe('just now')
  })

  it('reads an expiry as one, ahead or past', () => {
    expect(expiryText('2026-12-02T12:59:00Z', now, 'UTC')).toBe('expires in 59 min (2026-12-02 12:59 UTC)')
    expect(expiryText('2026-12-02T10:00:00Z', now, 'UTC')).toBe('expired 2 h ago (2026-12-02 10:00 UTC)')
    expect(timeAndAge('2026-12-02T10:00:00Z', now, 'UTC')).toBe('2026-12-02 10:00 UTC (2 h ago)')
  })
})
