// A whole PrivacyRequest as the platform returns one, for unit tests of core: the fields a test names, the rest plain.
import type { PrivacyRequest } from '../../src/core/contract/index.js'

/** An access request of the signed-in account, stamped `at`, with `fields` on top. */
export function privacyRequest(fields: Partial<PrivacyRequest> & Pick<PrivacyRequest, 'id'>, at = '2026-11-27T12:00:00.000Z'): PrivacyRequest {
  return {
    kind: 'request',
    regarding: null,
    type: 'access',
    regulation: 'gdpr',
    subject: { account_id: 'usr_1', email: 'ada@example.com' },
    attestation: null,
    batch_id: null,
    status: 'received',
    reason: null,
    format: 'zip',
    rectification: null,
    processing: null,
    verification: null,
    created_at: at,
    channel: null,
    received_at: at,
    legal_due_at: null,
    promised_due_at: null,
    due_at: null,
    due_basis: null,
    days_left: null,
    extension: null,
    handled_as: null,
    acknowledged_at: null,
    clarifications: [],
    clock_paused_since: null,
    grace_period_ends_at: null,
    completed_at: null,
    updated_at: at,
    version: 1,
    ...fields,
  }
}
