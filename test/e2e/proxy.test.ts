// Proxies and the loopback rule, on the built CLI: plain http is allowed only to loopback, so a request to loopback must
// never be handed to a proxy (HTTP_PROXY would carry the bearer token in clear to another host). A recording proxy on
// loopback, which tunnels what it gets as a real one would, is set as HTTP_PROXY and HTTPS_PROXY: API calls, the
// OAuth sign-in and refresh, and a download, all to the local platform on 127.0.0.1, must reach it not once; a remote
// API URL still goes through it.
import { mkdtempSync, readdirSync } from 'node:fs'
import { connect, type Server, type Socket } from 'node:net'
import { createServer as createHttpServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DeviceStep } from '../../src/core/auth/login.js'
import { DownloadedExport } from '../../src/core/privacy/exports.js'
import { Created } from '../../src/core/privacy/requests.js'
import { ProjectList } from '../../src/core/projects/list.js'
import { freshConfigDir, runCli, startCli } from '../support/cli.js'
import { approveDeviceFlow } from '../support/oauth.js'
import { envFor, usePlatform } from '../support/platform.js'
import { makePrivateCa, startTlsFront } from '../support/tls.js'

/** A name that no resolver knows: only the proxy can reach it (it tunnels it to the TLS front on loopback). */
const REMOTE_HOST = 'platform.proxied.test'

interface RecordingProxy {
  url: string
  /** Every request the proxy received: `CONNECT host:port`, or the method and absolute URL of a plain one. */
  seen: string[]
  close: () => Promise<void>
}

/** A tunnelling HTTP proxy (CONNECT) that keeps a line per request it gets. */
async function startRecordingProxy(tunnelTo: () => number): Promise<RecordingProxy> {
  const seen: string[] = []
  const sockets = new Set<Socket>()
  // Plain requests are recorded and refused: hpagent, the CLI's proxy agent, tunnels every request with CONNECT.
  const server = createHttpServer((req, res) => {
    seen.push(`${req.method} ${req.url}`)
    res.writeHead(502).end()
  })
  server.on('connect', (req, client: Socket, head) => {
    seen.push(`CONNECT ${req.url}`)
    const [host = '', port = ''] = (req.url ?? '').split(':')
    const upstream = connect(host === REMOTE_HOST ? tunnelTo() : Number(port), host === REMOTE_HOST ? '127.0.0.1' : host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client).pipe(upstream)
    })
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => undefined)
    }
  })
  server.on('connection', (socket: Socket) => sockets.add(socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((resolve) => (sockets.forEach((s) => s.destroy()), (server as Server).close(() => resolve()))),
  }
}

const platform = usePlatform({ rateLimit: null, privacy: { startAfterMs: 0, workMs: 0 } })
let proxy: RecordingProxy
let front: Awaited<ReturnType<typeof startTlsFront>>
const ca = makePrivateCa([REMOTE_HOST])

beforeAll(async () => {
  front = await startTlsFront(ca, platform().url)
  proxy = await startRecordingProxy(() => Number(new URL(front.url).port))
})
afterAll(async () => {
  await proxy.close()
  await front.close()
})
beforeEach(() => {
  proxy.seen.length = 0
})
afterEach(() => platform().oauth.reset())

/** Both proxy variables point at the recording proxy; NO_PROXY is not set (the child inherits none of the test's). */
const proxied = () => ({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url })

describe('a loopback platform with HTTP_PROXY and HTTPS_PROXY set', () => {
  it('API calls and a download go straight to it, never through the proxy', async () => {
    const env = { ...envFor(platform()), ...proxied() }
    const json = async (args: string[]) => {
      const result = await runCli([...args, '--json'], env)
      expect(result.code, `${args.join(' ')}: ${result.stderr}${result.stdout}`).toBe(0)
      return JSON.parse(result.stdout) as unknown
    }
    expect(ProjectList.parse(await json(['projects', 'list'])).length).toBeGreaterThan(0)
    const { request } = Created.parse(await json(['privacy', 'request', 'access']))
    const code = platform().privacy.lastCode(request.id)
    expect(code).toBeDefined()
    await json(['privacy', 'verify', request.id, '--code', code ?? ''])
    const directory = mkdtempSync(join(tmpdir(), 'clowdops-proxy-export-'))
    const downloaded = DownloadedExport.parse(await json(['privacy', 'download', request.id, '--output', `${directory}/`]))
    expect(downloaded.files[0]?.outcome).toBe('fetched')
    expect(readdirSync(directory)).toHaveLength(1)
    expect(proxy.seen).toEqual([])
  })

  it('the OAuth sign-in and a token refresh go straight to it, never through the proxy', async () => {
    platform().oauth.setPollInterval(1)
    platform().oauth.setAccessTokenTtl(30) // inside the CLI's refresh margin: the next run refreshes first
    const configDir = freshConfigDir()
    const env = { ...envFor(platform(), { configDir, withToken: false }), ...proxied() }
    const login = startCli(['login', '--json', '--insecure-storage', '--no-browser'], env)
    const step = DeviceStep.parse(JSON.parse(await login.line(/^\{.*user_code/)))
    await approveDeviceFlow(step.verification_uri_complete ?? step.verification_uri, {
      email: platform().user.email,
      password: platform().user.password,
      decision: 'approve',
    })
    const signedIn = await login.done
    expect(signedIn.code, signedIn.stderr).toBe(0)

    const refreshes = platform().stats.oauth.tokenRequests.refresh_token ?? 0
    const projects = await runCli(['projects', 'list', '--json'], env)
    expect(projects.code, projects.stderr).toBe(0)
    expect((platform().stats.oauth.tokenRequests.refresh_token ?? 0) - refreshes).toBe(1)
    expect(proxy.seen).toEqual([])
  })
})

describe('a remote platform with HTTPS_PROXY set', () => {
  it('is reached through the proxy', async () => {
    const remote = `https://${REMOTE_HOST}:${new URL(front.url).port}`
    const env = { ...envFor(platform(), { url: remote }), ...proxied(), NODE_EXTRA_CA_CERTS: ca.caFile }
    const projects = await runCli(['projects', 'list', '--json'], env)
    expect(projects.code, projects.stderr + projects.stdout).toBe(0)
    expect(ProjectList.parse(JSON.parse(projects.stdout)).length).toBeGreaterThan(0)
    expect(proxy.seen).toEqual([`CONNECT ${REMOTE_HOST}:${new URL(front.url).port}`])
  })
})
