// `login --debug` on the built CLI logs every OAuth exchange, and none of its secrets: against an authorization server
// on loopback whose device code and tokens are canaries chosen here (the local platform's oidc-provider picks its own,
// and keeps only their hashes), the whole sign-in runs and stderr holds the exchanges but not one canary.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DeviceStep, SignIn } from '../../src/core/auth/login.js'
import { freshConfigDir, startCli } from '../support/cli.js'

const stamp = Date.now()
/** No known token shape among them (those are redacted by shape): only the field names can give them away. */
const CANARIES = {
  device_code: `CANARYdevice${stamp}GmRhmhcxhwAzkoEqiMEg`,
  user_code: 'WDJB-MJHT',
  access_token: `CANARYaccess${stamp}SlAV32hkKG`,
  refresh_token: `CANARYrefresh${stamp}tGzv3JOkF0XG5Qx2`,
  id_token: `CANARYid${stamp}opaqueIdToken`,
}

let server: Server
let url: string
let polls = 0

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body))
}

async function form(req: IncomingMessage): Promise<URLSearchParams> {
  let text = ''
  for await (const chunk of req) text += String(chunk)
  return new URLSearchParams(text)
}

/** The device grant as RFC 8628 has it: one pending poll, then the tokens; and the /v1/me that login checks them with. */
async function authorizationServer(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = req.url ?? '/'
  if (path === '/.well-known/openid-configuration') {
    return send(res, 200, {
      issuer: url,
      token_endpoint: `${url}/oauth/token`,
      device_authorization_endpoint: `${url}/oauth/device`,
      revocation_endpoint: `${url}/oauth/revoke`,
      grant_types_supported: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
    })
  }
  if (path === '/oauth/device') {
    return send(res, 200, {
      device_code: CANARIES.device_code,
      user_code: CANARIES.user_code,
      verification_uri: `${url}/device`,
      verification_uri_complete: `${url}/device?user_code=${CANARIES.user_code}`,
      expires_in: 600,
      interval: 1,
    })
  }
  if (path === '/oauth/token') {
    const fields = await form(req)
    if (fields.get('device_code') !== CANARIES.device_code) return send(res, 400, { error: 'invalid_grant' })
    polls += 1
    if (polls === 1) return send(res, 400, { error: 'authorization_pending', error_description: 'not approved yet' })
    const { access_token, refresh_token, id_token } = CANARIES
    return send(res, 200, { access_token, token_type: 'Bearer', expires_in: 3600, refresh_token, id_token, scope: 'openid projects:read' })
  }
  if (path === '/v1/me' && req.headers.authorization === `Bearer ${CANARIES.access_token}`) {
    const me = { id: 'usr_1', email: 'ada@example.com', name: 'Ada', org: { id: 'org_1', name: 'Analytical' }, scopes: ['projects:read'], token_type: 'oauth' }
    return send(res, 200, me)
  }
  send(res, 404, { type: 'about:blank', title: 'Not found', status: 404, code: 'not_found', request_id: 'req_1' })
}

beforeAll(async () => {
  server = createServer((req, res) => void authorizationServer(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))))

describe('login --debug', () => {
  it('logs the discovery, device and token exchanges with no device code, user code or token in them', async () => {
    const env = { CLOWDOPS_API_URL: url, CLOWDOPS_CONFIG_DIR: freshConfigDir() }
    const cli = startCli(['login', '--json', '--debug', '--insecure-storage', '--no-browser'], env)
    const step = DeviceStep.parse(JSON.parse(await cli.line(/^\{.*user_code/)))
    expect(step.user_code).toBe(CANARIES.user_code) // on stdout, where the person reads it: that is its job
    const result = await cli.done
    expect(result.code, result.stderr).toBe(0)
    expect(SignIn.parse(JSON.parse(result.stdout.slice(result.stdout.indexOf('\n') + 1)))).toMatchObject({ account: 'ada@example.com' })
    expect(polls).toBe(2)

    const log = result.stderr
    // The log was on and holds each exchange, with what is not secret readable...
    expect(log).toContain('/.well-known/openid-configuration')
    expect(log).toContain(`"token_endpoint":"${url}/oauth/token"`)
    expect(log).toContain('"device_code":"[redacted]"')
    expect(log).toContain('"error":"authorization_pending"')
    expect(log).toContain('"token_type":"Bearer"')
    expect(log).toContain('"scope":"openid projects:read"')
    // ...and none of the secrets.
    for (const [name, canary] of Object.entries(CANARIES)) expect(log, name).not.toContain(canary)
    expect(result.stdout).not.toContain(CANARIES.device_code)
  })
})
