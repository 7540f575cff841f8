// The privacy list as a changes feed over real HTTP: named ids, as_of from the virtual clock, and updated_since paged
// with cursors, which is what `privacy wait` builds on to follow thousands of requests without a GET per request.
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { PrivacyRequest, PrivacyRequestPage } from '../../src/core/contract/privacy.js'
import { expectProblem, usePlatform } from '../support/platform.js'

const HOUR = 3_600_000

const platform = usePlatform({ rateLimit: null })

function get(path: string): Promise<Response> {
  return fetch(`${platform().url}${path}`, { headers: { authorization: `Bearer ${platform().token}` } })
}

async function page(query: string): Promise<PrivacyRequestPage> {
  const response = await get(`/v1/privacy/requests?${query}`)
  expect(response.status, await response.clone().text()).toBe(200)
  return PrivacyRequestPage.parse(await response.json())
}

async function create(): Promise<PrivacyRequest> {
  const id = randomUUID()
  const response = await fetch(`${platform().url}/v1/privacy/requests`, {
    method: 'POST',
    headers: { authorization: `Bearer ${platform().token}`, 'content-type': 'application/json', 'idempotency-key': id },
    body: JSON.stringify({ id, type: 'access', regulation: 'gdpr' }),
  })
  expect(response.status).toBe(201)
  // Distinct creation times, so newest-first order is by time rather than by id.
  await new Promise((resolve) => setTimeout(resolve, 3))
  return PrivacyRequest.parse(await response.json())
}

async function verify(id: string): Promise<void> {
  const response = await fetch(`${platform().url}/v1/privacy/requests/${id}/verification`, {
    method: 'POST',
    headers: { authorization: `Bearer ${platform().token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ code: platform().privacy.lastCode(id) }),
  })
  expect(response.status).toBe(200)
}

/** Every item of a list, following next_cursor, and how many pages it took. */
async function allPages(query: string): Promise<{ ids: string[]; pages: PrivacyRequestPage[] }> {
  const pages: PrivacyRequestPage[] = []
  let cursor: string | null = null
  do {
    const next: PrivacyRequestPage = await page(`${query}${cursor ? `&cursor=${cursor}` : ''}`)
    pages.push(next)
    cursor = next.next_cursor
  } while (cursor)
  return { ids: pages.flatMap((p) => p.data.map((r) => r.id)), pages }
}

describe('ids', () => {
  it('returns only the named requests that exist, newest first, ANDed with the other filters', async () => {
    const [a, b, c] = [await create(), await create(), await create()]
    const unknown = randomUUID()
    const named = await page(`ids=${a!.id},${c!.id},${unknown}&limit=100`)
    expect(named.data.map((r) => r.id)).toEqual([c!.id, a!.id])
    expect(named).toMatchObject({ has_more: false, next_cursor: null })
    expect((await page(`ids=${unknown}`)).data).toEqual([])
    // Ids in capitals name the same requests.
    expect((await page(`ids=${b!.id.toUpperCase()}`)).data.map((r) => r.id)).toEqual([b!.id])

    await verify(c!.id)
    expect((await page(`ids=${a!.id},${c!.id}&status=received`)).data.map((r) => r.id)).toEqual([c!.id])
    expect((await page(`ids=${a!.id},${c!.id}&status=completed`)).data).toEqual([])
  })

  it('pages a set of ids with a cursor tied to that set, and refuses more than 100 ids or ids that are not UUIDs', async () => {
    const created = [await create(), await create(), await create()]
    const ids = created.map((r) => r.id)
    const { ids: listed, pages } = await allPages(`ids=${ids.join(',')}&limit=2`)
    expect(listed).toEqual([...ids].reverse())
    expect(pages).toHaveLength(2)
    // The same set in another order is the same list; a different set is not.
    const reordered = await page(`ids=${[...ids].reverse().join(',')}&limit=2&cursor=${pages[0]!.next_cursor}`)
    expect(reordered.data.map((r) => r.id)).toEqual([ids[0]])
    await expectProblem(await get(`/v1/privacy/requests?ids=${ids[0]},${ids[1]}&limit=2&cursor=${pages[0]!.next_cursor}`), 400, 'invalid_cursor')
    await expectProblem(await get(`/v1/privacy/requests?limit=2&cursor=${pages[0]!.next_cursor}`), 400, 'invalid_cursor')

    const tooMany = Array.from({ length: 101 }, () => randomUUID()).join(',')
    await expectProblem(await get(`/v1/privacy/requests?ids=${tooMany}`), 400, 'invalid_request')
    await expectProblem(await get(`/v1/privacy/requests?ids=${ids[0]},not-an-id`), 400, 'invalid_request')
  })
})

describe('as_of and updated_since', () => {
  it('stamps every page with the virtual clock, and a later updated_since=as_of lists exactly what changed since', async () => {
    const idle = await create()
    const moving = await create()
    await verify(moving.id)
    const before = platform().privacy.now().getTime()
    const first = await page(`ids=${idle.id},${moving.id}`)
    const asOf = Date.parse(first.as_of)
    expect(asOf).toBeGreaterThanOrEqual(before)
    expect(asOf).toBeLessThanOrEqual(platform().privacy.now().getTime())

    // received → in_progress comes due an hour after verification, on the virtual clock, not the wall clock.
    platform().privacy.advance(HOUR + 1_000)
    const changed = await page(`updated_since=${first.as_of}&ids=${idle.id},${moving.id}`)
    expect(changed.data.map((r) => [r.id, r.status])).toEqual([[moving.id, 'in_progress']])
    expect(Date.parse(changed.data[0]!.updated_at)).toBeGreaterThanOrEqual(asOf)
    expect(Date.parse(changed.as_of)).toBeGreaterThanOrEqual(asOf + HOUR)

    const quiet = await page(`updated_since=${changed.as_of}&ids=${idle.id},${moving.id}`)
    expect(quiet.data).toEqual([])
  })

  it('pages a changes feed with cursors: every changed request once, newest first, as_of on every page', async () => {
    const since = platform().privacy.now().toISOString()
    const created = [await create(), await create(), await create(), await create(), await create()]
    const { ids, pages } = await allPages(`updated_since=${since}&limit=2`)
    expect(ids).toEqual(created.map((r) => r.id).reverse())
    expect(pages).toHaveLength(3)
    for (const p of pages) expect(Date.parse(p.as_of)).toBeGreaterThanOrEqual(Date.parse(since))
    await expectProblem(await get(`/v1/privacy/requests?updated_since=${platform().privacy.now().toISOString()}&limit=2&cursor=${pages[0]!.next_cursor}`), 400, 'invalid_cursor')
  })
})
