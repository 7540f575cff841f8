// Batch submissions of the local platform's privacy API over real HTTP: each item's own outcome, attested requests that
// need no code, limits and refusals, exactly-once creation under replays, rate-limit headers, and 100,000 requests.
import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { Headers, Me } from '../../src/core/contract/index.js'
import {
  BatchResult,
  PrivacyDiscovery,
  PrivacyRequest,
  PrivacyRequestPage,
  type BatchItem,
  type BatchItemResult,
  type BatchSubmission,
} from '../../src/core/contract/privacy.js'
import { connect as connectWire, expectProblem, usePlatform } from '../support/platform.js'
import type { Platform } from './server.js'

const HOUR = 3_600_000
const DAY = 86_400_000
const ATTESTATION = { method: 'government_id', attested_by: 'privacy-desk@example.org' } as const

type NewItem = Partial<BatchItem> & Pick<BatchItem, 'subject'>

/** An access request under GDPR for `subject`, with a fresh id unless one is given. */
function item(fields: NewItem): BatchItem {
  return { id: randomUUID(), type: 'access', regulation: 'gdpr', ...fields }
}

/** The wire client, plus batch submission. */
function connect(platform: Platform, token = platform.token) {
  const api = connectWire(platform, token)
  /** The raw response to a batch; `key` is its Idempotency-Key. */
  const send = (requests: BatchItem[], options: { key?: string; batchId?: string } = {}) => {
    const submission: BatchSubmission = { batch_id: options.batchId ?? 'batch-test', attestation: ATTESTATION, requests }
    return api.post('/v1/privacy/requests:batch', submission, options.key)
  }
  return {
    ...api,
    send,
    /** Each item's result, after checking there is one per item, in order. */
    async submit(requests: BatchItem[], options: { key?: string; batchId?: string } = {}): Promise<BatchItemResult[]> {
      const response = await send(requests, options)
      expect(response.status).toBe(200)
      const { results } = BatchResult.parse(await response.json())
      expect(results.map((r) => r.id)).toEqual(requests.map((r) => r.id))
      return results
    },
  }
}

