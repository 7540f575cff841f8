// The GitHub Actions token request against loopback servers: the shared HTTP policy's retries, a body that is not
// GitHub's answer, and a plain-http URL off this machine refused before anything (the request token) is sent.
import { afterEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../src/adapters/clock.js'
import { createCiIdentity } from '../../src/adapters/ci-identity.js'
import { ClowdopsError } from '../../src/core/errors.js'
import { Secret } from '../../src/core/secret.js'
import { type LoopbackServer, startLoopbackServer } from '../support/loopback.js'

const identity = createCiIdentity({ userAgent: 'clowdops-test', clock: systemClock, retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 10, maxRetryAfterMs: 1000 } })
const requestToken = new Secret('ghs_adapter-canary')
let server: LoopbackServer | undefined

afterEach(async () => {
  await server?.close()
  server = undefined
})

async function failure(promise: Promise<unknown>): Promise<ClowdopsError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught)
  expect(error).toBeInstanceOf(ClowdopsError)
  return error as ClowdopsError
}

describe('GitHub Actions ID token request', () => {
  it('retries a 503 under the shared policy, then reads the token from `value`', async () => {
    let calls = 0
    server = await startLoopbackServer((_req, res) => {
      calls += 1
      res.writeHead(calls === 1 ? 503 : 200, { 'content-type': 'application/json' })
      res.end(calls === 1 ? '{}' : JSON.stringify({ count: 1, value: 'eyJ.the.token' }))
    })
    const token = await identity.requestGitHubActionsToken({ url: `${server.url}/idtoken?api-version=2.0`, requestToken, audience: 'clowdops' })
    expect(token.reveal()).toBe('eyJ.the.token')
    expect(calls).toBe(2)
    expect(server.responses.map((r) => r.path)).toEqual(['/idtoken?api-version=2.0&audience=clowdops', '/idtoken?api-version=2.0&audience=clowdops'])
  })

  it('an answer without `value` is an unexpected response that points at ACTIONS_ID_TOKEN_REQUEST_URL', async () => {
    server = await startLoopbackServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<html>sign in</html>')
    })
    const error = await failure(identity.requestGitHubActionsToken({ url: `${server.url}/idtoken`, requestToken, audience: 'clowdops' }))
    expect(error).toMatchObject({ code: 'unexpected_response', exitCode: 1 })
    expect(error.hint).toContain('ACTIONS_ID_TOKEN_REQUEST_URL')
  })

  it('plain http to another host is refused before the request token is sent', async () => {
    const error = await failure(identity.requestGitHubActionsToken({ url: 'http://actions.example.com/idtoken', requestToken, audience: 'clowdops' }))
    expect(error).toMatchObject({ code: 'insecure_url', exitCode: 10 })
    expect(JSON.stringify(error.toJSON())).not.toContain('ghs_adapter-canary')
  })
})
