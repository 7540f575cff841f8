// One HTTP policy for the API client, the downloader and the OAuth client: the same failures are retried after the same
// waits and end in the same errors, whichever client met them (real loopback HTTP, a clock that records its waits).
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { systemClock } from '../../src/adapters/clock.js'
import { createDownloader } from '../../src/adapters/download.js'
import { createHttpClient } from '../../src/adapters/http.js'
import {
  proxyFor,
  retryDelay,
} from '../../src/adapters/http-policy.js'
import { backoffMs, defaultRetryPolicy, isSafeToRepeat, parseRetryAfter } from '../../src/core/retry-policy.js'
import { createOAuthClient } from '../../src/adapters/oauth.js'
import type { AnyEndpoint } from '../../src/core/contract/endpoints.js'
import { CLIENT_ID } from '../../src/core/contract/oauth.js'
import { ClowdopsError } from '../../src/core/errors.js'
import type { Clock } from '../../src/core/ports.js'
import { Secret } from '../../src/core/secret.js'
import { type LoopbackServer, answer, startLoopbackServer } from '../support/loopback.js'

const POLICY = { retries: 3, baseDelayMs: 40, maxDelayMs: 1000, maxRetryAfterMs: 5000 }
const FILE = Buffer.from('the export archive')
const FILE_SHA256 = createHash('sha256').update(FILE).digest('hex')
const DISCOVERY_PATH = '/.well-known/openid-configuration'

const thing: AnyEndpoint = {
  id: 'thing.get',
  method: 'GET',
  path: '/v1/thing',
  summary: 'A GET that needs no token.',
  tag: 'test',
  response: z.object({ ok: z.boolean() }),
  status: 200,
}

interface Planned {
  status: number
  retryAfter?: string
}

let server: LoopbackServer
/** The statuses the next requests get, whatever their path; once empty, each path gets its success. */
let plan: Planned[] = []
let dir: string

beforeAll(async () => {
  server = await startLoopbackServer((req, res) => {
    // Problem+json for the API and OAuth's `error` alike, so every client reads the code `planned`.
    const next = plan.shift()
    if (next) {
      const headers: Record<string, string> = next.retryAfter === undefined ? {} : { 'retry-after': next.retryAfter }
      return answer(res, next.status, { type: 'about:blank', title: 'planned', status: next.status, code: 'planned', request_id: 'req_1', error: 'planned' }, headers)
    }
    if (req.url === DISCOVERY_PATH) {
      return answer(res, 200, { issuer: server.url, token_endpoint: `${server.url}/token`, device_authorization_endpoint: `${server.url}/device` })
    }
    if (req.url === '/v1/files/export.zip') return void res.writeHead(200, { 'content-length': FILE.length }).end(FILE)
    answer(res, 200, { ok: true })
  })
  dir = mkdtempSync(join(tmpdir(), 'clowdops-policy-'))
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})
afterEach(() => {
  plan = []
  server.responses.length = 0
})

/** Records each wait and returns at once: the waits asked for are what is compared. */
function recordingClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = []
  return { sleeps, now: systemClock.now, sleep: (ms, signal) => (sleeps.push(ms), systemClock.sleep(0, signal)) }
}

const platform = (clock: Clock) => ({
  baseUrl: server.url,
  userAgent: 'clowdops/0.0.0-test',
  clock,
  session: { token: async () => new Secret('cop_test'), afterRejection: async () => undefined },
  retry: POLICY,
})

/** The same GET through each client. */
const clients = {
  'API call': (clock: Clock) => createHttpClient(platform(clock)).call(thing),
  download: (clock: Clock) =>
    createDownloader(platform(clock)).download({
      path: '/v1/files/export.zip',
      destination: join(dir, `export-${Math.random()}.zip`),
      expected: { bytes: FILE.length, sha256: FILE_SHA256 },
    }),
  'OAuth discovery': (clock: Clock) => createOAuthClient({ userAgent: 'clowdops/0.0.0-test', clock, retry: POLICY }).discover(server.url),
}

interface Trace {
  requests: number
  sleeps: number[]
  outcome: string
}

async function trace(run: (clock: Clock) => Promise<unknown>, planned: Planned[]): Promise<Trace> {
  plan = [...planned]
  server.responses.length = 0
  const clock = recordingClock()
  const outcome = await run(clock).then(
    () => 'ok',
    (error: unknown) => (error instanceof ClowdopsError ? `exit ${error.exitCode} ${error.code}` : String(error)),
  )
  return { requests: server.responses.length, sleeps: clock.sleeps, outcome }
}

