import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { MAX_JSONL_LINE_BYTES, openBulkInput } from '../../src/adapters/bulk-input.js'
import type { RawRow, UnreadableRow } from '../../src/core/bulk/model.js'
import { UsageError } from '../../src/core/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'clowdops-bulk-input-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let counter = 0
function file(name: string, content: string | Buffer): string {
  const path = join(dir, `${counter++}-${name}`)
  writeFileSync(path, content)
  return path
}
async function readAll(path: string, format?: 'csv' | 'jsonl') {
  const input = await openBulkInput({ path, ...(format ? { format } : {}) })
  const rows: (RawRow | UnreadableRow)[] = []
  for await (const row of input.rows()) rows.push(row)
  return { input, rows }
}

describe('openBulkInput: CSV', () => {
  it('reads quoted commas, quoted newlines (with the line each record starts on), BOM, CRLF and blank lines', async () => {
    const csv =
      '\uFEFF Type ,EMAIL,Note\r\n' + // 1
      'access,a@x.io,"hello, world"\r\n' + // 2
      '\r\n' + // 3
      'erasure,b@x.io,"three\r\nline\nnote"\r\n' + // 4-6
      ',,\r\n' + // 7: only delimiters, skipped
      'objection,c@x.io,"say ""hi"""\r\n' // 8
    const { input, rows } = await readAll(file('a.csv', csv))
    expect(input.format).toBe('csv')
    expect(input.gzip).toBe(false)
    expect(input.columns).toEqual(['type', 'email', 'note'])
    expect(rows).toEqual([
      { line: 2, row: 1, fields: { type: 'access', email: 'a@x.io', note: 'hello, world' } },
      { line: 4, row: 2, fields: { type: 'erasure', email: 'b@x.io', note: 'three\r\nline\nnote' } },
      { line: 8, row: 3, fields: { type: 'objection', email: 'c@x.io', note: 'say "hi"' } },
    ])
  })

  it('reports a broken quote and a wrong column count as unreadable rows and reads on', async () => {
    const csv = ['type,email', 'access,a@x.io', 'access,"b@x.io"oops', 'access,c"d@x.io', 'access,e@x.io,extra', 'access,f@x.io', ''].join('\n')
    const { rows } = await readAll(file('broken.csv', csv))
    expect(rows.map((row) => ('error' in row ? `${row.line}:${row.row}:error` : `${row.line}:${row.row}:${String(row.fields['email'])}`))).toEqual([
      '2:1:a@x.io',
      '3:2:error',
      '4:3:error',
      '5:4:error',
      '6:5:f@x.io',
    ])
    expect((rows[3] as UnreadableRow).error).toBe('has 3 fields; the header has 2')
    expect((rows[1] as UnreadableRow).error).toMatch(/column 2/)
  })

  it('reports a quote that is never closed once, at the line it opens', async () => {
    const { rows } = await readAll(file('open.csv', 'type,email\naccess,a@x.io\naccess,"b@x.io\naccess,c@x.io\n'))
    expect(rows).toEqual([
      { line: 2, row: 1, fields: { type: 'access', email: 'a@x.io' } },
      { line: 3, row: 2, error: expect.stringMatching(/never closed/) },
    ])
  })

  it('reads a 100 KB field', async () => {
    const big = 'x'.repeat(100_000)
    const { rows } = await readAll(file('big.csv', `type,note\naccess,"${big}"\nerasure,small\n`))
    expect(rows.length).toBe(2)
    expect((rows[0] as RawRow).fields['note']).toBe(big)
    expect((rows[1] as RawRow).line).toBe(3)
  })

  it('a record longer than the limit is one unreadable row, and the records after it are read (lines still right)', async () => {
    const huge = 'y'.repeat(10 * 1024 * 1024)
    const csv = `type,email,note\naccess,a@x.io,"${huge}\r\nstill the note\nand more"\naccess,b@x.io,${huge}\r\naccess,c@x.io,small\n`
    const { input, rows } = await readAll(file('huge.csv', csv))
    expect(rows.map((row) => ('error' in row ? `${row.line}:${row.row}:error` : `${row.line}:${row.row}:${String(row.fields['email'])}`))).toEqual([
      '2:1:error',
      '5:2:error',
      '6:3:c@x.io',
    ])
    expect((rows[0] as UnreadableRow).error).toMatch(/longer than 4 MB/)
    expect(input.unread()).toBeUndefined()
  })

  it('says the input was not read to its end when a quote is never closed', async () => {
    const { input, rows } = await readAll(file('unclosed.csv', `type,email\naccess,a@x.io\naccess,"b@x.io\n${'access,c@x.io\n'.repeat(10)}`))
    expect(rows).toHaveLength(2)
    expect(input.unread()).toMatch(/line 3/)
    const complete = await readAll(file('complete.csv', 'type,email\naccess,a@x.io\n'))
    expect(complete.input.unread()).toBeUndefined()
  })

  it('reads gzip by its magic bytes, whatever the name', async () => {
    const { input, rows } = await readAll(file('data.bin', gzipSync('type,email\naccess,a@x.io\n')), 'csv')
    expect(input.gzip).toBe(true)
    expect(rows).toEqual([{ line: 2, row: 1, fields: { type: 'access', email: 'a@x.io' } }])
  })

  it('refuses a file without a header, and a header with a blank or repeated name', async () => {
    await expect(openBulkInput({ path: file('empty.csv', '\n\n') })).rejects.toBeInstanceOf(UsageError)
    await expect(openBulkInput({ path: file('blank.csv', 'type,,email\n') })).rejects.toThrow(/no name/)
    await expect(openBulkInput({ path: file('twice.csv', 'type,Email,email\n') })).rejects.toThrow(/twice/)
  })
})

