// Following requests to their end: polls with backoff until every one is final, one needs a person, or time is up.
// Thousands of ids cost a few list calls per poll, not a GET each: the first poll reads them 100 at a time by id, and
// every later poll reads only what changed since the previous one (the list's updated_since, from its as_of).
import { z } from 'zod'
import { endpoints, FINAL_STATES, type ListView, MAX_IDS_PER_QUERY, type PrivacyRequestPage } from '../contract/index.js'
import { NotFoundError, PlatformError } from '../errors.js'
import { MAX_PAGE_SIZE } from '../pagination.js'
import type { Deps } from '../ports.js'
import { Created, RequestView, view } from './requests.js'

export const WaitOutcome = z
  .enum(['completed', 'ended', 'needs_verification', 'timed_out'])
  .describe(
    'completed: every request completed; ended: every request is final, some not completed (denied, canceled, failed, ' +
      'expired); needs_verification: one waits for its verification code, which no amount of waiting moves; timed_out.',
  )
export type WaitOutcome = z.infer<typeof WaitOutcome>

export const WaitResult = z.object({ outcome: WaitOutcome, requests: z.array(RequestView) })
export type WaitResult = z.infer<typeof WaitResult>

/** `privacy request`: the request as created, then, with --wait, how following it ended. */
export const FollowedRequest = Created.extend({ wait: WaitResult.optional() })
export type FollowedRequest = z.infer<typeof FollowedRequest>

export interface WaitOptions {
  timeoutMs: number
  /** After every poll, with the requests as they are now. */
  onPoll?: (requests: RequestView[]) => void
}

const FIRST_DELAY_MS = 1_000
const MAX_DELAY_MS = 15_000
const BACKOFF = 1.5
/** How many missing ids an error names; the rest are counted. */
const NAMED_MISSING = 3

type ListDeps = Pick<Deps, 'api'>

/** The requests being followed, by id, each as its newest version seen. */
type Known = Map<string, RequestView>

export async function waitForRequests(ids: string[], options: WaitOptions, deps: Pick<Deps, 'api' | 'clock'>): Promise<WaitResult> {
  const deadline = deps.clock.now().getTime() + options.timeoutMs
  const wanted = ids.map((id) => id.toLowerCase())
  // Nothing to follow is trivially done, and has no first page to take a watermark from.
  if (wanted.length === 0) return { outcome: 'completed', requests: [] }
  const unique = [...new Set(wanted)]
  const first = await readByIds(unique, deps)
  const known: Known = first.requests
  let watermark = first.asOf
  const feed: ChangesFeed = { view: feedViewFor(known) }
  let delay = FIRST_DELAY_MS
  for (;;) {
    const requests = wanted.map((id) => known.get(id) as RequestView)
    options.onPoll?.(requests)
    const outcome = settledOutcome(requests)
    if (outcome) return { outcome, requests }
    const left = deadline - deps.clock.now().getTime()
    if (left <= 0) return { outcome: 'timed_out', requests }
    await deps.clock.sleep(Math.min(delay, left))
    delay = Math.min(delay * BACKOFF, MAX_DELAY_MS)
    const open = unique.filter((id) => !FINAL_STATES.includes((known.get(id) as RequestView).status))
    watermark = await readChanges(known, open, watermark, feed, deps)
  }
}

/**
 * The first poll: every id by name, 100 per call. An id the platform does not return does not exist for this caller,
 * and waiting cannot make it appear, so that is an error naming it (a 404, as `privacy status` gives for one id).
 */
async function readByIds(ids: string[], deps: ListDeps): Promise<{ requests: Known; asOf: string }> {
  const requests: Known = new Map()
  let asOf: string | undefined
  for (const chunk of chunksOf(ids, MAX_IDS_PER_QUERY)) {
    const page = await listPage({ ids: chunk.join(',') }, deps)
    asOf ??= page.as_of
    for (const request of page.data) requests.set(request.id, view(request))
  }
  const missing = ids.filter((id) => !requests.has(id))
  if (missing.length > 0) throw notFound(missing, ids.length)
  return { requests, asOf: asOf as string }
}

