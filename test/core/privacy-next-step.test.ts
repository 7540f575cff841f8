// The next step shown under a request: for the signed-in person's own request, and for one made for someone else.
import { describe, expect, it } from 'vitest'
import type { PrivacyRequest } from '../../src/core/contract/index.js'
import { nextStep } from '../../src/core/privacy/requests.js'
import { privacyRequest } from '../support/privacy-fakes.js'

function completed(fields: Pick<PrivacyRequest, 'type' | 'batch_id'>): PrivacyRequest {
  const attestation = fields.batch_id === null ? null : { method: 'government_id' as const, attested_by: 'privacy-team@example.com' }
  return privacyRequest({ id: '8f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b', status: 'completed', format: null, version: 3, attestation, ...fields })
}

describe('nextStep of a completed erasure', () => {
  it('tells the person whose account it was to clear this machine’s sign-in', () => {
    expect(nextStep(completed({ type: 'erasure', batch_id: null }))).toContain('clowdops logout')
    expect(nextStep(completed({ type: 'ccpa_delete', batch_id: null }))).toContain('clowdops logout')
  })

  it('tells an administrator who erased someone else’s account nothing of the kind', () => {
    expect(nextStep(completed({ type: 'erasure', batch_id: 'file-0123' }))).toBeNull()
    expect(nextStep(completed({ type: 'ccpa_delete', batch_id: 'file-0123' }))).toBeNull()
  })
})

describe('nextStep of a denied request, by what its law allows next', () => {
  const denied = (fields: Partial<PrivacyRequest>) => privacyRequest({ id: '8f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b', status: 'denied', reason: 'no match', ...fields })

  it('offers the appeal a US state law grants, the complaint the UK provides, the regulator elsewhere', () => {
    expect(nextStep(denied({ regulation: 'us_co' }))).toContain('Colorado Privacy Act lets you appeal: clowdops privacy appeal 8f1d2c3b')
    expect(nextStep(denied({ regulation: 'uk_gdpr' }))).toContain('clowdops privacy complain 8f1d2c3b')
    expect(nextStep(denied({ regulation: 'gdpr' }))).toContain('data protection authority')
    expect(nextStep(denied({ regulation: 'us_ut' }))).not.toContain('appeal')
  })

  it('says a CCPA deletion it could not verify became an opt-out, and an appeal denied goes to the regulator', () => {
    expect(nextStep(denied({ type: 'ccpa_delete', regulation: 'ccpa', handled_as: 'ccpa_opt_out' }))).toContain('opted out of sale and sharing instead')
    expect(nextStep(denied({ kind: 'appeal', regarding: '1f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b', regulation: 'us_tx' }))).toContain('Texas, US regulator')
  })
})
