import { describe, expect, it } from 'vitest'
import { BatchItem } from '../../src/core/contract/index.js'
import type { CheckedRow, RawRow } from '../../src/core/bulk/model.js'
import {
  INVALID_ROW_CODES,
  REQUEST_ID_NAMESPACE,
  checkColumns,
  checkRow,
  duplicateKeyOf,
  normaliseEmail,
  requestIdFor,
  sha256Hex,
  uuidV5,
  type RowContext,
} from '../../src/core/bulk/rows.js'
import { SeenKeys } from '../../src/core/bulk/seen-keys.js'
import { URL_NAMESPACE } from '../../src/core/bulk/uuid.js'

const context: RowContext = { orgId: 'org_1', batchId: 'batch-a' }
const raw = (fields: Record<string, unknown>, line = 2): RawRow => ({ line, row: line - 1, fields })
const check = (fields: Record<string, unknown>, ctx = context): CheckedRow => checkRow(raw(fields), ctx)
const valid = (fields: Record<string, unknown>, ctx = context) => {
  const checked = check(fields, ctx)
  if (!checked.ok) throw new Error(`expected valid, got ${checked.row.code}: ${checked.row.reason}`)
  return checked.row
}
const codeOf = (fields: Record<string, unknown>) => {
  const checked = check(fields)
  return checked.ok ? 'ok' : checked.row.code
}

describe('uuidV5', () => {
  it('matches the RFC 4122 vector: www.example.com in the DNS namespace', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2')
  })

  it('derives the request-id namespace as documented', () => {
    expect(uuidV5(URL_NAMESPACE, 'https://platform.clowdops.ai/bulk/request-id')).toBe(REQUEST_ID_NAMESPACE)
  })

  it('gives ids stable across runs and distinct per batch, request_id, type and organisation', () => {
    const id = requestIdFor('org_1', 'email:ada@example.com', 'erasure', 'batch-a')
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(requestIdFor('org_1', 'email:ada@example.com', 'erasure', 'batch-a')).toBe(id)
    expect(requestIdFor('org_1', 'email:ada@example.com', 'erasure', 'batch-b')).not.toBe(id)
    expect(requestIdFor('org_1', 'email:ada@example.com', 'access', 'batch-a')).not.toBe(id)
    expect(requestIdFor('org_2', 'email:ada@example.com', 'erasure', 'batch-a')).not.toBe(id)
  })

  it('never changes its ids: a new id for the same row would create its request a second time on a rerun', () => {
    // The name is the four parts joined by newlines, in UTF-8.
    expect(requestIdFor('org_1', 'email:ada@example.com', 'erasure', 'batch-a')).toBe('93cf2de3-4bba-56b0-86ae-783b27365aac')
    expect(requestIdFor('org_ü', 'email:zoë@exämple.com', 'access', 'file-1')).toBe('262bcdc0-4843-5919-a489-2f437bd82222')
    expect(requestIdFor('org_ü', 'email:zoë@exämple.com', 'access', 'file-1')).toBe(uuidV5(REQUEST_ID_NAMESPACE, 'org_ü\nemail:zoë@exämple.com\naccess\nfile-1'))
    // A name longer than the scratch buffer it is hashed in (pinned from the implementation before this one).
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', `${'x'.repeat(5000)}😀`)).toBe('abacbc3d-6d26-5ece-b304-594b6cd60726')
  })
})

