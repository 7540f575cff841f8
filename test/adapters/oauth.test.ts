// The OAuth client over real loopback HTTP: the local platform's authorization server, and servers that stall or flood.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemClock } from '../../src/adapters/clock.js'
import { createOAuthClient } from '../../src/adapters/oauth.js'
import { CLIENT_ID, DEVICE_GRANT, type AuthServerMetadata } from '../../src/core/contract/oauth.js'
import { ExitCode } from '../../src/core/errors.js'
import { Secret } from '../../src/core/secret.js'
import { type Platform, startPlatform } from '../platform/server.js'
import { MiB, answer, drip, flood, type LoopbackServer, startLoopbackServer } from '../support/loopback.js'

let platform: Platform

beforeAll(async () => {
  platform = await startPlatform()
})
afterAll(() => platform.close())

function oauthClient(options: { idleMs?: number; signal?: AbortSignal } = {}) {
  return createOAuthClient({
    userAgent: 'clowdops/0.0.0-test (node test; test)',
    clock: systemClock,
    retry: { retries: 1, baseDelayMs: 10, maxDelayMs: 10, maxRetryAfterMs: 1000 },
    ...(options.idleMs === undefined ? {} : { timeouts: { idleMs: options.idleMs } }),
    signal: options.signal,
  })
}

function metadataAt(url: string): AuthServerMetadata {
  return {
    issuer: url,
    token_endpoint: `${url}/token`,
    device_authorization_endpoint: `${url}/device`,
    revocation_endpoint: `${url}/revoke`,
  }
}

const DISCOVERY_PATH = '/.well-known/openid-configuration'

/** An authorization server whose response at `floodPath` is 50 MB of filler; discovery answers with metadataAt(it). */
async function floodingAuthServer(floodPath: string): Promise<LoopbackServer> {
  let url = ''
  const server = await startLoopbackServer((req, res, sent) => {
    if (req.url === floodPath) return flood(res, sent, { total: 50 * MiB, declared: false })
    if (req.url === DISCOVERY_PATH) return answer(res, 200, metadataAt(url))
    answer(res, 404, { error: 'not_found' })
  })
  url = server.url
  return server
}

describe('against the local platform', () => {
  it('discovers the metadata, starts a device sign-in and hears authorization_pending as a value', async () => {
    const client = oauthClient()
    const metadata = await client.discover(platform.url)
    expect(metadata.issuer).toBe(platform.url)
    const device = await client.startDeviceFlow(metadata, ['openid', 'projects:read'])
    expect(device.user_code).not.toBe('')
    const result = await client.token(metadata, { grant_type: DEVICE_GRANT, device_code: new Secret(device.device_code), client_id: CLIENT_ID })
    expect(result).toMatchObject({ ok: false, error: { error: 'authorization_pending' } })
  })
})

describe('limits after the headers', () => {
  it('gives up on a discovery document that drips, with exit 7 naming the URL and the idle limit', async () => {
    const server = await startLoopbackServer((_req, res, sent) => drip(res, sent, { length: 1000, everyMs: 2000 }))
    try {
      const started = Date.now()
      const error = await oauthClient({ idleMs: 300 }).discover(server.url).catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'timeout', exitCode: ExitCode.network })
      expect((error as Error).message).toContain(`${server.url}/.well-known/openid-configuration`)
      expect((error as Error).message).toContain('300 ms')
      expect(Date.now() - started).toBeLessThan(5000)
    } finally {
      await server.close()
    }
  }, 10_000)

  const calls = {
    [DISCOVERY_PATH]: (client: ReturnType<typeof oauthClient>, url: string) => client.discover(url),
    '/device': (client: ReturnType<typeof oauthClient>, url: string) => client.startDeviceFlow(metadataAt(url), ['openid']),
    '/token': (client: ReturnType<typeof oauthClient>, url: string) =>
      client.token(metadataAt(url), { grant_type: 'refresh_token', refresh_token: new Secret('rt_test'), client_id: CLIENT_ID }),
    '/revoke': (client: ReturnType<typeof oauthClient>, url: string) => client.revoke(metadataAt(url), new Secret('rt_test'), 'refresh_token'),
  }

  it.each(Object.keys(calls) as (keyof typeof calls)[])(
    'refuses a 50 MB response at %s (exit 1) and drops the connection early',
    async (path) => {
      const server = await floodingAuthServer(path)
      try {
        const error = await calls[path](oauthClient(), server.url).catch((e: unknown) => e)
        expect(error).toMatchObject({ code: 'response_too_large', exitCode: ExitCode.failure })
        expect((error as Error).message).toContain(`${server.url}${path}`)
        const response = server.responses.at(-1)!
        expect(response.path).toBe(path)
        await response.closed
        expect(response.finished).toBe(false)
        expect(response.written).toBeLessThan(16 * MiB)
      } finally {
        await server.close()
      }
    },
  )
})

describe("the run's abort signal", () => {
  it('rejects a request in flight with its reason', async () => {
    const server = await startLoopbackServer((_req, res, sent) => drip(res, sent, { length: 1000, everyMs: 2000 }))
    try {
      const controller = new AbortController()
      const reason = new Error('the run was cancelled')
      setTimeout(() => controller.abort(reason), 100)
      const error = await oauthClient({ signal: controller.signal }).discover(server.url).catch((e: unknown) => e)
      expect(error).toBe(reason)
      expect(server.responses).toHaveLength(1)
    } finally {
      await server.close()
    }
  })
})
