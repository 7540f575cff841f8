// When a failed call may be made again and how long to wait first: the one policy of the HTTP clients
// (src/adapters/http-policy.ts applies it to requests, downloads and sign-in) and of the bulk sender, which schedules
// its own retries.
import { NetworkError, PlatformError } from './errors.js'

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
 * Exponential backoff with full jitter (AWS's "full jitter"), replaced by Retry-After when the server sent one.
 * Returns undefined when the server asks for a longer wait than the policy allows.
 */
export function backoffMs(
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

/**
 * For a caller that schedules its own retries (the bulk sender): whether a call that failed with `error` is worth
 * making again later. The network (not a TLS check), a retryable status, or our own earlier try still running.
 */
export function isRetryableError(error: unknown): boolean {
  if (error instanceof NetworkError) return error.code !== 'tls_failed'
  if (!(error instanceof PlatformError)) return false
  return isRetryableStatus(error.status) || error.code === 'idempotency_key_in_use'
}