/** Full jitter: the nth backoff lies in [ceiling/2, ceiling], the ceiling doubling from baseDelayMs. */
function backoff(attempt: number): [number, number] {
  const ceiling = Math.min(POLICY.maxDelayMs, POLICY.baseDelayMs * 2 ** (attempt - 1))
  return [ceiling / 2, ceiling]
}

describe('the policy on its own', () => {
  it('backs off exponentially with jitter inside [ceiling/2, ceiling], never above the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, random) => {
        const delay = backoffMs(attempt, undefined, defaultRetryPolicy, () => random)!
        const ceiling = Math.min(defaultRetryPolicy.maxDelayMs, defaultRetryPolicy.baseDelayMs * 2 ** (attempt - 1))
        expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2))
        expect(delay).toBeLessThanOrEqual(ceiling)
      }),
    )
  })

  it('waits exactly what Retry-After asks, and gives up when it asks for more than the cap', () => {
    expect(backoffMs(1, 3000, defaultRetryPolicy)).toBe(3000)
    expect(backoffMs(1, defaultRetryPolicy.maxRetryAfterMs + 1, defaultRetryPolicy)).toBeUndefined()
  })

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = new Date('2026-11-26T12:00:00Z')
    expect(parseRetryAfter('7', now)).toBe(7000)
    expect(parseRetryAfter('Thu, 26 Nov 2026 12:00:30 GMT', now)).toBe(30_000)
    expect(parseRetryAfter('Thu, 26 Nov 2026 11:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
  })

  it('repeats POST and PATCH only with an Idempotency-Key', () => {
    expect(isSafeToRepeat('GET', false)).toBe(true)
    expect(isSafeToRepeat('POST', false)).toBe(false)
    expect(isSafeToRepeat('PATCH', false)).toBe(false)
    expect(isSafeToRepeat('POST', true)).toBe(true)
  })

  it('never retries what the same request cannot escape: a TLS failure, a body over its cap, an abort', () => {
    const now = new Date()
    const retried = (error: { name: string; code: string }) => retryDelay({ error: { ...error, message: '' } }, 1, defaultRetryPolicy, now)
    expect(retried({ name: 'RequestError', code: 'ECONNRESET' })).toBeDefined()
    expect(retried({ name: 'TimeoutError', code: 'ETIMEDOUT' })).toBeDefined()
    expect(retried({ name: 'RequestError', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })).toBeUndefined()
    expect(retried({ name: 'RequestError', code: 'ERR_BODY_TOO_LARGE' })).toBeUndefined()
    expect(retried({ name: 'AbortError', code: 'ABORT_ERR' })).toBeUndefined()
  })

  it('stops once the tries in a row reach policy.retries, and never repeats what is not repeatable', () => {
    const now = new Date()
    const busy = { status: 503, retryAfter: undefined }
    expect(retryDelay(busy, defaultRetryPolicy.retries, defaultRetryPolicy, now)).toBeDefined()
    expect(retryDelay(busy, defaultRetryPolicy.retries + 1, defaultRetryPolicy, now)).toBeUndefined()
    expect(retryDelay(busy, 1, defaultRetryPolicy, now, false)).toBeUndefined()
  })
})

describe('the proxy a request goes through', () => {
  const PROXY = 'http://proxy.example:3128'
  const saved = { HTTP_PROXY: process.env.HTTP_PROXY, HTTPS_PROXY: process.env.HTTPS_PROXY, NO_PROXY: process.env.NO_PROXY }
  afterEach(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  })

  it('is the configured one for a remote host, none where NO_PROXY names it, and never one for loopback', async () => {
    Object.assign(process.env, { HTTP_PROXY: PROXY, HTTPS_PROXY: PROXY, NO_PROXY: 'api.internal.example' })
    const cases: [string, string | undefined][] = [
      ['https://platform.clowdops.ai/v1/me', PROXY],
      ['http://platform.example/v1/me', PROXY],
      ['https://api.internal.example/v1/me', undefined],
      ['http://127.0.0.1:8080/v1/me', undefined],
      ['http://127.42.0.1:8080/v1/me', undefined],
      ['https://127.0.0.1:8443/oauth/token', undefined],
      ['http://localhost:3000/v1/files/export.zip', undefined],
      ['http://[::1]:3000/.well-known/openid-configuration', undefined],
    ]
    for (const [url, proxy] of cases) expect(await proxyFor(url), url).toBe(proxy)
  })
})