function admin(platform: Platform, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
  return fetch(`${platform.url}${path}`, {
    method,
    headers: { 'x-admin-key': platform.adminKey },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
}

const accepted = { outcome: 'accepted', duplicate_of: null, error: null }
const duplicateOf = (id: string) => ({ outcome: 'duplicate', duplicate_of: id, error: null })
const rejected = (code: string, field: string) => ({ outcome: 'rejected', duplicate_of: null, error: expect.objectContaining({ code, field }) })

describe('privacy batch submissions', () => {
  const platform = usePlatform({ port: 0 })
  let api: ReturnType<typeof connect>

  beforeAll(() => {
    api = connect(platform())
  })

  it('creates attested requests as received, with no code sent, and they follow the usual lifecycle', async () => {
    const emails = platform().privacy.outbox().length
    const access = item({ subject: { email: 'Grace.Hopper@EXAMPLE.Org' }, note: 'asked by letter' })
    const erasure = item({ type: 'ccpa_delete', regulation: 'ccpa', subject: { email: 'Grace.Hopper@example.ORG' } })
    expect(await api.submit([access, erasure], { batchId: 'letters-2026-11' })).toEqual([
      { id: access.id, ...accepted },
      { id: erasure.id, ...accepted },
    ])

    const created = await api.show(access.id)
    expect(created).toMatchObject({
      status: 'received',
      verification: null,
      attestation: ATTESTATION,
      batch_id: 'letters-2026-11',
      // The domain is lowercased; the local part is kept as sent.
      subject: { email: 'Grace.Hopper@example.org', account_id: expect.stringMatching(/^usr_/) },
    })
    expect(created.received_at).toBe(created.created_at)
    const receivedAt = new Date(created.received_at ?? '')
    expect(new Date(created.legal_due_at ?? '').getUTCMonth()).toBe((receivedAt.getUTCMonth() + 1) % 12)
    const ccpa = await api.show(erasure.id)
    expect(Date.parse(ccpa.legal_due_at ?? '') - Date.parse(ccpa.received_at ?? '')).toBe(45 * DAY)
    expect(Date.parse(ccpa.due_at ?? '') - Date.parse(ccpa.received_at ?? '')).toBe(30 * DAY)
    // The same person, named by the same address with its domain in other letters, is the same account.
    expect(ccpa.subject.account_id).toBe(created.subject.account_id)
    expect(platform().privacy.outbox()).toHaveLength(emails)

    platform().privacy.advance(HOUR)
    expect((await api.show(access.id)).status).toBe('in_progress')
    platform().privacy.advance(2 * DAY)
    expect((await api.show(access.id)).status).toBe('completed')
    expect((await api.get(`/v1/privacy/requests/${access.id}/export`)).status).toBe(200)
  })

  it('names the account of an account id, and keeps attestation and batch_id null on self-service requests', async () => {
    const own = item({ type: 'restriction', subject: { account_id: platform().user.id }, processing: { purposes: ['profiling'] } })
    expect(await api.submit([own])).toEqual([{ id: own.id, ...accepted }])
    expect((await api.show(own.id)).subject).toEqual({ account_id: platform().user.id, email: platform().user.email })

    const id = randomUUID()
    const response = await api.post('/v1/privacy/requests', { id, type: 'objection', regulation: 'gdpr', processing: { purposes: ['marketing'] } }, id)
    expect(response.status).toBe(201)
    expect(PrivacyRequest.parse(await response.json())).toMatchObject({ attestation: null, batch_id: null, status: 'pending_verification' })
  })

  it('answers a known id as a duplicate when it is the same request and id_conflict when it is not', async () => {
    const first = item({ subject: { email: 'ids@example.org' }, format: 'tar.gz' })
    await api.submit([first])
    const sameWithDefaults = { ...first, subject: { email: 'ids@EXAMPLE.org' } }
    const otherType = { ...first, type: 'portability' as const }
    const otherPerson = { ...first, subject: { email: 'someone-else@example.org' } }
    const otherFormat = { ...first, format: 'zip' as const }
    expect(await api.submit([sameWithDefaults, otherType, otherPerson, otherFormat])).toEqual([
      { id: first.id, ...duplicateOf(first.id) },
      { id: first.id, ...rejected('id_conflict', 'id') },
      { id: first.id, ...rejected('id_conflict', 'id') },
      { id: first.id, ...rejected('id_conflict', 'id') },
    ])
    expect(platform().privacy.creations(first.id)).toBe(1)
  })

  it('answers a request for a person and type that is still open as a duplicate of it, until that one is final', async () => {
    const open = item({ type: 'portability', subject: { email: 'open@example.org' } })
    await api.submit([open])
    const again = item({ type: 'portability', subject: { email: 'open@example.org' } })
    const otherType = item({ type: 'access', subject: { email: 'open@example.org' } })
    expect(await api.submit([again, otherType])).toEqual([
      { id: again.id, ...duplicateOf(open.id) },
      { id: otherType.id, ...accepted },
    ])

    platform().privacy.deny(open.id, 'manifestly unfounded')
    const afterDenial = item({ type: 'portability', subject: { email: 'open@example.org' } })
    expect(await api.submit([afterDenial])).toEqual([{ id: afterDenial.id, ...accepted }])
  })

  it('counts an open self-service request of the signed-in account, named by its email in any case', async () => {
    const id = randomUUID()
    expect((await api.post('/v1/privacy/requests', { id, type: 'ccpa_know', regulation: 'ccpa' }, id)).status).toBe(201)
    const byEmail = item({ type: 'ccpa_know', regulation: 'ccpa', subject: { email: platform().user.email.replace('example.com', 'EXAMPLE.COM') } })
    expect(await api.submit([byEmail])).toEqual([{ id: byEmail.id, ...duplicateOf(id) }])
  })

  it('rejects an unknown account id and an email that is not that account’s, item by item', async () => {
    const unknown = item({ subject: { account_id: 'usr_doesnotexist000' } })
    const mismatch = item({ type: 'erasure', subject: { account_id: platform().user.id, email: 'not-ada@example.com' } })
    const fine = item({ subject: { email: 'fine@example.org' } })
    const added = platform().privacy.addAccount('Known.Person@Example.org')
    const byAddedId = item({ type: 'rectification', subject: { account_id: added.account_id, email: 'Known.Person@example.org' }, rectification: { changes: [{ field: 'name', value: 'K. Person' }] } })
    expect(await api.submit([unknown, mismatch, fine, byAddedId])).toEqual([
      { id: unknown.id, ...rejected('subject_not_found', 'subject.account_id') },
      { id: mismatch.id, ...rejected('subject_mismatch', 'subject.email') },
      { id: fine.id, ...accepted },
      { id: byAddedId.id, ...accepted },
    ])
    // Rejected means not created, and sending it again gets the same answer.
    expect((await api.get(`/v1/privacy/requests/${unknown.id}`)).status).toBe(404)
    expect(await api.submit([unknown])).toEqual([{ id: unknown.id, ...rejected('subject_not_found', 'subject.account_id') }])
  })

  it('treats a second item with an id already in the batch as a duplicate of the first, or a conflict if it differs', async () => {
    const first = item({ subject: { email: 'twice@example.org' } })
    const unknown = item({ subject: { account_id: 'usr_nobody00000000' } })
    expect(await api.submit([first, { ...first }, { ...first, type: 'erasure' }, unknown, { ...unknown }])).toEqual([
      { id: first.id, ...accepted },
      { id: first.id, ...duplicateOf(first.id) },
      { id: first.id, ...rejected('id_conflict', 'id') },
      { id: unknown.id, ...rejected('subject_not_found', 'subject.account_id') },
      { id: unknown.id, ...rejected('subject_not_found', 'subject.account_id') },
    ])
    expect(platform().privacy.creations(first.id)).toBe(1)
  })

  it('refuses a batch over max_batch_size with 413, and the limit follows the knob and discovery', async () => {
    const discovery = async () => PrivacyDiscovery.parse(await (await api.get('/v1/privacy/discovery')).json())
    expect((await discovery()).max_batch_size).toBe(100)
    const tooMany = Array.from({ length: 101 }, (_, i) => item({ subject: { email: `many-${i}@example.org` } }))
    const problem = await expectProblem(await api.send(tooMany), 413, 'batch_too_large')
    expect(problem.detail).toContain('100')
    expect(platform().privacy.creations(tooMany[0]?.id ?? '')).toBe(0)

    platform().privacy.setMaxBatchSize(3)
    try {
      expect((await discovery()).max_batch_size).toBe(3)
      const four = tooMany.slice(0, 4)
      expect((await expectProblem(await api.send(four), 413, 'batch_too_large')).detail).toContain('3')
      expect(await api.submit(four.slice(0, 3))).toEqual(four.slice(0, 3).map((r) => ({ id: r.id, ...accepted })))
    } finally {
      platform().privacy.setMaxBatchSize(100)
    }
    expect(() => platform().privacy.setMaxBatchSize(0)).toThrow(RangeError)
  })

  it('refuses a whole batch with 400 invalid_batch while the reject knob matches one of its emails', async () => {
    const good = item({ subject: { email: 'good@example.org' } })
    const poisoned = item({ subject: { email: 'poison-pill@example.org' } })
    platform().privacy.rejectBatchesContaining('poison')
    try {
      await expectProblem(await api.send([good, poisoned]), 400, 'invalid_batch')
      expect(platform().privacy.creations(good.id)).toBe(0)
      expect(await api.submit([good])).toEqual([{ id: good.id, ...accepted }])
    } finally {
      platform().privacy.rejectBatchesContaining(null)
    }
    expect(await api.submit([poisoned])).toEqual([{ id: poisoned.id, ...accepted }])
    // Refused batches reached the platform: their items count as received.
    expect(platform().privacy.received(good.id)).toBe(2)
    expect(platform().privacy.received(poisoned.id)).toBe(2)
  })

  it('answers a replay under the same Idempotency-Key with the first response and creates nothing twice', async () => {
    const requests = Array.from({ length: 5 }, (_, i) => item({ type: 'erasure', subject: { email: `replay-${i}@example.org` } }))
    const key = randomUUID()
    const first = await api.send(requests, { key })
    const firstBody: unknown = await first.json()
    const calls = platform().privacy.batchCalls()

    const replay = await api.send(requests, { key })
    expect(replay.status).toBe(200)
    expect(replay.headers.get(Headers.idempotentReplayed)).toBe('true')
    expect(await replay.json()).toEqual(firstBody)
    expect(platform().privacy.batchCalls()).toBe(calls)

    // Under a new key the batch reaches the platform again, and every item is a duplicate of itself.
    expect(await api.submit(requests)).toEqual(requests.map((r) => ({ id: r.id, ...duplicateOf(r.id) })))
    for (const r of requests) {
      expect(platform().privacy.creations(r.id)).toBe(1)
      expect(platform().privacy.received(r.id)).toBe(2)
    }
    expect(platform().privacy.batchCalls()).toBe(calls + 1)
  })

  it('needs the privacy:admin scope, which the seeded token has', async () => {
    const me = Me.parse(await (await api.get('/v1/me')).json())
    expect(me.scopes).toContain('privacy:admin')
    const writer = connect(platform(), platform().issueToken(['privacy:read', 'privacy:write']))
    await expectProblem(await writer.send([item({ subject: { email: 'scope@example.org' } })]), 403, 'insufficient_scope')
  })

  it('does not close the signed-in account when it erases someone else', async () => {
    const other = item({ type: 'erasure', subject: { email: 'leaving@example.org' } })
    await api.submit([other])
    platform().privacy.advance(HOUR + 2 * DAY + 8 * DAY)
    expect((await api.show(other.id)).status).toBe('completed')
    expect((await api.get('/v1/me')).status).toBe(200)
  })

  it('reports counters and takes the knobs over /_admin/privacy/batches', async () => {
    const one = item({ subject: { email: 'admin-route@example.org' } })
    await api.submit([one])
    const state = (await (await admin(platform(), 'GET', '/_admin/privacy/batches')).json()) as Record<string, unknown>
    expect(state).toMatchObject({ batch_calls: platform().privacy.batchCalls(), max_batch_size: 100, reject_batches_containing: null })
    expect((state.received as Record<string, number>)[one.id]).toBe(1)

    const changed = await admin(platform(), 'POST', '/_admin/privacy/batches', { max_batch_size: 7, reject_batches_containing: 'nope' })
    expect(await changed.json()).toMatchObject({ max_batch_size: 7, reject_batches_containing: 'nope' })
    await admin(platform(), 'POST', '/_admin/privacy/batches', { max_batch_size: 100, reject_batches_containing: null })

    const listed = (await (await admin(platform(), 'GET', '/_admin/privacy/requests')).json()) as { data: { id: string; creations: number; received: number }[] }
    expect(listed.data.find((r) => r.id === one.id)).toMatchObject({ creations: 1, received: 1 })
    expect((await admin(platform(), 'POST', '/_admin/privacy/batches', { max_batch_size: 0 })).status).toBe(400)
  })
})

describe('rate-limit headers', () => {
  // Refilling one request per 100 s: nothing comes back during the test.
  const platform = usePlatform({ port: 0, rateLimit: { capacity: 3, refillPerSecond: 0.01 } })

  it('counts RateLimit-Remaining down on every authenticated response, errors included, and 429 carries Retry-After', async () => {
    const api = connect(platform())
    const seen: (string | null)[][] = []
    const responses = [
      await api.get('/v1/me'),
      await api.send([item({ subject: { email: 'limited@example.org' } })]),
      await api.get(`/v1/privacy/requests/${randomUUID()}`),
      await api.get('/v1/me'),
    ]
    for (const response of responses) seen.push([String(response.status), response.headers.get(Headers.rateLimitLimit), response.headers.get(Headers.rateLimitRemaining)])
    expect(seen).toEqual([
      ['200', '3', '2'],
      ['200', '3', '1'],
      ['404', '3', '0'],
      ['429', '3', '0'],
    ])
    const limited = responses[3]
    expect(Number(limited?.headers.get(Headers.retryAfter))).toBeGreaterThanOrEqual(1)

    const health = await fetch(`${platform().url}/v1/health`)
    expect(health.headers.get(Headers.rateLimitRemaining)).toBeNull()
  })

  it('describes the bucket in the RateLimit-Policy and RateLimit fields of the IETF draft: a quota per window, and what is left', async () => {
    platform().rateLimit.set({ capacity: 40, refillPerSecond: 20 })
    const response = await connect(platform()).get('/v1/me')
    expect(response.headers.get(Headers.rateLimitPolicy)).toBe('"default";q=40;w=2') // 20 a second, bursts of 40
    expect(response.headers.get(Headers.rateLimit)).toBe('"default";r=39;t=1')
    platform().rateLimit.set({ capacity: 5, refillPerSecond: 0.5 })
    const slow = await connect(platform()).get('/v1/me')
    expect(slow.headers.get(Headers.rateLimitPolicy)).toBe('"default";q=5;w=10')
    expect(slow.headers.get(Headers.rateLimit)).toBe('"default";r=4;t=2')
  })

  it('sends no RateLimit headers when rate limiting is off', async () => {
    platform().rateLimit.set(null)
    const response = await connect(platform()).get('/v1/me')
    expect(response.status).toBe(200)
    expect(response.headers.get(Headers.rateLimitLimit)).toBeNull()
    expect(response.headers.get(Headers.rateLimitRemaining)).toBeNull()
    expect(response.headers.get(Headers.rateLimitPolicy)).toBeNull()
    expect(response.headers.get(Headers.rateLimit)).toBeNull()
  })
})

describe('100,000 requests in batches of 100', () => {
  const platform = usePlatform({ port: 0, rateLimit: null })

  // A sanity bound for the test budget, not a benchmark: the platform takes a few seconds here.
  it('accepts them all, and lists them all newest first, 100 per page', async () => {
    const api = connect(platform())
    const ids: string[] = []
    for (let batch = 0; batch < 1000; batch++) {
      const requests = Array.from({ length: 100 }, (_, i) => item({ type: i % 2 ? 'erasure' : 'access', subject: { email: `bulk-${batch}-${i}@example.org` } }))
      const results = await api.submit(requests, { batchId: 'bulk-smoke' })
      expect(results.every((r) => r.outcome === 'accepted')).toBe(true)
      for (const r of requests) ids.push(r.id)
    }
    expect(ids.every((id) => platform().privacy.creations(id) === 1)).toBe(true)

    const listed = new Set<string>()
    let cursor: string | null = null
    let previous = Infinity
    do {
      const page = PrivacyRequestPage.parse(await (await api.get(`/v1/privacy/requests?view=organisation&limit=100${cursor ? `&cursor=${cursor}` : ''}`)).json())
      for (const request of page.data) {
        listed.add(request.id)
        expect(Date.parse(request.created_at)).toBeLessThanOrEqual(previous)
        previous = Date.parse(request.created_at)
      }
      cursor = page.next_cursor
    } while (cursor)
    expect(listed.size).toBe(100_000)
    expect(ids.every((id) => listed.has(id))).toBe(true)
  }, 30_000)
})
