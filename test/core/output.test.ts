import { describe, expect, it } from 'vitest'
import { colorLevel } from '../../src/adapters/terminal.js'
import { makeColors, renderTable } from '../../src/cli/output.js'

describe('colour', () => {
  it('is on for a terminal, off for a pipe, off with NO_COLOR, and FORCE_COLOR wins over both', () => {
    expect(colorLevel({}, { isTTY: true })).toBeGreaterThan(0)
    expect(colorLevel({}, { isTTY: false })).toBe(0)
    expect(colorLevel({ NO_COLOR: '1' }, { isTTY: true })).toBe(0)
    expect(colorLevel({ TERM: 'dumb' }, { isTTY: true })).toBe(0)
    expect(colorLevel({ FORCE_COLOR: '1' }, { isTTY: false })).toBe(1)
    expect(colorLevel({ FORCE_COLOR: '3', NO_COLOR: '1' }, { isTTY: false })).toBe(3)
    expect(colorLevel({ FORCE_COLOR: '0' }, { isTTY: true })).toBe(0)
  })
})

describe('tables', () => {
  it('aligns columns by visible width, ignoring colour codes', () => {
    const colors = makeColors(colorLevel({ FORCE_COLOR: '1' }, {}))
    const rows = [
      { id: 'a', name: 'short' },
      { id: 'bbbb', name: 'longer name' },
    ]
    const text = renderTable(rows, [{ header: 'id', get: (r) => colors.red(r.id) }, { header: 'name', get: (r) => r.name }], colors, 'none')
    const plain = text.replace(/\u001b\[[0-9;]*m/g, '').split('\n')
    expect(plain).toEqual(['ID    NAME', 'a     short', 'bbbb  longer name'])
  })
})