describe('checkRow', () => {
  it('reads received_at and channel columns into the item, leaving the row\'s id as it was without them', () => {
    const plain = valid({ type: 'access', email: 'ada@example.com', regulation: 'us_tx' })
    const dated = valid(
      { type: 'access', email: 'ada@example.com', regulation: 'us_tx', received_at: '2026-11-30T09:15:00+01:00', channel: 'Web form' },
      { ...context, nowMs: Date.parse('2026-12-01T00:00:00Z') },
    )
    expect(dated.item.id).toBe(plain.item.id)
    expect(dated.item).toMatchObject({ received_at: '2026-11-30T08:15:00.000Z', channel: 'web_form' })
    expect(valid({ type: 'access', email: 'ada@example.com', received_at: '2026-11-30' }).item.received_at).toBe('2026-11-30T00:00:00.000Z')
  })

  it('refuses a received_at that is not a time, in the future, or before the row\'s law took effect, naming the column', () => {
    const ctx = { ...context, nowMs: Date.parse('2026-12-01T00:00:00Z') }
    const reasonOf = (fields: Record<string, unknown>) => {
      const checked = check({ type: 'access', email: 'ada@example.com', ...fields }, ctx)
      return checked.ok ? 'ok' : `${checked.row.code}: ${checked.row.reason}`
    }
    expect(reasonOf({ received_at: 'last monday' })).toMatch(/^invalid_field: received_at "last monday" is not a date/)
    expect(reasonOf({ received_at: '2026-12-02' })).toMatch(/^invalid_field: received_at "2026-12-02" is in the future/)
    expect(reasonOf({ regulation: 'us_ky', received_at: '2025-12-31' })).toMatch(/before Kentucky CDPA took effect \(2026-01-01\)/)
    expect(reasonOf({ channel: 'carrier pigeon' })).toMatch(/^invalid_field: channel "carrier pigeon" is not one of email, web_form/)
  })

  it('normalises a valid row, fills the default regulation and builds a BatchItem', () => {
    const row = valid({ type: ' Erasure ', email: '  Ada.Lovelace@Example.COM ', note: ' offboarded ' })
    expect(row.item).toEqual({
      id: requestIdFor('org_1', 'email:Ada.Lovelace@example.com', 'erasure', 'batch-a'),
      type: 'erasure',
      regulation: 'gdpr',
      subject: { email: 'Ada.Lovelace@example.com' },
      note: 'offboarded',
    })
    expect(row.identityKey).toBe('email:Ada.Lovelace@example.com')
    expect(row.identityKey).toBe('email:Ada.Lovelace@example.com')
    expect(sha256Hex(row.identityKey)).toMatch(/^[0-9a-f]{64}$/)
    expect(BatchItem.safeParse(row.item).success).toBe(true)
    expect({ line: row.line, row: row.row }).toEqual({ line: 2, row: 1 })
  })

  it('defaults CCPA types to ccpa and accepts uk_gdpr for GDPR types', () => {
    expect(valid({ type: 'ccpa_delete', account_id: 'usr_abcdefgh' }).item.regulation).toBe('ccpa')
    expect(valid({ type: 'access', account_id: 'usr_abcdefgh', regulation: 'UK_GDPR' }).item.regulation).toBe('uk_gdpr')
  })

  it('keys identity by email when there is one, else by account id', () => {
    const both = valid({ type: 'access', email: 'a@x.io', account_id: 'usr_abcdefgh' })
    expect(both.identityKey).toBe('email:a@x.io')
    expect(both.item.subject).toEqual({ email: 'a@x.io', account_id: 'usr_abcdefgh' })
    expect(valid({ type: 'access', account_id: 'usr_abcdefgh' }).identityKey).toBe('account:usr_abcdefgh')
  })

  it('scopes the id by request_id when given (same across batches), else by batch id', () => {
    const fields = { type: 'access', email: 'a@x.io' }
    expect(valid(fields).item.id).not.toBe(valid(fields, { ...context, batchId: 'batch-b' }).item.id)
    const requestId = '0b6a2f4e-8a7c-4f55-9d1e-2f3b5c6d7e8f'
    const a = valid({ ...fields, request_id: requestId.toUpperCase() })
    const b = valid({ ...fields, request_id: requestId }, { ...context, batchId: 'batch-b' })
    expect(a.item.id).toBe(b.item.id)
    expect(a.item.id).toBe(requestIdFor('org_1', 'email:a@x.io', 'access', requestId))
  })

  it('reads restriction purposes separated by ; or | (or a JSON array) and rectification set_ columns', () => {
    expect(valid({ type: 'restriction', email: 'a@x.io', purposes: 'marketing; Profiling|marketing' }).item.processing).toEqual({
      purposes: ['marketing', 'profiling'],
    })
    expect(valid({ type: 'objection', email: 'a@x.io', purposes: ['analytics'] }).item.processing).toEqual({ purposes: ['analytics'] })
    expect(valid({ type: 'rectification', email: 'a@x.io', set_name: 'Ada L', set_email: 'New@EXAMPLE.com', set_phone: '' }).item.rectification).toEqual({
      changes: [
        { field: 'name', value: 'Ada L' },
        { field: 'email', value: 'New@example.com' },
      ],
    })
    expect(valid({ type: 'portability', email: 'a@x.io', format: 'TAR.GZ' }).item.format).toBe('tar.gz')
  })

  it('treats empty strings and JSON null as absent', () => {
    expect(valid({ type: 'access', email: '', account_id: 'usr_abcdefgh', note: '', format: null }).item).not.toHaveProperty('note')
  })

  const table: [string, Record<string, unknown>, string][] = [
    ['unknown column', { type: 'access', email: 'a@x.io', colour: 'red' }, 'unknown_field'],
    ['no type', { email: 'a@x.io' }, 'missing_field'],
    ['blank type', { type: '  ', email: 'a@x.io' }, 'missing_field'],
    ['no email nor account_id', { type: 'access' }, 'missing_field'],
    ['restriction without purposes', { type: 'restriction', email: 'a@x.io' }, 'missing_field'],
    ['rectification without changes', { type: 'rectification', email: 'a@x.io' }, 'missing_field'],
    ['unknown type', { type: 'delete_everything', email: 'a@x.io' }, 'unknown_type'],
    ['unknown regulation', { type: 'access', regulation: 'hipaa', email: 'a@x.io' }, 'invalid_regulation'],
    ['regulation not fitting the type', { type: 'erasure', regulation: 'ccpa', email: 'a@x.io' }, 'invalid_regulation'],
    ['bad email', { type: 'access', email: 'not-an-email' }, 'invalid_email'],
    ['bad set_email', { type: 'rectification', email: 'a@x.io', set_email: 'nope' }, 'invalid_email'],
    ['bad account id', { type: 'access', account_id: 'user_1' }, 'invalid_account_id'],
    ['bad request id', { type: 'access', email: 'a@x.io', request_id: 'abc' }, 'invalid_request_id'],
    ['format on a non-export type', { type: 'erasure', email: 'a@x.io', format: 'zip' }, 'invalid_field'],
    ['unknown format', { type: 'access', email: 'a@x.io', format: 'rar' }, 'invalid_field'],
    ['unknown purpose', { type: 'objection', email: 'a@x.io', purposes: 'marketing;spam' }, 'invalid_field'],
    ['purposes on the wrong type', { type: 'access', email: 'a@x.io', purposes: 'marketing' }, 'invalid_field'],
    ['set_ on the wrong type', { type: 'access', email: 'a@x.io', set_name: 'x' }, 'invalid_field'],
    ['a JSON number', { type: 'access', email: 'a@x.io', note: 42 }, 'invalid_field'],
    ['a JSON boolean type', { type: true, email: 'a@x.io' }, 'invalid_field'],
    ['a non-string purpose', { type: 'objection', email: 'a@x.io', purposes: ['marketing', 3] }, 'invalid_field'],
    ['control characters in type', { type: 'acc\u0000ess', email: 'a@x.io' }, 'invalid_field'],
    ['note over 2000', { type: 'access', email: 'a@x.io', note: 'n'.repeat(2001) }, 'field_too_long'],
    ['set_name over 500', { type: 'rectification', email: 'a@x.io', set_name: 'n'.repeat(501) }, 'field_too_long'],
    ['a 100 KB type', { type: 'x'.repeat(100_000), email: 'a@x.io' }, 'field_too_long'],
  ]
  it.each(table)('refuses %s with a stable code', (_name, fields, code) => {
    expect(codeOf(fields)).toBe(code)
  })

  it('reports unreadable records, and every code is in the published list', () => {
    const checked = checkRow({ line: 7, row: 3, error: 'broken quote' }, context)
    expect(checked).toEqual({ ok: false, row: { line: 7, row: 3, code: 'unreadable', reason: 'broken quote' } })
    for (const [, fields] of table) expect(INVALID_ROW_CODES).toContain(codeOf(fields))
    expect(new Set(table.map(([, , code]) => code)).size + 1).toBe(INVALID_ROW_CODES.length)
  })

  it('never echoes a huge value or a personal one in the reason', () => {
    const long = check({ type: `${'x'.repeat(90)}`, email: 'a@x.io' })
    expect(long.ok).toBe(false)
    if (!long.ok) expect(long.row.reason.length).toBeLessThan(300)
    const email = check({ type: 'access', email: 'secret-person@@example' })
    if (!email.ok) expect(email.row.reason).not.toContain('secret-person')
  })

  it('never throws, whatever it is given', () => {
    const junk: unknown[] = [null, undefined, 42, 'x', [], { line: 1 }, { line: 1, row: 1, fields: null }, { line: 1, row: 1, fields: [1] }]
    for (const value of junk) {
      const checked = checkRow(value as RawRow, context)
      expect(checked.ok).toBe(false)
    }
    const hostile = { line: 1, row: 1, fields: JSON.parse('{"__proto__": {"x": 1}, "type": "access", "email": "a@x.io"}') as Record<string, unknown> }
    expect(checkRow(hostile, context).ok).toBe(false)
  })
})

