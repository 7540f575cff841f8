// The clock of privacy requests on the local platform's virtual clock: each law's window, the platform's 30-day promise,
// extensions where the law allows them, and receipt times the organisation records.
import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { PrivacyRequest, type BatchItem, type CreatePrivacyRequest } from '../../src/core/contract/privacy.js'
import { connect as connectWire, expectProblem, usePlatform } from '../support/platform.js'
import type { Platform } from './server.js'

const DAY = 86_400_000
const ATTESTATION = { method: 'government_id', attested_by: 'privacy-desk@example.org' } as const

function client(platform: Platform, token = platform.token) {
  const api = connectWire(platform, token)
  return {
    ...api,
    /** The raw response to creating a request (the id doubles as the Idempotency-Key). */
    create: (fields: Omit<CreatePrivacyRequest, 'id'>) => {
      const id = randomUUID()
      return api.post('/v1/privacy/requests', { id, ...fields }, id)
    },
    async created(fields: Omit<CreatePrivacyRequest, 'id'>): Promise<PrivacyRequest> {
      const response = await this.create(fields)
      expect(response.status).toBe(201)
      return PrivacyRequest.parse(await response.json())
    },
    async verified(id: string): Promise<PrivacyRequest> {
      const response = await api.post(`/v1/privacy/requests/${id}/verification`, { code: platform.privacy.lastCode(id) })
      expect(response.status).toBe(200)
      return PrivacyRequest.parse(await response.json())
    },
    batch: (requests: BatchItem[]) => api.post('/v1/privacy/requests:batch', { batch_id: 'clock', attestation: ATTESTATION, requests }),
  }
}

