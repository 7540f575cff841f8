// waitForRequests against an in-memory list endpoint: which list calls each poll makes, and the fallback from the
// changes feed to reading the open requests by id when unrelated requests flood the feed.
import { describe, expect, it } from 'vitest'
import type { ApiClient, Clock } from '../../src/core/ports.js'
import type { PrivacyRequest, RequestState } from '../../src/core/contract/index.js'
import { ExitCode, NotFoundError, PlatformError } from '../../src/core/errors.js'
import { waitForRequests } from '../../src/core/privacy/wait.js'
import { privacyRequest } from '../support/privacy-fakes.js'

interface ListQuery {
  view?: string
  ids?: string
  updated_since?: string
  cursor?: string
  limit?: number
}

/** A clock whose sleeps return at once and move time by what was slept; halfway through, the test changes the world. */
function steppingClock(duringSleep: (() => void)[]): Clock {
  let now = Date.parse('2026-11-26T12:00:00Z')
  return {
    now: () => new Date(now),
    sleep: async (ms) => {
      now += ms / 2
      duringSleep.shift()?.()
      now += ms / 2
    },
  }
}

function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`
}

/** A list endpoint over requests kept in creation order: filters, newest first, offset cursors, as_of = now. */
function fakePlatform(clock: Clock, options: { refuseOrganisationView?: boolean } = {}) {
  const requests = new Map<string, PrivacyRequest>()
  const calls: ListQuery[] = []
  const stamp = () => clock.now().toISOString()

  function add(id: string, status: RequestState, batchId: string | null = null): void {
    requests.set(id, privacyRequest({ id, status, batch_id: batchId }, stamp()))
  }

  function change(id: string, status: RequestState): void {
    const request = requests.get(id) as PrivacyRequest
    requests.set(id, { ...request, status, version: request.version + 1, updated_at: stamp() })
  }

  function list(query: ListQuery) {
    calls.push(query)
    if (query.view === 'organisation' && options.refuseOrganisationView) {
      throw new PlatformError('Insufficient scope: needs privacy:admin', { code: 'insufficient_scope', status: 403, exitCode: ExitCode.notSignedIn })
    }
    const named = query.ids?.split(',')
    let matches = [...requests.values()].reverse()
    if (named) matches = matches.filter((r) => named.includes(r.id))
    if (query.updated_since) matches = matches.filter((r) => r.updated_at >= (query.updated_since as string))
    const start = query.cursor ? Number(query.cursor) : 0
    const limit = query.limit ?? 20
    const data = matches.slice(start, start + limit)
    const more = start + limit < matches.length
    return { data, has_more: more, next_cursor: more ? String(start + limit) : null, as_of: stamp() }
  }

  const api = {
    baseUrl: 'http://platform.test',
    call: (async (_endpoint: unknown, input?: { query?: ListQuery }) => list(input?.query ?? {})) as ApiClient['call'],
    send: (async () => {
      throw new Error('the wait only lists')
    }) as ApiClient['send'],
  } satisfies ApiClient
  return { api, add, change, calls }
}

describe('waitForRequests', () => {
  it('reads ids 100 at a time, then the changes feed; a feed flooded by others falls back to the open ids', async () => {
    const ours = Array.from({ length: 150 }, (_, i) => uuid(i + 1))
    const others = Array.from({ length: 500 }, (_, i) => uuid(10_000 + i))
    const steps: (() => void)[] = []
    const clock = steppingClock(steps)
    const platform = fakePlatform(clock)
    for (const id of ours) platform.add(id, 'in_progress')
    for (const id of others) platform.add(id, 'received')
    steps.push(
      () => {
        for (const id of others) platform.change(id, 'in_progress')
        for (const id of ours.slice(0, 10)) platform.change(id, 'completed')
      },
      () => {
        for (const id of ours.slice(10)) platform.change(id, 'completed')
      },
    )
    const polls: string[][] = []

    const result = await waitForRequests(ours, { timeoutMs: 60_000, onPoll: (r) => polls.push(r.map((x) => x.status)) }, { api: platform.api, clock })

    expect(result.outcome).toBe('completed')
    expect(result.requests.map((r) => r.id)).toEqual(ours)
    expect(polls.map((statuses) => statuses.filter((s) => s === 'completed').length)).toEqual([0, 10, 150])
    const [first, second, third] = [platform.calls.slice(0, 2), platform.calls.slice(2, 6), platform.calls.slice(6)]
    expect(first).toEqual([
      { ids: ours.slice(0, 100).join(','), limit: 100 },
      { ids: ours.slice(100).join(','), limit: 100 },
    ])
    const firstAsOf = '2026-11-26T12:00:00.000Z'
    // 500 others changed: two feed pages (ceil(150 open / 100)) do not reach the end, so the 150 are read by id.
    expect(second).toEqual([
      { view: 'own', updated_since: firstAsOf, limit: 100 },
      { view: 'own', updated_since: firstAsOf, cursor: '100', limit: 100 },
      { ids: ours.slice(0, 100).join(','), updated_since: firstAsOf, limit: 100 },
      { ids: ours.slice(100).join(','), updated_since: firstAsOf, limit: 100 },
    ])
    // Only ours changed since the second poll's first page: the feed reaches its end in two pages.
    const secondAsOf = '2026-11-26T12:00:01.000Z'
    expect(third).toEqual([
      { view: 'own', updated_since: secondAsOf, limit: 100 },
      { view: 'own', updated_since: secondAsOf, cursor: '100', limit: 100 },
    ])
  })

  it('follows batch requests (made for other people) on the organisation feed; refused it (no privacy:admin), reads by id', async () => {
    for (const refuse of [false, true]) {
      const steps: (() => void)[] = []
      const clock = steppingClock(steps)
      const platform = fakePlatform(clock, { refuseOrganisationView: refuse })
      platform.add(uuid(1), 'in_progress', 'offboarding')
      platform.add(uuid(2), 'in_progress')
      steps.push(() => platform.change(uuid(1), 'completed'), () => platform.change(uuid(2), 'completed'))

      const result = await waitForRequests([uuid(1), uuid(2)], { timeoutMs: 60_000 }, { api: platform.api, clock })
      expect(result.outcome).toBe('completed')
      const later = platform.calls.slice(1)
      expect(later[0]).toMatchObject({ view: 'organisation' })
      // Refused once, the organisation feed is not asked again: every later poll reads the open ids.
      if (refuse) expect(later.slice(1).every((query) => query.ids !== undefined && query.view === undefined)).toBe(true)
      else expect(later.every((query) => query.view === 'organisation')).toBe(true)
    }
  })

  it('keeps the newer version when a feed lists an older one', async () => {
    const steps: (() => void)[] = []
    const clock = steppingClock(steps)
    const platform = fakePlatform(clock)
    platform.add(uuid(1), 'in_progress')
    steps.push(() => platform.change(uuid(1), 'completed'))
    // The first feed page lists the request twice: as it is now, then as an older version than the one already seen.
    let feedCalls = 0
    const api: ApiClient = {
      ...platform.api,
      call: (async (endpoint: never, input: { query: ListQuery }) => {
        const page = (await platform.api.call(endpoint, input as never)) as { data: PrivacyRequest[] }
        if (input.query.updated_since && feedCalls++ === 0) page.data = [...page.data, ...page.data.map((r) => ({ ...r, status: 'received' as const, version: 1 }))]
        return page
      }) as ApiClient['call'],
    }
    const polls: string[] = []

    const result = await waitForRequests([uuid(1)], { timeoutMs: 60_000, onPoll: (r) => polls.push(r[0]?.status ?? '') }, { api, clock })
    expect(polls).toEqual(['in_progress', 'completed'])
    expect(result.outcome).toBe('completed')
  })

  it('names at most three ids the platform does not return, counts the rest, and exits as not found', async () => {
    const clock = steppingClock([])
    const platform = fakePlatform(clock)
    const ids = Array.from({ length: 205 }, (_, i) => uuid(i + 1))
    for (const id of ids.slice(5)) platform.add(id, 'completed')

    const error = await waitForRequests(ids, { timeoutMs: 1_000 }, { api: platform.api, clock }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NotFoundError)
    expect((error as NotFoundError).exitCode).toBe(ExitCode.notFound)
    expect((error as NotFoundError).message).toBe(`5 of 205 privacy requests not found: ${ids.slice(0, 3).join(', ')} and 2 more.`)
    expect(platform.calls).toHaveLength(3)
  })
})