describe('checkColumns', () => {
  it('returns the unknown columns once each, in order', () => {
    expect(checkColumns(['type', 'email', 'colour', 'set_name', 'size', 'colour'])).toEqual(['colour', 'size'])
    expect(checkColumns(['type', 'regulation', 'email', 'account_id', 'request_id', 'format', 'note', 'purposes'])).toEqual([])
  })
})

describe('normaliseEmail', () => {
  it('trims, lowercases the domain and keeps the local part', () => {
    expect(normaliseEmail(' Ada@Example.COM ')).toBe('Ada@example.com')
    expect(normaliseEmail('nope')).toBeUndefined()
    expect(normaliseEmail('@example.com')).toBeUndefined()
  })
})

describe('SeenKeys', () => {
  it('remembers the first line of each key', () => {
    const seen = new SeenKeys()
    expect(seen.seenAt('a', 2)).toBeUndefined()
    expect(seen.seenAt('b', 3)).toBeUndefined()
    expect(seen.seenAt('a', 9)).toBe(2)
    seen.add('c', 10)
    seen.add('c', 11)
    expect(seen.firstLineOf('c')).toBe(10)
    expect(seen.firstLineOf('d')).toBeUndefined()
    expect(seen.size).toBe(3)
  })

  it('keys duplicates by the request id: identity, type and scope, whatever the regulation', () => {
    const a = valid({ type: 'access', email: 'a@x.io' })
    const b = valid({ type: 'access', email: 'a@x.io', regulation: 'uk_gdpr' })
    expect(b.item.id).toBe(a.item.id)
    expect(duplicateKeyOf(a)).toBe(duplicateKeyOf(b))
    expect(duplicateKeyOf(a)).toBe(duplicateKeyOf(valid({ type: 'ACCESS', email: 'a@X.IO' })))
    expect(duplicateKeyOf(a)).not.toBe(duplicateKeyOf(valid({ type: 'portability', email: 'a@x.io' })))
    // A row's own request_id names its own request: two of them are two requests.
    const own = (id: string) => valid({ type: 'access', email: 'a@x.io', request_id: id })
    expect(duplicateKeyOf(own('0f8fad5b-d9cb-469f-a165-70867728950e'))).not.toBe(duplicateKeyOf(own('7c9e6679-7425-40de-944b-e07fc1f90ae7')))
  })

  it('holds a million distinct keys in tens of MB without a false duplicate, growing a little at a time', () => {
    const before = process.memoryUsage()
    const seen = new SeenKeys()
    const n = 1_000_000
    let falsePositives = 0
    // The largest single allocation: while a table doubles, its old and new arrays are both alive.
    let largestStep = 0
    let bytes = seen.bytes
    for (let i = 1; i <= n; i++) {
      if (seen.seenAt(`email:person${i}@example.com\u0000erasure\u0000gdpr`, i) !== undefined) falsePositives++
      if (seen.bytes !== bytes) {
        largestStep = Math.max(largestStep, seen.bytes - bytes)
        bytes = seen.bytes
      }
    }
    const after = process.memoryUsage()
    // One table would double from 12 to 24 MB at the end; 64 tables grow by at most a 32nd of the whole at a time.
    expect(largestStep).toBeLessThanOrEqual(seen.bytes / 32)
    expect(falsePositives).toBe(0)
    expect(seen.size).toBe(n)
    expect(seen.firstLineOf('email:person123456@example.com\u0000erasure\u0000gdpr')).toBe(123_456)
    expect(seen.bytes).toBeLessThanOrEqual(32 * 1024 * 1024)
    const grew = (after.arrayBuffers - before.arrayBuffers) / 1024 / 1024
    console.log(`SeenKeys: 1e6 keys in ${(seen.bytes / 1024 / 1024).toFixed(1)} MB of tables; arrayBuffers grew ${grew.toFixed(1)} MB, heap ${((after.heapUsed - before.heapUsed) / 1024 / 1024).toFixed(1)} MB`)
    expect(grew).toBeLessThan(64)
  })
})