/**
 * The list whose changes feed covers the requests followed: the own view for one's own, the organisation view once a
 * batch request (made for someone else) is among them; undefined once that view was refused, so polls read by id.
 */
interface ChangesFeed {
  view: ListView | undefined
}

function feedViewFor(known: Known): ListView {
  return [...known.values()].some((request) => request.batch_id !== null) ? 'organisation' : 'own'
}

/**
 * A later poll: the changes feed since the watermark, applied to the requests followed (`open`: those not final). When unrelated requests
 * change so much that the feed runs longer than reading the open ones by id would (ceil(open / 100) pages), the feed
 * is dropped for this poll and the open ones are read by id instead, changed since the same watermark. Either way
 * the next watermark is the as_of of this poll's first page, so nothing that changes meanwhile is missed. A token
 * without privacy:admin that follows batch requests about itself is refused the organisation feed (403): from then
 * on every poll reads by id.
 */
async function readChanges(known: Known, open: string[], since: string, feed: ChangesFeed, deps: ListDeps): Promise<string> {
  const budget = Math.max(1, Math.ceil(open.length / MAX_IDS_PER_QUERY))
  let asOf: string | undefined
  let cursor: string | undefined
  for (let pages = 0; feed.view !== undefined && pages < budget; pages++) {
    const page = await listPage({ view: feed.view, updated_since: since, ...(cursor ? { cursor } : {}) }, deps).catch((error: unknown) => {
      if (error instanceof PlatformError && error.status === 403) return undefined
      throw error
    })
    if (!page) {
      feed.view = undefined
      break
    }
    asOf ??= page.as_of
    applyChanges(known, page.data)
    if (!page.next_cursor) return asOf
    cursor = page.next_cursor
  }
  for (const chunk of chunksOf(open, MAX_IDS_PER_QUERY)) {
    const page = await listPage({ ids: chunk.join(','), updated_since: since }, deps)
    asOf ??= page.as_of
    applyChanges(known, page.data)
  }
  // No open request left to read means nothing to follow either; the old watermark stays right.
  return asOf ?? since
}

/** Only requests being followed, and only a newer version: a feed may list one change twice, or out of order. */
function applyChanges(known: Known, changed: PrivacyRequestPage['data']): void {
  for (const request of changed) {
    const seen = known.get(request.id)
    if (seen && request.version > seen.version) known.set(request.id, view(request))
  }
}

/** Ctrl-C reaches these calls and the sleeps between polls through the run's api client and clock. */
function listPage(query: { view?: ListView; ids?: string; updated_since?: string; cursor?: string }, deps: ListDeps): Promise<PrivacyRequestPage> {
  return deps.api.call(endpoints.listPrivacyRequests, { query: { ...query, limit: MAX_PAGE_SIZE } })
}

function notFound(missing: string[], total: number): NotFoundError {
  const hint = 'Check the ids: clowdops privacy list shows the requests this profile can see.'
  if (total === 1) return new NotFoundError(`No privacy request ${missing[0]}.`, { hint })
  const named = missing.slice(0, NAMED_MISSING).join(', ')
  const more = missing.length > NAMED_MISSING ? ` and ${missing.length - NAMED_MISSING} more` : ''
  return new NotFoundError(`${missing.length} of ${total} privacy requests not found: ${named}${more}.`, { hint })
}

function chunksOf<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = []
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size))
  return chunks
}

function settledOutcome(requests: RequestView[]): WaitOutcome | undefined {
  if (requests.some((r) => r.status === 'pending_verification')) return 'needs_verification'
  if (!requests.every((r) => FINAL_STATES.includes(r.status))) return undefined
  return requests.every((r) => r.status === 'completed') ? 'completed' : 'ended'
}
