// A token bucket per caller: `capacity` requests at once, refilled at `refillPerSecond`.
export interface RateLimit {
  capacity: number
  refillPerSecond: number
}

export const DEFAULT_RATE_LIMIT: RateLimit = { capacity: 600, refillPerSecond: 300 }

/** The header fields that describe the caller's bucket after a decision; absent when rate limiting is off. */
export interface RateFields {
  /** RateLimit-Limit and RateLimit-Remaining, as earlier drafts of the IETF RateLimit fields named them. */
  limit: number
  remaining: number
  /** RateLimit-Policy and RateLimit as draft-ietf-httpapi-ratelimit-headers-10 has them. */
  policy: string
  state: string
}

export type RateDecision = { allowed: true; fields?: RateFields } | { allowed: false; fields: RateFields; retryAfterSeconds: number }

/**
 * The draft describes a quota of q requests per window of w seconds (integers). A token bucket of capacity C refilled
 * at R per second is, on average, R requests a second with bursts of C: the window is C / R seconds (at least 1,
 * rounded), the quota R × w, so q / w is the refill rate a client can pace itself to. `r` is the whole requests left,
 * `t` the seconds until the bucket is full again.
 */
export function rateFields(limit: RateLimit, tokens: number): RateFields {
  const window = Math.max(1, Math.round(limit.capacity / limit.refillPerSecond))
  const quota = Math.max(1, Math.round(limit.refillPerSecond * window))
  const remaining = Math.max(0, Math.floor(tokens))
  const untilFull = Math.ceil(Math.max(0, limit.capacity - tokens) / limit.refillPerSecond)
  return {
    limit: limit.capacity,
    remaining,
    policy: `"${POLICY_NAME}";q=${quota};w=${window}`,
    state: `"${POLICY_NAME}";r=${remaining};t=${untilFull}`,
  }
}

const POLICY_NAME = 'default'

export class RateLimiter {
  private buckets = new Map<string, { tokens: number; atMs: number }>()

  constructor(
    private limit: RateLimit | null,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    if (limit) RateLimiter.check(limit)
  }

  /** A new limit (or null for none) starts every bucket full again. */
  set(limit: RateLimit | null): void {
    if (limit) RateLimiter.check(limit)
    this.limit = limit
    this.buckets.clear()
  }

  take(key: string): RateDecision {
    const limit = this.limit
    if (!limit) return { allowed: true }
    const now = this.nowMs()
    const bucket = this.buckets.get(key) ?? { tokens: limit.capacity, atMs: now }
    bucket.tokens = Math.min(limit.capacity, bucket.tokens + ((now - bucket.atMs) / 1000) * limit.refillPerSecond)
    bucket.atMs = now
    this.buckets.set(key, bucket)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return { allowed: true, fields: rateFields(limit, bucket.tokens) }
    }
    const seconds = (1 - bucket.tokens) / limit.refillPerSecond
    return { allowed: false, fields: rateFields(limit, bucket.tokens), retryAfterSeconds: Math.max(1, Math.ceil(seconds)) }
  }

  private static check(limit: RateLimit): void {
    if (!(limit.capacity >= 1) || !(limit.refillPerSecond > 0)) {
      throw new RangeError('rate limit needs capacity ≥ 1 and refillPerSecond > 0')
    }
  }
}
