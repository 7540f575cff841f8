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
