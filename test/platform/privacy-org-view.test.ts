// Who sees which privacy requests over real HTTP: a token lists the requests about its own account; the organisation
// view (every request, bulk ones for other people included) needs privacy:admin, and its filters run on the platform.
import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { BatchResult, PrivacyRequest, PrivacyRequestPage, type BatchItem } from '../../src/core/contract/privacy.js'
import { connect, expectProblem, usePlatform } from '../support/platform.js'

const DAY = 86_400_000

// Work never finishes here, so requests stay open and their deadlines run out on the virtual clock.
const platform = usePlatform({ rateLimit: null, privacy: { workMs: 1000 * DAY } })

const ids = {
  own: '',
  graceGdpr: randomUUID(),
  katherineCcpa: randomUUID(),
  alanUkErasure: randomUUID(),
}

async function listIds(query: string, token = platform().token): Promise<string[]> {
  const response = await connect(platform(), token).get(`/v1/privacy/requests?limit=100&${query}`)
  expect(response.status, await response.clone().text()).toBe(200)
  return PrivacyRequestPage.parse(await response.json()).data.map((r) => r.id)
}

function sorted(list: string[]): string[] {
  return [...list].sort()
}

async function submit(batchId: string, requests: BatchItem[]): Promise<void> {
  const response = await connect(platform()).post('/v1/privacy/requests:batch', {
    batch_id: batchId,
    attestation: { method: 'government_id', attested_by: 'privacy-desk@example.org' },
    requests,
  })
  expect(response.status).toBe(200)
  expect(BatchResult.parse(await response.json()).results.map((r) => r.outcome)).toEqual(requests.map(() => 'accepted'))
}

beforeAll(async () => {
  const own = await connect(platform()).post('/v1/privacy/requests', { id: (ids.own = randomUUID()), type: 'access', regulation: 'gdpr' }, ids.own)
  expect(own.status).toBe(201)
  await submit('offboarding-nov', [
    { id: ids.graceGdpr, type: 'access', regulation: 'gdpr', subject: { email: 'grace.hopper@example.com' } },
    { id: ids.katherineCcpa, type: 'ccpa_delete', regulation: 'ccpa', subject: { email: 'katherine.johnson@example.com' } },
  ])
  await submit('backlog-dec', [{ id: ids.alanUkErasure, type: 'erasure', regulation: 'uk_gdpr', subject: { email: 'alan.turing@example.com' } }])
})

describe('scoping by token', () => {
  it('lists only the requests about the caller, even for a token with privacy:admin', async () => {
    expect(await listIds('')).toEqual([ids.own])
    const reader = platform().issueToken(['privacy:read', 'privacy:write'])
    expect(await listIds('', reader)).toEqual([ids.own])
    expect(await listIds('view=own', reader)).toEqual([ids.own])
  })

  it('refuses the organisation view to a token without privacy:admin with a 403 naming the scope', async () => {
    const reader = platform().issueToken(['privacy:read'])
    const response = await connect(platform(), reader).get('/v1/privacy/requests?view=organisation')
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="privacy:admin"')
    const problem = await expectProblem(response, 403, 'insufficient_scope')
    expect(problem.detail).toContain('privacy:admin')
  })

  it('shows the whole organisation, newest first, to privacy:admin', async () => {
    // Newest first; one batch's requests share their creation time, so among themselves they are ordered by id.
    const listed = await listIds('view=organisation')
    expect(listed[0]).toBe(ids.alanUkErasure)
    expect(sorted(listed.slice(1, 3))).toEqual(sorted([ids.katherineCcpa, ids.graceGdpr]))
    expect(listed[3]).toBe(ids.own)
    const admin = platform().issueToken(['privacy:read', 'privacy:admin'])
    expect(await listIds('view=organisation', admin)).toHaveLength(4)
  })

  it('looks up named ids as a GET by id would: anyone\'s for privacy:admin, only one\'s own otherwise', async () => {
    const named = `ids=${ids.own},${ids.graceGdpr}`
    expect(sorted(await listIds(named))).toEqual(sorted([ids.own, ids.graceGdpr]))
    expect(await listIds(named, platform().issueToken(['privacy:read']))).toEqual([ids.own])
  })

  it("answers a GET of someone else's request by id with 404 unless the token has privacy:admin", async () => {
    const reader = platform().issueToken(['privacy:read', 'privacy:write'])
    await expectProblem(await connect(platform(), reader).get(`/v1/privacy/requests/${ids.graceGdpr}`), 404, 'not_found')
    await expectProblem(await connect(platform(), reader).post(`/v1/privacy/requests/${ids.graceGdpr}/cancel`), 404, 'not_found')
    expect((await connect(platform(), reader).get(`/v1/privacy/requests/${ids.own}`)).status).toBe(200)
    const admin = platform().issueToken(['privacy:read', 'privacy:admin'])
    expect((await connect(platform(), admin).get(`/v1/privacy/requests/${ids.graceGdpr}`)).status).toBe(200)
  })

  // Merging the appeal, complaint and clarification endpoints with the scoping: each acts on a request by id, so each
  // must see it as a GET by id would (found in review: they did not).
  it("refuses an appeal, a complaint or an answer about someone else's request with 404 unless the token has privacy:admin", async () => {
    const writer = connect(platform(), platform().issueToken(['privacy:read', 'privacy:write']))
    const about = (path: string) => `/v1/privacy/requests/${ids.alanUkErasure}/${path}`
    const appealId = randomUUID()
    const complaintId = randomUUID()
    await expectProblem(await writer.post(about('appeals'), { id: appealId, reason: 'not mine to appeal' }, appealId), 404, 'not_found')
    await expectProblem(await writer.post(about('complaints'), { id: complaintId, message: 'not mine' }, complaintId), 404, 'not_found')
    await expectProblem(await writer.post(about('clarifications:answer'), { message: 'not mine' }, randomUUID()), 404, 'not_found')
    expect(platform().privacy.requests().filter((r) => r.regarding === ids.alanUkErasure)).toEqual([])
  })

  it('ties a cursor to its view: a page of the organisation view does not continue the own view', async () => {
    const first = PrivacyRequestPage.parse(await (await connect(platform()).get('/v1/privacy/requests?view=organisation&limit=1')).json())
    expect(first.next_cursor).not.toBeNull()
    await expectProblem(await connect(platform()).get(`/v1/privacy/requests?limit=1&cursor=${first.next_cursor}`), 400, 'invalid_cursor')
  })
})

