// The local platform as the tests use it: started for a file or a describe, the built CLI's environment pointed at it,
// and plain-fetch helpers for tests of the wire itself.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, expect } from 'vitest'
import { DeviceStep } from '../../src/core/auth/login.js'
import { Problem } from '../../src/core/contract/index.js'
import { PrivacyRequest } from '../../src/core/contract/privacy.js'
import { type Platform, type PlatformOptions, startPlatform } from '../platform/server.js'
import { freshConfigDir, startCli } from './cli.js'
import { approveDeviceFlow } from './oauth.js'

/**
 * Starts a platform before the tests of the enclosing file or describe and closes it after them. The getter works in
 * tests and in the hooks registered after this call (vitest runs beforeAll hooks in order and afterAll hooks in
 * reverse, so those see it started and finish before it closes).
 */
export function usePlatform(options: PlatformOptions = {}): () => Platform {
  let running: Platform | undefined
  beforeAll(async () => {
    running = await startPlatform(options)
  })
  afterAll(async () => {
    await running?.close()
    running = undefined
  })
  return () => {
    if (!running) throw new Error('The platform of usePlatform runs only between its beforeAll and afterAll.')
    return running
  }
}

/**
 * The environment that points the built CLI at `platform`: its URL (or `url`, e.g. a proxy in front of it), its
 * token in CLOWDOPS_TOKEN unless `withToken` is false, and `configDir` or a fresh config directory.
 */
export function envFor(platform: Platform, options: { configDir?: string; withToken?: boolean; url?: string } = {}): Record<string, string> {
  const { configDir = freshConfigDir(), withToken = true, url = platform.url } = options
  return { CLOWDOPS_API_URL: url, ...(withToken ? { CLOWDOPS_TOKEN: platform.token } : {}), CLOWDOPS_CONFIG_DIR: configDir }
}

/** Polls `condition` (e.g. on the platform's stats) every 20 ms for up to 15 s. */
export async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 15_000) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/**
 * A device-flow sign-in by the built CLI into `configDir`, approved through the pages with the platform's user, kept
 * in a 0600 file (`--insecure-storage`, no keychain needed). The platform's TTL knobs decide what the tokens look like.
 */
export async function signInByDevice(platform: Platform, configDir: string): Promise<void> {
  const cli = startCli(['login', '--json', '--insecure-storage', '--no-browser'], envFor(platform, { configDir, withToken: false }))
  const step = DeviceStep.parse(JSON.parse(await cli.line(/^\{.*user_code/)))
  const { email, password } = platform.user
  await approveDeviceFlow(step.verification_uri_complete ?? step.verification_uri, { email, password, decision: 'approve' })
  const result = await cli.done
  expect(result.code, result.stderr).toBe(0)
}

/** A client for one platform and token: plain fetch, so what is tested is the wire. */
export function connect(platform: Platform, token = platform.token) {
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${platform.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  return {
    get: (path: string, headers: Record<string, string> = {}) => call('GET', path, undefined, headers),
    post: (path: string, body?: unknown, key: string = randomUUID()) => call('POST', path, body, { 'idempotency-key': key }),
    put: (path: string, body: unknown) => call('PUT', path, body),
    async show(id: string): Promise<PrivacyRequest> {
      const response = await call('GET', `/v1/privacy/requests/${id}`)
      expect(response.status).toBe(200)
      return PrivacyRequest.parse(await response.json())
    },
  }
}

/** A problem+json response with this status and code, whose request_id is the one in its x-request-id header. */
export async function expectProblem(response: Response, status: number, code: string): Promise<Problem> {
  expect(response.status).toBe(status)
  expect(response.headers.get('content-type')).toBe('application/problem+json')
  const problem = Problem.parse(await response.json())
  expect(problem.code).toBe(code)
  expect(problem.request_id).toBe(response.headers.get('x-request-id'))
  return problem
}
