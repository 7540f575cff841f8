// The organisation report over real HTTP, on the platform's virtual clock: counts, deadlines running, due this week,
// overdue, time to answer and due dates per calendar day, with privacy:admin only.
import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { BatchResult, PrivacyReport, type BatchItem } from '../../src/core/contract/privacy.js'
import { connect, expectProblem, usePlatform } from '../support/platform.js'

const DAY = 86_400_000

// Work never finishes on its own: requests stay open until the test denies them, so every number is the test's doing.
const platform = usePlatform({ rateLimit: null, privacy: { workMs: 1000 * DAY } })

const ids = {
  gdpr: [randomUUID(), randomUUID(), randomUUID(), randomUUID()],
  ccpa: [randomUUID(), randomUUID()],
  uk: randomUUID(),
}

async function report(query = ''): Promise<PrivacyReport> {
  const response = await connect(platform()).get(`/v1/privacy/report?${query}`)
  expect(response.status, await response.clone().text()).toBe(200)
  return PrivacyReport.parse(await response.json())
}

beforeAll(async () => {
  const own = randomUUID()
  expect((await connect(platform()).post('/v1/privacy/requests', { id: own, type: 'access', regulation: 'gdpr' }, own)).status).toBe(201)
  const requests: BatchItem[] = [
    ...ids.gdpr.map((id, i) => ({ id, type: 'access' as const, regulation: 'gdpr' as const, subject: { email: `gdpr-${i}@example.com` } })),
    ...ids.ccpa.map((id, i) => ({ id, type: 'ccpa_delete' as const, regulation: 'ccpa' as const, subject: { email: `ccpa-${i}@example.com` } })),
    { id: ids.uk, type: 'erasure', regulation: 'uk_gdpr', subject: { email: 'uk@example.com' } },
  ]
  const response = await connect(platform()).post('/v1/privacy/requests:batch', {
    batch_id: 'report-test',
    attestation: { method: 'government_id', attested_by: 'privacy-desk@example.org' },
    requests,
  })
  expect(BatchResult.parse(await response.json()).results.every((r) => r.outcome === 'accepted')).toBe(true)
  // Answered 1, 3 and 6 days after receipt: median 3 days, worst 6.
  const [first, second, third] = ids.gdpr
  platform().privacy.advance(DAY)
  platform().privacy.deny(first!, 'not the person named')
  platform().privacy.advance(2 * DAY)
  platform().privacy.deny(second!, 'manifestly unfounded')
  platform().privacy.advance(3 * DAY)
  platform().privacy.deny(third!, 'excessive')
})

describe('privacy report', () => {
  it('counts by state, type and regulation, zeros included, and the time to answer', async () => {
    const numbers = await report()
    expect(numbers.total).toBe(8)
    expect(numbers.by_status).toMatchObject({ pending_verification: 1, in_progress: 4, denied: 3, completed: 0 })
    expect(numbers.by_type).toMatchObject({ access: 5, ccpa_delete: 2, erasure: 1, portability: 0 })
    expect(numbers.by_regulation).toMatchObject({ gdpr: 5, uk_gdpr: 1, ccpa: 2, us_va: 0, us_ia: 0 })
    expect(numbers.running).toBe(4)
    // The wall clock runs on under the virtual one: a few real milliseconds pass between receipt and each denial.
    const answer = numbers.time_to_answer
    expect(answer).toMatchObject({ answered: 3, worst_request_id: ids.gdpr[2] })
    expect(answer.median_seconds! - 3 * 86_400).toBeGreaterThanOrEqual(0)
    expect(answer.median_seconds! - 3 * 86_400).toBeLessThan(5)
    expect(answer.worst_seconds! - 6 * 86_400).toBeGreaterThanOrEqual(0)
    expect(answer.worst_seconds! - 6 * 86_400).toBeLessThan(5)
  })

  it('judges deadlines on the virtual clock: due this week, due soon, overdue and due dates per day', async () => {
    // The platform's 30-day promise comes before each law's own deadline here (GDPR and UK GDPR a calendar month, CCPA
    // 45 days), so the four open requests are all due 30 days after receipt. Day 25: all four fall in the coming week,
    // five days on to the hour, so on the 6th day of the chart whatever the zone.
    platform().privacy.advance(19 * DAY)
    const week = await report(`due_soon_seconds=${4 * 86_400}&days=14&time_zone=Asia/Tokyo`)
    expect(week).toMatchObject({ running: 4, overdue: 0, due_this_week: 4, due_soon: { within_seconds: 4 * 86_400, count: 0 } })
    expect(week.upcoming).toHaveLength(14)
    expect(week.upcoming.map((day) => day.count)).toEqual([0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0])
    const tokyoToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(platform().privacy.now())
    expect(week.upcoming[0]?.date).toBe(tokyoToday)
    expect(week.time_zone).toBe('Asia/Tokyo')

    // Day 35: all four are overdue, and nothing is left to come.
    platform().privacy.advance(10 * DAY)
    const late = await report()
    expect(late).toMatchObject({ running: 4, overdue: 4, due_this_week: 0 })
    expect(late.upcoming.reduce((sum, day) => sum + day.count, 0)).toBe(0)
  })

  it('applies the list filters', async () => {
    expect((await report('regulation=ccpa')).total).toBe(2)
    expect((await report('batch_id=report-test&status=denied')).total).toBe(3)
    expect((await report('batch_id=another')).total).toBe(0)
  })

  it('needs privacy:admin (403 naming it) and refuses an unknown time zone (400)', async () => {
    const reader = platform().issueToken(['privacy:read', 'privacy:write'])
    const problem = await expectProblem(await connect(platform(), reader).get('/v1/privacy/report'), 403, 'insufficient_scope')
    expect(problem.detail).toContain('privacy:admin')
    await expectProblem(await connect(platform()).get('/v1/privacy/report?time_zone=Mars/Olympus'), 400, 'invalid_request')
  })
})
