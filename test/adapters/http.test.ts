// The API client against the local platform over real loopback HTTP: retries, idempotency, errors, schemas, proxies,
// timeouts.
import { createServer, type Server } from 'node:http'
import { type AddressInfo, connect } from 'node:net'
import type { Duplex } from 'node:stream'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { systemClock } from '../../src/adapters/clock.js'
import { createHttpClient } from '../../src/adapters/http.js'
import { endpoints } from '../../src/core/contract/index.js'
import { ExitCode, InterruptedError, PlatformError, RefusedError, ResponseShapeError } from '../../src/core/errors.js'
import type { Clock } from '../../src/core/ports.js'
import { Secret } from '../../src/core/secret.js'
import { type Platform, startPlatform } from '../platform/server.js'
import { MiB, answer, drip, flood, startLoopbackServer } from '../support/loopback.js'

let platform: Platform

beforeAll(async () => {
  platform = await startPlatform({ seed: { projects: 5 } })
})
afterAll(() => platform.close())
afterEach(() => {
  platform.faults.clear()
  platform.rateLimit.set({ capacity: 600, refillPerSecond: 300 })
})

/** The real clock, recording every backoff the client asked for. */
function recordingClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = []
  return { sleeps, now: systemClock.now, sleep: (ms, signal) => (sleeps.push(ms), systemClock.sleep(ms, signal)) }
}

interface ClientOptions {
  clock?: Clock
  baseUrl?: string
  token?: string
  debug?: (line: string) => void
  idleMs?: number
  retries?: number
  signal?: AbortSignal
}

function client(options: ClientOptions = {}) {
  return createHttpClient({
    baseUrl: options.baseUrl ?? platform.url,
    userAgent: 'clowdops/0.0.0-test (node test; test)',
    clock: options.clock ?? systemClock,
    session: { token: async () => new Secret(options.token ?? platform.token), afterRejection: async () => undefined },
    retry: { retries: options.retries ?? 3, baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 5000 },
    ...(options.idleMs === undefined ? {} : { timeouts: { idleMs: options.idleMs } }),
    signal: options.signal,
    debug: options.debug,
  })
}

describe('retries', () => {
  it('waits out two 503s with Retry-After: 1, then succeeds', async () => {
    platform.faults.failNext(2, 503, { retryAfter: 1 })
    const clock = recordingClock()
    const started = Date.now()
    const page = await client({ clock }).call(endpoints.listProjects, { query: { limit: 2 } })
    expect(page.data).toHaveLength(2)
    expect(clock.sleeps).toEqual([1000, 1000])
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000)
  })

  it('does not retry a POST that carries no Idempotency-Key', async () => {
    const unkeyed = { ...endpoints.createProject, idempotent: false }
    const before = platform.stats.requests
    platform.faults.failNext(1, 503)
    const error = await client().call(unkeyed, { body: { name: 'once-only' } }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PlatformError)
    expect((error as PlatformError).status).toBe(503)
    expect(platform.stats.requests - before).toBe(1)
  })

  it('retries a POST with an Idempotency-Key through a 500 and a reset, and the platform performs it once', async () => {
    const created = platform.stats.projectsCreated
    platform.faults.failNext(1, 500)
    platform.faults.resetNext(1)
    const clock = recordingClock()
    const project = await client({ clock }).call(endpoints.createProject, { body: { name: 'retried-once' } })
    expect(project.name).toBe('retried-once')
    expect(clock.sleeps).toHaveLength(2)
    expect(platform.stats.projectsCreated - created).toBe(1)
    const listed = await client().call(endpoints.listProjects, { query: { limit: 100 } })
    expect(listed.data.filter((p) => p.name === 'retried-once')).toHaveLength(1)
  })

  it('retries a GET whose connection is reset mid-response', async () => {
    platform.faults.resetNext(1)
    const clock = recordingClock()
    const page = await client({ clock }).call(endpoints.listProjects, {})
    expect(page.data.length).toBeGreaterThan(0)
    expect(clock.sleeps).toHaveLength(1)
  })

  it('retries a GET whose body was truncated', async () => {
    platform.faults.truncateNext(1)
    const page = await client().call(endpoints.listProjects, {})
    expect(page.data.length).toBeGreaterThan(0)
  })

  it('gives up on a rate limit that outlasts the retries, with the network exit code', async () => {
    platform.rateLimit.set({ capacity: 1, refillPerSecond: 0.01 })
    await client().call(endpoints.me)
    const error = await client().call(endpoints.me).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PlatformError)
    expect((error as PlatformError).code).toBe('rate_limited')
    expect((error as PlatformError).exitCode).toBe(ExitCode.network)
  })
})

