// Following requests to their end: polls with backoff until every one is final, one needs a person, or time is up.
import { FINAL_STATES } from '../contract/index.js'
import type { Deps } from '../ports.js'
import { getRequest, type RequestView } from './requests.js'

export type WaitOutcome =
  /** Every request completed. */
  | 'completed'
  /** Every request is final, some not completed (denied, canceled, failed, expired). */
  | 'ended'
  /** One is waiting for its verification code: no amount of waiting moves it. */
  | 'needs_verification'
  | 'timed_out'

export interface WaitResult {
  outcome: WaitOutcome
  requests: RequestView[]
}

export interface WaitOptions {
  timeoutMs: number
  /** After every poll, with the requests as they are now. */
  onPoll?: (requests: RequestView[]) => void
  signal?: AbortSignal
}

const FIRST_DELAY_MS = 1_000
const MAX_DELAY_MS = 15_000
const BACKOFF = 1.5

export async function waitForRequests(ids: string[], options: WaitOptions, deps: Pick<Deps, 'api' | 'clock'>): Promise<WaitResult> {
  const deadline = deps.clock.now().getTime() + options.timeoutMs
  let delay = FIRST_DELAY_MS
  for (;;) {
    const requests: RequestView[] = []
    for (const id of ids) requests.push(await getRequest(id, deps))
    options.onPoll?.(requests)
    const outcome = settledOutcome(requests)
    if (outcome) return { outcome, requests }
    const left = deadline - deps.clock.now().getTime()
    if (left <= 0) return { outcome: 'timed_out', requests }
    await deps.clock.sleep(Math.min(delay, left), options.signal)
    delay = Math.min(delay * BACKOFF, MAX_DELAY_MS)
  }
}

function settledOutcome(requests: RequestView[]): WaitOutcome | undefined {
  if (requests.some((r) => r.status === 'pending_verification')) return 'needs_verification'
  if (!requests.every((r) => FINAL_STATES.includes(r.status))) return undefined
  return requests.every((r) => r.status === 'completed') ? 'completed' : 'ended'
}
