// Fault knobs for tests and the demo: failed requests, latency, connections reset or truncated mid-response, bodies
// that never end.
export type FaultStatus = 500 | 502 | 503 | 429 | 408

export interface Faults {
  /** Answer the next `count` /v1 requests with `status` instead of handling them (no effect happens). */
  failNext(count: number, status: FaultStatus, options?: { retryAfter?: number }): void
  /**
   * Delay every /v1 request by `ms`, give or take up to `jitterMs` (uniform), drawn per request: half of it before the
   * platform looks at the request (rate limit included), half before it answers, as a network's round trip would.
   * 0 turns it off.
   */
  latency(ms: number, jitterMs?: number): void
  /** For the next `count` responses: send status, headers and part of the body, then reset the connection. */
  resetNext(count: number): void
  /** For the next `count` responses: announce the full Content-Length, send half the bytes, then close. */
  truncateNext(count: number): void
  /**
   * For the next `count` JSON responses: the body never ends. Filler (JSON whitespace) follows it, without a
   * Content-Length, until the client hangs up (or after FLOOD_LIMIT_BYTES). A file response that takes one is unchanged.
   */
  floodNext(count: number): void
  clear(): void
}

export const FAULT_STATUSES: readonly FaultStatus[] = [500, 502, 503, 429, 408]

export const FAULT_CODES: Record<FaultStatus, string> = {
  500: 'internal_error',
  502: 'bad_gateway',
  503: 'unavailable',
  429: 'rate_limited',
  408: 'request_timeout',
}

/** What the faults decided for one request, taken when it arrives. */
export interface FaultPlan {
  fail?: { status: FaultStatus; retryAfter?: number }
  broken?: 'reset' | 'truncate'
  flood?: true
}

/** Where a flooded body stops if the client never hangs up: a bound for the loop, far past any client's limit. */
export const FLOOD_LIMIT_BYTES = 1024 * 1024 * 1024

function count(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number ≥ 0, got ${value}`)
  return value
}

/** Calls add up: failNext(1, 503) then failNext(1, 500) fails one request with 503, the next with 500. */
export class FaultState implements Faults {
  private failures: { remaining: number; status: FaultStatus; retryAfter?: number }[] = []
  private resets = 0
  private truncations = 0
  private floods = 0
  latencyMs = 0
  latencyJitterMs = 0

  /** `random` in [0, 1) draws each request's jitter; injectable so a test can pin it. */
  constructor(private readonly random: () => number = Math.random) {}

  failNext(n: number, status: FaultStatus, options: { retryAfter?: number } = {}): void {
    if (!FAULT_STATUSES.includes(status)) throw new RangeError(`failNext status must be one of ${FAULT_STATUSES.join(', ')}`)
    if (options.retryAfter !== undefined) count('retryAfter', options.retryAfter)
    if (count('count', n) > 0) this.failures.push({ remaining: n, status, retryAfter: options.retryAfter })
  }

  latency(ms: number, jitterMs = 0): void {
    count('latency', ms)
    if (count('jitter', jitterMs) > ms) throw new RangeError(`jitter (${jitterMs} ms) must not exceed the latency (${ms} ms)`)
    this.latencyMs = ms
    this.latencyJitterMs = jitterMs
  }

  /** One request's delay: the latency plus a uniform draw in [-jitter, +jitter], in whole milliseconds. */
  delayMs(): number {
    if (this.latencyMs === 0) return 0
    return Math.round(this.latencyMs + (this.random() * 2 - 1) * this.latencyJitterMs)
  }

  resetNext(n: number): void {
    this.resets += count('count', n)
  }

  truncateNext(n: number): void {
    this.truncations += count('count', n)
  }

  floodNext(n: number): void {
    this.floods += count('count', n)
  }

  clear(): void {
    this.failures = []
    this.resets = 0
    this.truncations = 0
    this.floods = 0
    this.latencyMs = 0
    this.latencyJitterMs = 0
  }

  /** Consume the faults for one arriving request: a failure first; otherwise a reset, then a truncation, then a flood. */
  take(): FaultPlan {
    const failure = this.failures[0]
    if (failure) {
      failure.remaining -= 1
      if (failure.remaining === 0) this.failures.shift()
      return { fail: { status: failure.status, ...(failure.retryAfter !== undefined ? { retryAfter: failure.retryAfter } : {}) } }
    }
    if (this.resets > 0) {
      this.resets -= 1
      return { broken: 'reset' }
    }
    if (this.truncations > 0) {
      this.truncations -= 1
      return { broken: 'truncate' }
    }
    if (this.floods > 0) {
      this.floods -= 1
      return { flood: true }
    }
    return {}
  }

  describe() {
    return {
      fail_next: this.failures.map((f) => ({ count: f.remaining, status: f.status, retry_after: f.retryAfter ?? null })),
      latency_ms: this.latencyMs,
      latency_jitter_ms: this.latencyJitterMs,
      reset_next: this.resets,
      truncate_next: this.truncations,
      flood_next: this.floods,
    }
  }
}
