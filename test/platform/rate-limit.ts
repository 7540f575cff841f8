// A token bucket per caller: `capacity` requests at once, refilled at `refillPerSecond`.
export interface RateLimit {
  capacity: number
  refillPerSecond: number
}

export const DEFAULT_RATE_LIMIT: RateLimit = { capacity: 600, refillPerSecond: 300 }

/** `limit` and `remaining` (whole requests left) are absent when rate limiting is off. */
export type RateDecision =
  | { allowed: true; limit?: number; remaining?: number }
  | { allowed: false; limit: number; remaining: 0; retryAfterSeconds: number }

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
      return { allowed: true, limit: limit.capacity, remaining: Math.floor(bucket.tokens) }
    }
    const seconds = (1 - bucket.tokens) / limit.refillPerSecond
    return { allowed: false, limit: limit.capacity, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil(seconds)) }
  }

  private static check(limit: RateLimit): void {
    if (!(limit.capacity >= 1) || !(limit.refillPerSecond > 0)) {
      throw new RangeError('rate limit needs capacity ≥ 1 and refillPerSecond > 0')
    }
  }
}