describe('organisation filters', () => {
  it('filters by state, type, regulation, batch and subject (email with any domain case, or account id)', async () => {
    const org = 'view=organisation'
    expect(await listIds(`${org}&status=pending_verification`)).toEqual([ids.own])
    expect(sorted(await listIds(`${org}&type=access`))).toEqual(sorted([ids.own, ids.graceGdpr]))
    expect(await listIds(`${org}&regulation=ccpa`)).toEqual([ids.katherineCcpa])
    expect(sorted(await listIds(`${org}&regulation=uk_gdpr,ccpa`))).toEqual(sorted([ids.alanUkErasure, ids.katherineCcpa]))
    expect(sorted(await listIds(`${org}&batch_id=offboarding-nov`))).toEqual(sorted([ids.graceGdpr, ids.katherineCcpa]))
    expect(await listIds(`${org}&subject=grace.hopper@EXAMPLE.com`)).toEqual([ids.graceGdpr])
    const alan = PrivacyRequest.parse(await (await connect(platform()).get(`/v1/privacy/requests/${ids.alanUkErasure}`)).json())
    expect(await listIds(`${org}&subject=${alan.subject.account_id}`)).toEqual([ids.alanUkErasure])
    expect(await listIds(`${org}&batch_id=offboarding-nov&type=ccpa_delete&status=in_progress,received`)).toEqual([ids.katherineCcpa])
    await expectProblem(await connect(platform()).get(`/v1/privacy/requests?${org}&regulation=gdpr,hipaa`), 400, 'invalid_request')
  })

  it('filters by due date on the virtual clock: due within a window (overdue included) and overdue, open requests only', async () => {
    const org = 'view=organisation'
    // The platform's 30-day promise comes before each law's own deadline here (GDPR and UK GDPR a month, CCPA 45
    // days), so all three are due 30 days after they were received: 25 days on, within a week, none overdue.
    platform().privacy.advance(25 * DAY)
    const all = sorted([ids.graceGdpr, ids.alanUkErasure, ids.katherineCcpa])
    expect(sorted(await listIds(`${org}&due_within_seconds=${7 * 86_400}`))).toEqual(all)
    expect(sorted(await listIds(`${org}&due_within_seconds=${4 * 86_400}`))).toEqual([])
    expect(await listIds(`${org}&overdue=true`)).toEqual([])

    platform().privacy.advance(10 * DAY)
    expect(sorted(await listIds(`${org}&overdue=true`))).toEqual(all)
    expect(await listIds(`${org}&overdue=false`)).not.toContain(ids.graceGdpr)
    expect(sorted(await listIds(`${org}&due_within_seconds=${86_400}`))).toEqual(all)

    // A final request has no running deadline, however late it was.
    platform().privacy.deny(ids.graceGdpr, 'manifestly unfounded')
    expect(sorted(await listIds(`${org}&overdue=true`))).toEqual(sorted([ids.alanUkErasure, ids.katherineCcpa]))
    // The own view applies the same filters to the caller's requests: its one request was never verified, so no deadline.
    expect(await listIds('overdue=true')).toEqual([])
  })
})
