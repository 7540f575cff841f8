// The law table and the deadlines counted from it: calendar days, business days, months, and what each law grants.
import { describe, expect, it } from 'vitest'
import { CreatePrivacyRequest, PRIVACY_LAWS, REGULATIONS, regulationsFor } from '../../src/core/contract/index.js'
import { addBusinessDays, legalDueAt } from '../../src/core/privacy/deadlines.js'

const at = (iso: string) => Date.parse(iso)
const iso = (ms: number) => new Date(ms).toISOString()

describe('the privacy law table', () => {
  it('keeps the existing ids and adds the US state laws in force in 2026, each with its effective date and source', () => {
    expect(REGULATIONS.slice(0, 3)).toEqual(['gdpr', 'uk_gdpr', 'ccpa'])
    for (const state of ['va', 'co', 'ct', 'ut', 'tx', 'or', 'mt', 'ia', 'de', 'ne', 'nh', 'nj', 'tn', 'mn', 'md', 'in', 'ky', 'ri']) {
      expect(REGULATIONS).toContain(`us_${state}`)
    }
    for (const regulation of REGULATIONS) {
      const law = PRIVACY_LAWS[regulation]
      expect(law.effective <= '2026-01-01', regulation).toBe(true)
      expect(law.source.length, regulation).toBeGreaterThan(5)
      expect(law.rights.length, regulation).toBeGreaterThan(0)
    }
  })

  it('derives which laws grant a right from the table: GDPR first for its rights, the CCPA alone for ccpa_*', () => {
    expect(regulationsFor('access')[0]).toBe('gdpr')
    expect(regulationsFor('ccpa_delete')).toEqual(['ccpa'])
    expect(regulationsFor('restriction')).toEqual(['gdpr', 'uk_gdpr'])
    // Utah and Iowa grant no right to correct.
    expect(regulationsFor('rectification')).not.toContain('us_ut')
    expect(regulationsFor('rectification')).not.toContain('us_ia')
    expect(regulationsFor('opt_out')).toContain('us_tx')
  })

  it('validates a request against the table: a right the law does not grant is refused, naming the regulation', () => {
    const refused = CreatePrivacyRequest.safeParse({ id: crypto.randomUUID(), type: 'rectification', regulation: 'us_ia' })
    expect(refused.success).toBe(false)
    expect(refused.error?.issues[0]).toMatchObject({ path: ['regulation'], message: expect.stringContaining('not us_ia') })
    expect(CreatePrivacyRequest.safeParse({ id: crypto.randomUUID(), type: 'erasure', regulation: 'us_ia' }).success).toBe(true)
  })
})

describe('legal deadlines', () => {
  it('counts one calendar month under (UK) GDPR, 31 January → the last day of February', () => {
    expect(iso(legalDueAt('gdpr', 'access', at('2027-01-31T10:00:00Z')))).toBe('2027-02-28T10:00:00.000Z')
    expect(iso(legalDueAt('uk_gdpr', 'access', at('2028-01-31T10:00:00Z')))).toBe('2028-02-29T10:00:00.000Z')
  })

  it('counts 45 days for the CCPA and most states, 90 for Iowa', () => {
    expect(iso(legalDueAt('ccpa', 'ccpa_know', at('2026-03-01T00:00:00Z')))).toBe('2026-04-15T00:00:00.000Z')
    expect(iso(legalDueAt('us_va', 'access', at('2026-03-01T00:00:00Z')))).toBe('2026-04-15T00:00:00.000Z')
    expect(iso(legalDueAt('us_ia', 'access', at('2026-03-01T00:00:00Z')))).toBe('2026-05-30T00:00:00.000Z')
  })

  it('counts California opt-outs in 15 business days, skipping weekends', () => {
    // Friday 6 March 2026 + 15 business days = Friday 27 March 2026.
    expect(iso(legalDueAt('ccpa', 'ccpa_opt_out', at('2026-03-06T09:00:00Z')))).toBe('2026-03-27T09:00:00.000Z')
    // Received on a Saturday: the first business day counted is Monday.
    expect(iso(addBusinessDays(at('2026-03-07T09:00:00Z'), 1))).toBe('2026-03-09T09:00:00.000Z')
  })
})