describe('a valid row is a valid batch item', () => {
  // checkRow does not parse its result with the contract's schema again (too costly per row): this holds it to it.
  it('whatever mix of fields a row has, every row checkRow accepts satisfies BatchItem', async () => {
    const fc = (await import('fast-check')).default
    // Mostly absent, so that rows of every type come out valid often enough, yet every mix of fields is reached.
    const maybe = <T>(arb: import('fast-check').Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: arb, weight: 1 })
    const value = (...pool: string[]) => fc.constantFrom(...pool)
    const row = fc.record({
      type: fc.option(value('access', 'portability', 'erasure', 'rectification', 'restriction', 'objection', 'ccpa_know', 'ccpa_delete', 'ccpa_opt_out', 'Access ', 'nope'), { nil: undefined }),
      regulation: maybe(value('gdpr', 'uk_gdpr', 'ccpa', 'GDPR', 'hipaa', '')),
      email: fc.option(value('ada@example.com', ' Ada@EXAMPLE.com ', 'not-an-email', 'a@b', ''), { nil: undefined }),
      account_id: maybe(value('usr_abcdefgh12', 'usr_x', 'org_abcdefgh12')),
      request_id: maybe(value('5b0f6c1e-8a47-4c1a-9e55-0c5f2a1d9b7e', 'not-a-uuid')),
      format: maybe(value('zip', 'tar.gz', 'rar')),
      note: maybe(fc.string({ maxLength: 30 })),
      purposes: maybe(value('analytics', 'analytics;profiling', 'marketing|personalisation', 'cookies', '')),
      set_name: maybe(fc.string({ maxLength: 10 })),
      set_email: maybe(value('new@example.com', 'bad')),
      set_country: maybe(value('FR', '')),
    })
    let accepted = 0
    fc.assert(
      fc.property(row, (fields) => {
        const checked = check(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)))
        if (!checked.ok) return
        accepted += 1
        expect(BatchItem.safeParse(checked.row.item).error?.issues).toBeUndefined()
      }),
      { numRuns: 2000 },
    )
    expect(accepted).toBeGreaterThan(50) // the generator does reach valid rows of many shapes
  })
})
