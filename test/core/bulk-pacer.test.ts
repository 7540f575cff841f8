// The bulk sender's pacer: the IETF RateLimit fields read right, and a run through a token bucket, on a virtual clock,
// kept to its rate without stalling below it or running into 429s.
import { describe, expect, it } from 'vitest'
import { Pacer, WaitTally, parseQuotaPolicy, parseRemaining } from '../../src/core/bulk/pacer.js'
import { RateLimiter, rateFields } from '../platform/rate-limit.js'

describe('RateLimit-Policy and RateLimit (draft-ietf-httpapi-ratelimit-headers)', () => {
  it('reads the quota per window, the most restrictive of several, and skips what is not a request quota', () => {
    expect(parseQuotaPolicy('"default";q=100;w=10')).toEqual({ quota: 100, windowSeconds: 10 })
    expect(parseQuotaPolicy('"burst";q=100;w=1, "daily";q=1000;w=86400')).toEqual({ quota: 1000, windowSeconds: 86400 })
    expect(parseQuotaPolicy('"bytes";q=1000;qu="content-bytes";w=1, "req";q=5;w=1;qu="requests"')).toEqual({ quota: 5, windowSeconds: 1 })
    for (const unusable of [undefined, '', '"default";q=100', '"default";w=10', '"x";q=-1;w=1', '"x";q=10;w=0', 'garbage']) {
      expect(parseQuotaPolicy(unusable)).toBeUndefined()
    }
  })

  it('reads the quota left, the lowest of several', () => {
    expect(parseRemaining('"default";r=7;t=2')).toBe(7)
    expect(parseRemaining('"a";r=7;t=2, "b";r=3;t=60')).toBe(3)
    expect(parseRemaining('"default";t=2')).toBeUndefined()
    expect(parseRemaining(undefined)).toBeUndefined()
  })
})

/**
 * `requests` sent through 4 slots at once, `slots` once the pacer knows the rate (as the sender does), each taking
 * `latencyMs` (half on the way in), against the platform's own token bucket, with the pacer deciding when each leaves.
 * Virtual time: events run in time order.
 */
function simulate(options: { capacity: number; perSecond: number; requests: number; slots: number; latencyMs: (i: number) => number }) {
  const limit = { capacity: options.capacity, refillPerSecond: options.perSecond }
  let now = 0
  const server = new RateLimiter(limit, () => now)
  const pacer = new Pacer()
  const events: { at: number; run: () => void }[] = []
  const schedule = (at: number, run: () => void) => events.push({ at, run })
  let started = 0
  let done = 0
  let limited = 0
  let pausedUntil = 0
  const next = () => {
    if (started >= options.requests) return
    const i = started++
    const leave = Math.max(now, pausedUntil)
    const { waitMs, ticket } = pacer.reserve(leave)
    schedule(leave + waitMs, () => {
      const sent = ticket(now)
      const latency = options.latencyMs(i)
      schedule(now + latency / 2, () => {
        const decision = server.take('caller')
        const fields = decision.fields ?? rateFields(limit, 0)
        schedule(now + latency / 2, () => {
          if (decision.allowed) {
            done += 1
            pacer.observe(sent, parseQuotaPolicy(fields.policy), parseRemaining(fields.state), now)
            for (; pacer.pacing && slots < options.slots; slots++) next()
          } else {
            limited += 1
            started -= 1 // sent again
            pacer.throttled(now)
            pausedUntil = now + decision.retryAfterSeconds * 1000
          }
          next()
        })
      })
    })
  }
  let slots = Math.min(4, options.slots)
  for (let slot = 0; slot < slots; slot++) next()
  for (let step = 0; events.length > 0 && step < 1_000_000; step++) {
    events.sort((a, b) => a.at - b.at)
    const event = events.shift()!
    now = event.at
    event.run()
  }
  return { done, limited, seconds: now / 1000 }
}

describe('Pacer', () => {
  // A deterministic jitter: 50 ms give or take 20.
  const jittered = (i: number) => 50 + ((i * 37) % 41) - 20

  it('keeps a run to the advertised rate: few 429s, and about as fast as the bucket allows', () => {
    const run = simulate({ capacity: 40, perSecond: 40, requests: 400, slots: 8, latencyMs: jittered })
    expect(run.done).toBe(400)
    expect(run.limited).toBeLessThanOrEqual(2)
    // What the bucket admits: 40 at once, then 40 a second; the last answer comes a round trip after the last send.
    const ideal = (400 - 40) / 40 + 0.07
    expect(run.seconds).toBeLessThan(ideal * 1.1)
    expect(run.seconds).toBeGreaterThan((400 - 40) / 40)
  })

  it('learns a burst smaller than a whole-second window from what the server says is left', () => {
    // 10 requests refilled at 100 a second: the policy can only say q=100;w=1.
    expect(rateFields({ capacity: 10, refillPerSecond: 100 }, 9).policy).toBe('"default";q=100;w=1')
    const run = simulate({ capacity: 10, perSecond: 100, requests: 500, slots: 16, latencyMs: jittered })
    expect(run.done).toBe(500)
    expect(run.limited).toBeLessThanOrEqual(3)
  })

  it('lets everything through until a response advertises a rate', () => {
    const pacer = new Pacer()
    for (let i = 0; i < 100; i++) expect(pacer.reserve(0).waitMs).toBe(0)
    expect(pacer.pacing).toBe(false)
  })

  it('waits in order once the bucket is spent, and after a 429 starts from empty', () => {
    const pacer = new Pacer()
    const first = pacer.reserve(0).ticket(0)
    pacer.observe(first, { quota: 10, windowSeconds: 1 }, 1, 0) // 10 a second, 1 left
    expect([pacer.reserve(0).waitMs, pacer.reserve(0).waitMs, pacer.reserve(0).waitMs]).toEqual([0, 100, 200])
    pacer.throttled(1000)
    expect(pacer.reserve(1000).waitMs).toBe(100)
  })
})

describe('WaitTally', () => {
  it('counts overlapping waits once', async () => {
    let now = 0
    const tally = new WaitTally(() => now)
    let release: () => void = () => undefined
    const a = tally.during(() => new Promise<void>((resolve) => (release = resolve)))
    now = 100
    let releaseB: () => void = () => undefined
    const b = tally.during(() => new Promise<void>((resolve) => (releaseB = resolve)))
    now = 300
    release()
    await a
    now = 400
    releaseB()
    await b
    expect(tally.ms).toBe(400)
  })
})