describe('errors and contract checks', () => {
  it('turns a problem+json 401 into a typed error with the request id and exit 4', async () => {
    const error = await client({ token: 'cop_notARealTokenAtAll0000000000000000' })
      .call(endpoints.me)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PlatformError)
    const platformError = error as PlatformError
    expect(platformError.status).toBe(401)
    expect(platformError.code).toBe('invalid_token')
    expect(platformError.exitCode).toBe(ExitCode.notSignedIn)
    expect(platformError.requestId).toMatch(/^req_/)
  })

  it('maps 404 to exit 5', async () => {
    const error = await client()
      .call(endpoints.listSandboxes, { params: { project_id: 'prj_doesnotexist' } })
      .catch((e: unknown) => e)
    expect((error as PlatformError).exitCode).toBe(ExitCode.notFound)
  })

  it('names the endpoint and the field when a response does not match its schema', async () => {
    const stricter = {
      ...endpoints.listProjects,
      response: z.object({ data: z.array(z.object({ id: z.string().regex(/^team_/) })) }),
    }
    const error = await client().call(stricter, {}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ResponseShapeError)
    expect((error as Error).message).toContain('GET /v1/projects')
    expect((error as Error).message).toContain('field data[0].id')
  })

  it('refuses invalid input locally, before sending (exit 10)', async () => {
    const before = platform.stats.requests
    const error = await client().call(endpoints.createProject, { body: { name: '' } }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RefusedError)
    expect(platform.stats.requests).toBe(before)
  })

  it('refuses plain http to a non-loopback host before any connection', async () => {
    const lines: string[] = []
    const error = await client({ baseUrl: 'http://platform.example.com', debug: (l) => lines.push(l) })
      .call(endpoints.health)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RefusedError)
    expect((error as RefusedError).code).toBe('insecure_url')
    expect(lines).toEqual([]) // the client logs every attempt before it connects: there was none
  })
})

describe('debug log', () => {
  it('shows requests and responses with the token redacted', async () => {
    const lines: string[] = []
    await client({ debug: (l) => lines.push(l) }).call(endpoints.me)
    const log = lines.join('\n')
    expect(log).toContain('GET')
    expect(log).toContain('/v1/me')
    expect(log).toContain('clowdops/0.0.0-test')
    expect(log).toContain('[redacted]')
    expect(log).not.toContain(platform.token)
  })
})

describe('proxies', () => {
  let proxy: Server
  let proxied = 0
  const tunnels: Duplex[] = []
  const saved = { HTTP_PROXY: process.env.HTTP_PROXY, HTTPS_PROXY: process.env.HTTPS_PROXY, NO_PROXY: process.env.NO_PROXY }

  beforeAll(async () => {
    // A minimal proxy that tunnels CONNECT, as corporate proxies do (and as hpagent asks).
    proxy = createServer((_req, res) => res.writeHead(405).end())
    proxy.on('connect', (req, client, head) => {
      proxied++
      tunnels.push(client)
      const [host, port] = (req.url ?? '').split(':')
      const upstream = connect(Number(port), host ?? '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.write(head)
        upstream.pipe(client).pipe(upstream)
      })
      upstream.on('error', () => client.destroy())
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  })
  afterAll(async () => {
    Object.assign(process.env, saved)
    for (const [key, value] of Object.entries(saved)) if (value === undefined) delete process.env[key]
    for (const tunnel of tunnels) tunnel.destroy() // keep-alive tunnels would hold close() open
    await new Promise((resolve) => proxy.close(resolve))
  })

  // Through a proxy to a remote host: test/e2e/proxy.test.ts (a host name only the proxy can reach, over TLS).
  it('never sends a request to a loopback platform through HTTP_PROXY or HTTPS_PROXY, token and all', async () => {
    process.env.HTTP_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
    process.env.HTTPS_PROXY = process.env.HTTP_PROXY
    delete process.env.NO_PROXY
    expect(await client().call(endpoints.me)).toMatchObject({ email: platform.user.email })
    expect(proxied).toBe(0)
  })
})

describe('timeouts and aborts', () => {
  /** Accepts connections and reads requests, and never answers: what a hung platform looks like. */
  async function silentServer(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
    let requests = 0
    const sockets = new Set<Duplex>()
    const server: Server = createServer(() => {
      requests += 1
    })
    server.on('connection', (socket) => sockets.add(socket))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      requests: () => requests,
      close: async () => {
        for (const socket of sockets) socket.destroy()
        await new Promise<void>((resolve) => server.close(() => resolve()))
      },
    }
  }

  it('gives up on a response that never comes after the response timeout, each try, with the timeout named', async () => {
    const server = await silentServer()
    try {
      const started = Date.now()
      const error = await createHttpClient({
        baseUrl: server.url,
        userAgent: 'clowdops/0.0.0-test',
        clock: systemClock,
        session: { token: async () => new Secret('cop_test'), afterRejection: async () => undefined },
        retry: { retries: 1, baseDelayMs: 10, maxDelayMs: 10, maxRetryAfterMs: 1000 },
        timeouts: { connectMs: 5000, responseMs: 200 },
      })
        .call(endpoints.health)
        .catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'timeout', exitCode: ExitCode.network })
      expect((error as Error).message).toMatch(/timed out.*after 2 attempts/)
      expect(server.requests()).toBe(2)
      expect(Date.now() - started).toBeGreaterThanOrEqual(400)
    } finally {
      await server.close()
    }
  })

  it('stops at once when the caller aborts, without retrying', async () => {
    const server = await silentServer()
    try {
      const controller = new AbortController()
      setTimeout(() => controller.abort(), 100)
      const error = await client({ baseUrl: server.url })
        .call(endpoints.health, { signal: controller.signal })
        .catch((e: unknown) => e)
      expect((error as Error).name).toBe('AbortError')
      expect(server.requests()).toBe(1)
    } finally {
      await server.close()
    }
  })
})