describe('the same retry decisions for API calls, downloads and OAuth discovery', () => {
  const scenarios: { name: string; planned: Planned[]; requests: number; sleeps: (number | [number, number])[]; outcome: string }[] = [
    {
      name: 'a 503 and a 429 are waited out for their Retry-After, then the GET succeeds',
      planned: [{ status: 503, retryAfter: '1' }, { status: 429, retryAfter: '2' }],
      requests: 3,
      sleeps: [1000, 2000],
      outcome: 'ok',
    },
    {
      name: 'without Retry-After, the waits back off from baseDelayMs, doubling',
      planned: [{ status: 502 }, { status: 500 }, { status: 504 }],
      requests: 4,
      sleeps: [backoff(1), backoff(2), backoff(3)],
      outcome: 'ok',
    },
    {
      name: 'a Retry-After longer than maxRetryAfterMs is not waited for: the 503 is reported (exit 1)',
      planned: [{ status: 503, retryAfter: '3600' }],
      requests: 1,
      sleeps: [],
      outcome: 'exit 1 planned',
    },
    {
      name: 'a status that will not change is not retried',
      planned: [{ status: 501 }],
      requests: 1,
      sleeps: [],
      outcome: 'exit 1 planned',
    },
    {
      name: 'after policy.retries the last failure is reported, 429 as exit 7',
      planned: Array.from({ length: 6 }, () => ({ status: 429 })),
      requests: 4,
      sleeps: [backoff(1), backoff(2), backoff(3)],
      outcome: 'exit 7 planned',
    },
  ]

  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      for (const [client, run] of Object.entries(clients)) {
        const seen = await trace(run, scenario.planned)
        expect({ client, requests: seen.requests, outcome: seen.outcome }).toEqual({ client, requests: scenario.requests, outcome: scenario.outcome })
        expect(seen.sleeps, client).toHaveLength(scenario.sleeps.length)
        scenario.sleeps.forEach((expected, i) => {
          const [min, max] = typeof expected === 'number' ? [expected, expected] : expected
          expect(seen.sleeps[i], `${client}, wait ${i + 1}`).toBeGreaterThanOrEqual(min)
          expect(seen.sleeps[i], `${client}, wait ${i + 1}`).toBeLessThanOrEqual(max)
        })
      }
    })
  }

  it('a POST without an Idempotency-Key is sent once, API call and OAuth token request alike', async () => {
    const unkeyed: AnyEndpoint = { ...thing, method: 'POST' }
    const api = await trace((clock) => createHttpClient(platform(clock)).call(unkeyed), [{ status: 503 }])
    const token = await trace(
      (clock) =>
        createOAuthClient({ userAgent: 'clowdops/0.0.0-test', clock, retry: POLICY }).token(
          { issuer: server.url, token_endpoint: `${server.url}/token`, device_authorization_endpoint: `${server.url}/device` },
          { grant_type: 'refresh_token', refresh_token: new Secret('rt_test'), client_id: CLIENT_ID },
        ),
      [{ status: 503 }],
    )
    expect(api).toEqual({ requests: 1, sleeps: [], outcome: 'exit 1 planned' })
    expect(token).toEqual({ requests: 1, sleeps: [], outcome: 'exit 1 planned' })
  })
})

describe('a session token that cannot be a bearer token', () => {
  const signedIn: AnyEndpoint = { ...thing, scopes: [] }
  // What a pasted token can carry: a control character, a line break in the middle, a space, a non-ASCII letter.
  const broken = ['cop_abc\u0001defghijklmnop', 'cop_abcdefgh\nijklmnop', 'Bearer cop_abcdefghijklmnop', 'cop_abcdéfghijklmnop']

  it('is refused before any request, API call and download alike: exit 4, no retry, the token not in the message', async () => {
    for (const token of broken) {
      const session = { token: async () => new Secret(token), afterRejection: async () => undefined }
      const runs = {
        'API call': (clock: Clock) => createHttpClient({ ...platform(clock), session }).call(signedIn),
        download: (clock: Clock) =>
          createDownloader({ ...platform(clock), session }).download({
            path: '/v1/files/export.zip',
            destination: join(dir, `export-${Math.random()}.zip`),
            expected: { bytes: FILE.length, sha256: FILE_SHA256 },
          }),
      }
      for (const [client, run] of Object.entries(runs)) {
        let message = ''
        const seen = await trace((clock) => run(clock).catch((error: Error) => ((message = error.message), Promise.reject(error))), [])
        expect({ client, token, ...seen }).toEqual({ client, token, requests: 0, sleeps: [], outcome: 'exit 4 invalid_token' })
        expect(message).toMatch(/cannot be sent/)
        expect(message).not.toContain(token)
      }
    }
  })
})
