// Paces a bulk run's requests to the rate the platform advertises, so a run through a rate limit goes as fast as the
// limit allows without running into 429s: the RateLimit-Policy and RateLimit fields of
// draft-ietf-httpapi-ratelimit-headers-10 (https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/),
// read as a token bucket the client keeps in step with the server's.

/** A quota policy: `quota` requests per `windowSeconds` on average (the draft's q and w). */
export interface QuotaPolicy {
  quota: number
  windowSeconds: number
}

/** One member of a structured-field list (RFC 9651): a name (token or string) and its `;key=value` parameters. */
function members(value: string): Map<string, string>[] {
  return value.split(',').map((member) => {
    const params = new Map<string, string>()
    for (const part of member.split(';').slice(1)) {
      const [key, raw] = part.split('=')
      if (key && raw !== undefined) params.set(key.trim(), raw.trim())
    }
    return params
  })
}

function whole(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined
  return Number(value)
}

/**
 * The most restrictive request quota of a RateLimit-Policy field (its lowest q / w), or undefined when there is none
 * the client can pace to: no field, unparseable members, or only quotas counted in another unit (the draft's `qu`,
 * e.g. content bytes).
 */
export function parseQuotaPolicy(field: string | undefined): QuotaPolicy | undefined {
  if (!field) return undefined
  let slowest: QuotaPolicy | undefined
  for (const params of members(field)) {
    const unit = params.get('qu')
    if (unit !== undefined && unit !== '"requests"') continue
    const quota = whole(params.get('q'))
    // The draft's w is optional; without it the window is the server's to know: not pace-able.
    const windowSeconds = whole(params.get('w'))
    if (quota === undefined || !windowSeconds) continue
    if (!slowest || quota / windowSeconds < slowest.quota / slowest.windowSeconds) slowest = { quota, windowSeconds }
  }
  return slowest
}

/** The quota left (the draft's r) of a RateLimit field, its lowest when it has several. */
export function parseRemaining(field: string | undefined): number | undefined {
  if (!field) return undefined
  const left = members(field)
    .map((params) => whole(params.get('r')))
    .filter((r): r is number => r !== undefined)
  return left.length > 0 ? Math.min(...left) : undefined
}

/** What the pacer needs to remember about one request: its place among all requests and when it left. */
export interface Ticket {
  readonly sequence: number
  readonly sentAt: number
}

/**
 * A token bucket mirroring the server's: refilled at the advertised rate, holding at most the quota. Requests reserve
 * a token when they ask to go (the bucket may go below zero; each waits until its reservation is covered), so waiters
 * leave in order and nothing needs a lock. Until a response has told it the policy, it lets everything through.
 */
export class Pacer {
  private perMs: number | undefined
  private quota = 0
  /** The most the server ever said was left: its bucket holds at least that plus the one just taken. */
  private largestRemaining = 0
  private tokens = 0
  private at = 0
  private sequence = 0
  private synced = false

  /** Whether the server has advertised a rate this pacer keeps to. */
  get pacing(): boolean {
    return this.perMs !== undefined
  }

  /** Requests a second, once known. */
  get ratePerSecond(): number | undefined {
    return this.perMs === undefined ? undefined : this.perMs * 1000
  }

  /** Reserves a token at `now`: how long to wait before sending, and the ticket to hand back with the response. */
  reserve(now: number): { waitMs: number; ticket: (sentAt: number) => Ticket } {
    const sequence = ++this.sequence
    let waitMs = 0
    if (this.perMs !== undefined && this.synced) {
      this.refill(now)
      this.tokens -= 1
      if (this.tokens < 0) waitMs = Math.ceil(-this.tokens / this.perMs)
    }
    return { waitMs, ticket: (sentAt) => ({ sequence, sentAt }) }
  }

  /**
   * A response's RateLimit fields. The server had `remaining` whole tokens right after taking this request; every
   * request reserved since has taken, or will take, one of its own; and the bucket has refilled since (at most since
   * the request left). That estimate only ever lowers the client's own (floor() and the request's way out make it a
   * little low, and a lower bucket costs a token once, not a rate), except the first time, which sets it.
   */
  observe(ticket: Ticket, policy: QuotaPolicy | undefined, remaining: number | undefined, now: number): void {
    if (policy) {
      this.perMs = policy.quota / (policy.windowSeconds * 1000)
      this.quota = policy.quota
    }
    if (this.perMs === undefined || remaining === undefined) return
    this.largestRemaining = Math.max(this.largestRemaining, remaining)
    this.refill(now)
    const estimate = remaining - (this.sequence - ticket.sequence) + this.perMs * (now - ticket.sentAt)
    this.tokens = this.synced ? Math.min(this.tokens, estimate) : Math.min(this.capacity, estimate)
    this.synced = true
  }

  /** A 429: the server's bucket is empty now, whatever the client thought. */
  throttled(now: number): void {
    if (this.perMs === undefined) return
    this.refill(now)
    this.tokens = Math.min(this.tokens, 0)
  }

  /**
   * What the bucket holds when full: the quota, but no more than the server has shown. A window of whole seconds
   * cannot describe a smaller burst (20 requests refilled at 100 a second reads as q=100;w=1), and a bucket that
   * believed in 100 would send 80 requests into a 429 after every pause.
   */
  private get capacity(): number {
    return Math.min(this.quota, this.largestRemaining + 1)
  }

  private refill(now: number): void {
    if (this.perMs === undefined) return
    if (now > this.at) this.tokens = Math.min(this.capacity, this.tokens + (now - this.at) * this.perMs)
    this.at = Math.max(this.at, now)
  }
}

/** The time during which at least one request was held back by the rate limit: overlapping waits count once. */
export class WaitTally {
  private open = 0
  private since = 0
  private totalMs = 0

  constructor(private readonly now: () => number) {}

  async during(wait: () => Promise<void>): Promise<void> {
    if (this.open++ === 0) this.since = this.now()
    try {
      await wait()
    } finally {
      if (--this.open === 0) this.totalMs += this.now() - this.since
    }
  }

  get ms(): number {
    return this.totalMs + (this.open > 0 ? this.now() - this.since : 0)
  }
}