describe('limits after the headers', () => {
  it('gives up on a body that drips one byte at a time, each try, with exit 7 naming the endpoint and the idle limit', async () => {
    const server = await startLoopbackServer((_req, res, sent) => drip(res, sent, { length: 1000, everyMs: 2000 }))
    try {
      const started = Date.now()
      const error = await client({ baseUrl: server.url, idleMs: 300, retries: 1 })
        .call(endpoints.health)
        .catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'timeout', exitCode: ExitCode.network })
      expect((error as Error).message).toContain('GET /v1/health')
      expect((error as Error).message).toContain('300 ms')
      expect((error as Error).message).toMatch(/after 2 attempts/)
      expect(server.responses).toHaveLength(2)
      // Two tries of 300 ms and a short backoff, not the 2000 s the drip would take to finish.
      expect(Date.now() - started).toBeLessThan(5000)
    } finally {
      await server.close()
    }
  }, 10_000)

  it.each([
    ['streamed without a length', false],
    ['announced by Content-Length', true],
  ])('refuses a body over the endpoint\'s cap (%s) and drops the connection early, without a retry', async (_, declared) => {
    const total = 50 * MiB
    const server = await startLoopbackServer((_req, res, sent) => flood(res, sent, { total, declared }))
    const capped = { ...endpoints.health, maxResponseBytes: MiB }
    try {
      const error = await client({ baseUrl: server.url }).call(capped).catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'response_too_large', exitCode: ExitCode.failure })
      expect((error as Error).message).toContain('GET /v1/health')
      expect((error as Error).message).toContain('1 MiB')
      expect(server.responses).toHaveLength(1)
      const [response] = server.responses
      await response!.closed
      expect(response!.finished).toBe(false)
      // What sat in socket buffers on both sides at most: far from the 50 MB the server meant to send.
      expect(response!.written).toBeLessThan(16 * MiB)
    } finally {
      await server.close()
    }
  })

  it('reads a body up to the cap', async () => {
    const body = { status: 'ok', padding: 'x'.repeat(1000) }
    const server = await startLoopbackServer((_req, res) => answer(res, 200, body))
    const capped = { ...endpoints.health, response: z.object({ status: z.string() }), maxResponseBytes: 2000 }
    try {
      expect(await client({ baseUrl: server.url }).call(capped)).toEqual({ status: 'ok' })
    } finally {
      await server.close()
    }
  })
})

describe("the run's abort signal", () => {
  it('rejects with its reason at once, without retrying', async () => {
    const server = await startLoopbackServer((_req, res, sent) => drip(res, sent, { length: 1000, everyMs: 2000 }))
    try {
      const controller = new AbortController()
      const reason = new Error('the run was cancelled')
      setTimeout(() => controller.abort(reason), 100)
      const error = await client({ baseUrl: server.url, signal: controller.signal }).call(endpoints.health).catch((e: unknown) => e)
      expect(error).toBe(reason)
      expect(server.responses).toHaveLength(1)
    } finally {
      await server.close()
    }
  })

  it('ends a wait for Retry-After, and a reason that is not an Error becomes InterruptedError (exit 130)', async () => {
    const server = await startLoopbackServer((_req, res) => answer(res, 503, { title: 'busy' }, { 'retry-after': '4' }))
    try {
      const controller = new AbortController()
      setTimeout(() => controller.abort('SIGINT'), 200)
      const started = Date.now()
      const error = await client({ baseUrl: server.url, signal: controller.signal }).call(endpoints.health).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(InterruptedError)
      expect((error as InterruptedError).exitCode).toBe(ExitCode.interrupted)
      expect(Date.now() - started).toBeLessThan(3000)
      expect(server.responses).toHaveLength(1)
    } finally {
      await server.close()
    }
  })

  it('is combined with a per-call signal: either one stops the call', async () => {
    const server = await startLoopbackServer((_req, res, sent) => drip(res, sent, { length: 1000, everyMs: 2000 }))
    try {
      const run = new AbortController()
      const call = new AbortController()
      const reason = new Error('this call was cancelled')
      setTimeout(() => call.abort(reason), 100)
      const error = await client({ baseUrl: server.url, signal: run.signal })
        .call(endpoints.health, { signal: call.signal })
        .catch((e: unknown) => e)
      expect(error).toBe(reason)
      expect(run.signal.aborted).toBe(false)
    } finally {
      await server.close()
    }
  })
})