describe('the clock of a privacy request', () => {
  const platform = usePlatform({ port: 0 })
  let api: ReturnType<typeof client>

  beforeAll(() => {
    api = client(platform())
  })

  const daysAgo = (days: number) => new Date(platform().privacy.now().getTime() - days * DAY).toISOString()

  it('dues an Iowa request at the 30 days promised, though the law allows 90', async () => {
    const request = await api.verified((await api.created({ type: 'access', regulation: 'us_ia' })).id)
    const received = Date.parse(request.received_at ?? '')
    expect(Date.parse(request.legal_due_at ?? '') - received).toBe(90 * DAY)
    expect(request).toMatchObject({ due_at: request.promised_due_at, due_basis: 'promise', days_left: 30 })
  })

  it('dues a GDPR request received on 31 January at the end of February: the law is sooner than the promise', async () => {
    const target = Date.UTC(platform().privacy.now().getUTCFullYear() + 1, 0, 31, 9, 0, 0)
    platform().privacy.advance(target - platform().privacy.now().getTime())
    const request = await api.verified((await api.created({ type: 'access', regulation: 'gdpr' })).id)
    expect(request).toMatchObject({ due_at: request.legal_due_at, due_basis: 'law' })
    expect(Date.parse(request.promised_due_at ?? '')).toBeGreaterThan(Date.parse(request.due_at ?? ''))
  })

  it('counts from received_at: received by email 3 days before it was entered, due 27 days after entry', async () => {
    const receivedAt = daysAgo(3)
    const request = await api.verified((await api.created({ type: 'access', regulation: 'us_tx', received_at: receivedAt, channel: 'email' })).id)
    expect(request).toMatchObject({ received_at: receivedAt, channel: 'email', due_basis: 'promise', days_left: 27 })
    expect(Date.parse(request.due_at ?? '') - Date.parse(receivedAt)).toBe(30 * DAY)
    expect(Date.parse(request.legal_due_at ?? '') - Date.parse(receivedAt)).toBe(45 * DAY)
  })

  it('starts a UK GDPR clock only once the identity is verified, even for a request received earlier', async () => {
    const created = await api.created({ type: 'access', regulation: 'uk_gdpr', received_at: daysAgo(5), channel: 'mail' })
    platform().privacy.advance(600_000)
    const request = await api.verified(created.id)
    expect(Date.parse(request.received_at ?? '') - Date.parse(created.created_at)).toBeGreaterThanOrEqual(600_000)
    // Under the GDPR the same request would count from its receipt, five days back.
    const fiveDaysAgo = daysAgo(5)
    const gdpr = await api.verified((await api.created({ type: 'access', regulation: 'gdpr', received_at: fiveDaysAgo })).id)
    expect(gdpr.received_at).toBe(fiveDaysAgo)
  })

  it('refuses a receipt time in the future, or before the law took effect, naming the field (422)', async () => {
    const future = new Date(platform().privacy.now().getTime() + DAY).toISOString()
    const tooSoon = await expectProblem(await api.create({ type: 'access', regulation: 'gdpr', received_at: future }), 422, 'received_in_future')
    expect(tooSoon.errors).toEqual([expect.objectContaining({ field: 'received_at' })])
    const beforeLaw = await expectProblem(await api.create({ type: 'access', regulation: 'us_ri', received_at: '2025-12-31T12:00:00Z' }), 422, 'received_before_law')
    expect(beforeLaw.detail).toContain('2026-01-01')
  })

  it('takes received_at and channel only from a token with privacy:admin (403 otherwise)', async () => {
    const writer = client(platform(), platform().issueToken(['privacy:read', 'privacy:write']))
    await expectProblem(await writer.create({ type: 'access', regulation: 'gdpr', channel: 'phone' }), 403, 'insufficient_scope')
  })

  it('takes received_at and channel on batch items, and rejects one item whose receipt time is in the future', async () => {
    const receivedAt = daysAgo(10)
    const good: BatchItem = { id: randomUUID(), type: 'access', regulation: 'us_co', subject: { email: 'clock-a@example.org' }, received_at: receivedAt, channel: 'web_form' }
    const future: BatchItem = { id: randomUUID(), type: 'access', regulation: 'us_co', subject: { email: 'clock-b@example.org' }, received_at: new Date(platform().privacy.now().getTime() + DAY).toISOString() }
    const response = await api.batch([good, future])
    expect(response.status).toBe(200)
    const { results } = (await response.json()) as { results: { outcome: string; error: { code: string; field: string } | null }[] }
    expect(results.map((r) => r.outcome)).toEqual(['accepted', 'rejected'])
    expect(results[1]?.error).toMatchObject({ code: 'received_in_future', field: 'received_at' })
    expect(await api.show(good.id)).toMatchObject({ received_at: receivedAt, channel: 'web_form', days_left: 20 })
  })

  it('extends only where the law allows, within the first period, and the extension and its reason are shown', async () => {
    const request = await api.verified((await api.created({ type: 'access', regulation: 'us_va' })).id)
    const extended = platform().privacy.extend(request.id, 45, 'records in three systems')
    expect(extended).toMatchObject({ due_basis: 'extension', extension: { days: 45, reason: 'records in three systems' } })
    expect(Date.parse(extended.due_at ?? '') - Date.parse(request.received_at ?? '')).toBe(90 * DAY)

    // Entered 46 days after it was received: the first 45 days are over, and so is the time to extend.
    const late = await api.verified((await api.created({ type: 'access', regulation: 'us_va', received_at: daysAgo(46) })).id)
    expect(late.days_left).toBe(-16)
    expect(() => platform().privacy.extend(late.id, 10, 'too late')).toThrow(/only within it/)
  })

  it('stops a UK GDPR clock while a needed clarification is pending, and the deadlines move on by exactly that time', async () => {
    const request = await api.verified((await api.created({ type: 'access', regulation: 'uk_gdpr' })).id)
    const asked = await api.post(`/v1/privacy/requests/${request.id}/clarifications`, { question: 'Which of your two accounts?' })
    expect(asked.status).toBe(200)
    const paused = PrivacyRequest.parse(await asked.json())
    expect(paused.clock_paused_since).not.toBeNull()
    expect(paused.clarifications).toEqual([expect.objectContaining({ question: 'Which of your two accounts?', answer: null, pauses_clock: true })])

    platform().privacy.advance(10 * DAY)
    const waiting = await api.show(request.id)
    // Work waits for the answer too: still received, and the days left have not gone down.
    expect(waiting).toMatchObject({ status: 'received', days_left: request.days_left })
    await expectProblem(await api.post(`/v1/privacy/requests/${request.id}/clarifications`, { question: 'again?' }), 409, 'clarification_pending')

    const answered = await api.post(`/v1/privacy/requests/${request.id}/clarifications:answer`, { message: 'The work one.' })
    expect(answered.status).toBe(200)
    const resumed = PrivacyRequest.parse(await answered.json())
    expect(resumed.clock_paused_since).toBeNull()
    expect(resumed.clarifications[0]).toMatchObject({ answer: 'The work one.', answered_at: expect.any(String) })
    const moved = Date.parse(resumed.due_at ?? '') - Date.parse(request.due_at ?? '')
    expect(Math.abs(moved - 10 * DAY)).toBeLessThan(2000)
    expect(Date.parse(resumed.legal_due_at ?? '') - Date.parse(request.legal_due_at ?? '')).toBe(moved)
    await expectProblem(await api.post(`/v1/privacy/requests/${request.id}/clarifications:answer`, { message: 'more' }), 409, 'no_clarification_pending')
  })

  it('records a question under the GDPR without stopping its clock, and only privacy:admin may ask', async () => {
    const request = await api.verified((await api.created({ type: 'access', regulation: 'gdpr' })).id)
    const asked = PrivacyRequest.parse(await (await api.post(`/v1/privacy/requests/${request.id}/clarifications`, { question: 'Which period?' })).json())
    expect(asked).toMatchObject({ clock_paused_since: null, due_at: request.due_at, clarifications: [expect.objectContaining({ pauses_clock: false })] })
    const writer = client(platform(), platform().issueToken(['privacy:read', 'privacy:write']))
    await expectProblem(await writer.post(`/v1/privacy/requests/${request.id}/clarifications`, { question: 'x' }), 403, 'insufficient_scope')
  })

  describe('appeals and complaints', () => {
    const appeal = (id: string, reason = 'please reconsider') => {
      const appealId = randomUUID()
      return api.post(`/v1/privacy/requests/${id}/appeals`, { id: appealId, reason }, appealId)
    }
    const complaint = (id: string) => {
      const complaintId = randomUUID()
      return api.post(`/v1/privacy/requests/${id}/complaints`, { id: complaintId, message: 'nobody answered' }, complaintId)
    }
    const denied = async (regulation: CreatePrivacyRequest['regulation']) => {
      const request = await api.verified((await api.created({ type: 'access', regulation })).id)
      return platform().privacy.deny(request.id, 'could not match the account')
    }

    it('opens an appeal of a denied Virginia request, linked to it, due in the law\'s 60 days, and it follows the lifecycle', async () => {
      const original = await denied('us_va')
      const response = await appeal(original.id, 'the account is mine')
      expect(response.status).toBe(201)
      const opened = PrivacyRequest.parse(await response.json())
      expect(opened).toMatchObject({ kind: 'appeal', regarding: original.id, type: 'access', regulation: 'us_va', status: 'received' })
      expect(opened).toMatchObject({ due_basis: 'law', promised_due_at: null, days_left: 60 })
      expect(Date.parse(opened.due_at ?? '') - Date.parse(opened.received_at ?? '')).toBe(60 * DAY)
      await expectProblem(await appeal(original.id), 409, 'already_appealed')

      platform().privacy.advance(3 * DAY)
      expect(await api.show(opened.id)).toMatchObject({ status: 'completed', kind: 'appeal' })
      // The appeal is in the list beside the request it is about.
      const listed = (await (await api.get(`/v1/privacy/requests?ids=${opened.id},${original.id}`)).json()) as { data: PrivacyRequest[] }
      expect(listed.data.map((r) => [r.kind, r.regarding])).toEqual([
        ['appeal', original.id],
        ['request', null],
      ])
    })

    it('extends a Colorado appeal by up to the 60 days its law allows', async () => {
      const opened = PrivacyRequest.parse(await (await appeal((await denied('us_co')).id)).json())
      expect(opened.days_left).toBe(45)
      expect(() => platform().privacy.extend(opened.id, 61, 'too long')).toThrow(/1 to 60 days/)
      expect(platform().privacy.extend(opened.id, 60, 'the records are archived')).toMatchObject({ due_basis: 'extension', days_left: 105 })
    })

    it('refuses an appeal where the law grants none, of a request not denied, after the window, or of a Utah refusal', async () => {
      await expectProblem(await appeal((await denied('gdpr')).id), 409, 'appeal_not_granted')
      await expectProblem(await appeal((await denied('us_ut')).id), 409, 'appeal_not_granted')
      const open = await api.verified((await api.created({ type: 'access', regulation: 'us_tx' })).id)
      await expectProblem(await appeal(open.id), 409, 'not_denied')
      const late = await denied('us_tx')
      platform().privacy.advance(61 * DAY)
      const problem = await expectProblem(await appeal(late.id), 409, 'appeal_window_closed')
      expect(problem.detail).toContain('60 days after it')
    })

    it('records and acknowledges a complaint about a UK request at once; none under the GDPR', async () => {
      const original = await api.verified((await api.created({ type: 'access', regulation: 'uk_gdpr' })).id)
      const response = await complaint(original.id)
      expect(response.status).toBe(201)
      const recorded = PrivacyRequest.parse(await response.json())
      expect(recorded).toMatchObject({ kind: 'complaint', regarding: original.id, status: 'received', acknowledged_at: recorded.created_at, due_basis: 'promise', days_left: 30 })
      const gdpr = await api.verified((await api.created({ type: 'access', regulation: 'gdpr' })).id)
      await expectProblem(await complaint(gdpr.id), 409, 'complaint_not_available')
    })
  })
})
