import { describe, expect, it } from 'vitest'
import { closest, editDistance } from '../../src/core/suggest.js'

describe('closest known word', () => {
  it('counts a swap of neighbours as one slip', () => {
    expect(editDistance('porjects', 'projects')).toBe(1)
    expect(editDistance('projcts', 'projects')).toBe(1)
    expect(editDistance('', 'abc')).toBe(3)
  })

  it('finds the closest within tolerance, case-insensitively', () => {
    expect(closest('AWS', ['aws', 'gcp', 'azure'])).toBe('aws')
    expect(closest('azur', ['aws', 'gcp', 'azure'])).toBe('azure')
    expect(closest('openia', ['openai', 'anthropic'])).toBe('openai')
  })

  it('offers nothing for a word far from every known one', () => {
    expect(closest('zzzzzz', ['aws', 'gcp', 'azure'])).toBeUndefined()
    expect(closest('x', ['aws'])).toBeUndefined()
  })
})
