import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { openBulkInput } from '../../src/adapters/bulk-input.js'
import type { RawRow, UnreadableRow } from '../../src/core/bulk/model.js'
import { checkRow } from '../../src/core/bulk/rows.js'
import { UsageError } from '../../src/core/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'clowdops-bulk-property-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const context = { orgId: 'org_1', batchId: 'batch-1' }
const RUNS = Number(process.env['BULK_PROPERTY_RUNS'] ?? 200)
let counter = 0

/** Reads a temp file back; a refused header (UsageError) counts as zero rows. Anything else thrown fails the property. */
async function readBack(content: string, name: string): Promise<(RawRow | UnreadableRow)[] | 'refused'> {
  const path = join(dir, `${counter++}-${name}`)
  writeFileSync(path, content)
  try {
    const input = await openBulkInput({ path })
    const rows: (RawRow | UnreadableRow)[] = []
    for await (const row of input.rows()) rows.push(row)
    return rows
  } catch (error) {
    if (error instanceof UsageError) return 'refused'
    throw error
  }
}

function expectOneCheckedRowEach(rows: (RawRow | UnreadableRow)[]): void {
  rows.forEach((row, index) => {
    expect(row.row).toBe(index + 1)
    if (index > 0) expect(row.line).toBeGreaterThan(rows[index - 1]!.line)
    const checked = checkRow(row, context)
    expect(typeof checked.ok).toBe('boolean')
    expect(checked.row.row).toBe(row.row)
  })
}

const csvChar = fc.constantFrom(...'ab,"\r\n\uFEFF x'.split(''), 'é')
const field = fc.string({ unit: csvChar, maxLength: 12 })

describe('bulk input, property-based', () => {
  it('any CSV-ish text is read without throwing, and each row checks to exactly one CheckedRow', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: csvChar, maxLength: 200 }), async (text) => {
        const rows = await readBack(text, 'any.csv')
        if (rows !== 'refused') expectOneCheckedRowEach(rows)
      }),
      { numRuns: RUNS },
    )
  })

  it('well-formed CSV gives one row per record, with its fields and the line it starts on', async () => {
    const quote = (value: string) => (/[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value)
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }).chain((width) =>
          fc.tuple(
            fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: width, maxLength: width }),
            fc.array(fc.tuple(fc.array(field, { minLength: width, maxLength: width }), fc.constantFrom('\n', '\r\n'), fc.boolean()), {
              maxLength: 20,
            }),
          ),
        ),
        async ([header, records]) => {
          let text = `${header.join(',')}\n`
          let line = 2
          const expected: { line: number; fields: string[] }[] = []
          for (const [fields, newline, blankBefore] of records) {
            if (blankBefore) {
              text += newline
              line++
            }
            const encoded = fields.map(quote).join(',')
            text += encoded + newline
            if (fields.some((value) => value.trim() !== '')) expected.push({ line, fields })
            line += encoded.split(/\r\n|\n|\r/).length
          }
          const rows = await readBack(text, 'good.csv')
          expect(rows).not.toBe('refused')
          const got = (rows as (RawRow | UnreadableRow)[]).map((row) => ({ line: row.line, fields: 'fields' in row ? header.map((name) => row.fields[name]) : row.error }))
          expect(got).toEqual(expected)
          expectOneCheckedRowEach(rows as RawRow[])
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('JSONL: every non-blank line is exactly one row, object or not', async () => {
    const lineArb = fc.oneof(
      fc.dictionary(fc.constantFrom('type', 'email', 'account_id', 'purposes', 'note', 'x'), fc.jsonValue({ maxDepth: 2 })).map((value) => JSON.stringify(value)),
      fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value) ?? 'null'),
      fc.string({ unit: fc.constantFrom(...'{}[]",:ab \t\r'.split('')), maxLength: 30 }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(lineArb, { maxLength: 20 }), fc.constantFrom('\n', '\r\n'), async (lines, newline) => {
        const rows = await readBack(lines.join(newline), 'any.jsonl')
        expect(rows).not.toBe('refused')
        const nonBlank = lines.map((text, index) => ({ text, line: index + 1 })).filter(({ text }) => text.replace(/\r$/, '').trim() !== '')
        expect((rows as RawRow[]).map((row) => row.line)).toEqual(nonBlank.map(({ line }) => line))
        expectOneCheckedRowEach(rows as RawRow[])
      }),
      { numRuns: RUNS },
    )
  })
})
