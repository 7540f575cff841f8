// When a failed API call may be tried again, and how long to wait first.

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number
  baseDelayMs: number
  maxDelayMs: number
  /** A Retry-After longer than this is not waited for: the error is reported instead. */
  maxRetryAfterMs: number
}

export const defaultRetryPolicy: RetryPolicy = {
  retries: 4,
  baseDelayMs: 250,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504])

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status)
}

/** POST and PATCH change things: only a request carrying an Idempotency-Key may be sent twice. */
export function isSafeToRepeat(method: string, hasIdempotencyKey: boolean): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'PUT' || method === 'DELETE' || hasIdempotencyKey
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now.getTime())
}

/**
 * Exponential backoff with full jitter (AWS's "full jitter"), floored at Retry-After when the server sent one.
 * Returns undefined when the server asks for a longer wait than the policy allows.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  if (retryAfterMs !== undefined) {
    return retryAfterMs > policy.maxRetryAfterMs ? undefined : retryAfterMs
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}