describe('openBulkInput: JSONL', () => {
  it('reads objects line by line, CRLF tolerant, blank lines skipped, anything else unreadable', async () => {
    const text = '{"type":"access","email":"a@x.io"}\r\n\r\n  \n[1,2]\nnot json at all\n"text"\n{"type":"erasure","purposes":["x"]}'
    const { input, rows } = await readAll(file('a.jsonl', text))
    expect(input.format).toBe('jsonl')
    expect(input.columns).toBeUndefined()
    expect(rows).toEqual([
      { line: 1, row: 1, fields: { type: 'access', email: 'a@x.io' } },
      { line: 4, row: 2, error: expect.stringMatching(/not an object \(it is an array\)/) },
      { line: 5, row: 3, error: expect.stringMatching(/not valid JSON/) },
      { line: 6, row: 4, error: expect.stringMatching(/a string/) },
      { line: 7, row: 5, fields: { type: 'erasure', purposes: ['x'] } },
    ])
    expect((rows[2] as UnreadableRow).error).not.toContain('not json at all')
  })

  it('bounds the line length: an overlong line is one unreadable row and the next line is read', async () => {
    const long = `{"note":"${'y'.repeat(MAX_JSONL_LINE_BYTES + 10)}"}`
    const { rows } = await readAll(file('long.ndjson', `${long}\n{"type":"access"}\n`))
    expect(rows).toEqual([
      { line: 1, row: 1, error: expect.stringMatching(/longer than 1 MB/) },
      { line: 2, row: 2, fields: { type: 'access' } },
    ])
  })

  it('reads gzip JSONL named .jsonl.gz', async () => {
    const { input, rows } = await readAll(file('a.jsonl.gz', gzipSync('{"type":"access"}\n{"type":"erasure"}\n')))
    expect([input.format, input.gzip]).toEqual(['jsonl', true])
    expect(rows.length).toBe(2)
  })
})

describe('openBulkInput: format, stdin, hash, errors', () => {
  it('sniffs the format when neither the flag nor the name says', async () => {
    const formatOf = async (content: string | Buffer, name = 'data.txt', format?: 'csv' | 'jsonl') => {
      const input = await openBulkInput({ path: file(name, content), ...(format ? { format } : {}) })
      await input.close()
      return input.format
    }
    expect(await formatOf('\n  {"type":"access"}\n')).toBe('jsonl')
    expect(await formatOf('type,email\n')).toBe('csv')
    expect(await formatOf(gzipSync('\uFEFF{"type":"access"}\n'))).toBe('jsonl')
    expect(await formatOf('{"type":"access"}\n', 'data.csv', 'jsonl')).toBe('jsonl')
    expect(await formatOf('type\naccess\n', 'data.ndjson')).toBe('jsonl')
  })

  it('hashes the bytes of a file as they are, before any row is read', async () => {
    const bytes = gzipSync('type,email\naccess,a@x.io\n')
    const path = file('h.csv.gz', bytes)
    const input = await openBulkInput({ path })
    expect(await input.sha256()).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'))
    await input.close()
  })

  it('reads stdin, and knows its hash once the rows are read', async () => {
    const text = 'type,email\r\naccess,a@x.io\r\n'
    const stdin = Readable.from([Buffer.from(text.slice(0, 7)), Buffer.from(text.slice(7))])
    const input = await openBulkInput({ path: '-' }, stdin)
    const rows = []
    for await (const row of input.rows()) rows.push(row)
    expect(rows).toEqual([{ line: 2, row: 1, fields: { type: 'access', email: 'a@x.io' } }])
    expect(await input.sha256()).toBe(createHash('sha256').update(text).digest('hex'))
  })

  it('names the path of a file that cannot be read, as a usage error', async () => {
    const missing = join(dir, 'nope.csv')
    const error = await openBulkInput({ path: missing }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UsageError)
    expect((error as UsageError).exitCode).toBe(2)
    expect((error as UsageError).message).toContain(missing)
    await expect(openBulkInput({ path: dir })).rejects.toBeInstanceOf(UsageError)
  })

  it('turns a truncated gzip stream into a usage error while reading', async () => {
    const bytes = gzipSync(`type,email\n${'access,a@x.io\n'.repeat(5000)}`)
    const path = file('cut.csv.gz', bytes.subarray(0, bytes.length - 20))
    const error = await readAll(path).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UsageError)
    expect((error as UsageError).message).toContain(path)
  })
})
