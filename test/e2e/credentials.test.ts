// Registering credentials with the built CLI: a canary secret from the real keychain is sealed, and afterwards it is
// nowhere — not in output, debug logs, the config directory, the bytes on the wire (captured at a loopback proxy
// between CLI and platform), or what the platform logged and kept.
import { createServer, connect, type Server, type Socket } from 'node:net'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CredentialList } from '../../src/core/credentials/manage.js'
import { Registration } from '../../src/core/credentials/register.js'
import { ErrorOutput } from '../../src/core/errors.js'
import { ProjectList } from '../../src/core/projects/list.js'
import { type RequestLogEntry, storedState } from '../platform/server.js'
import { freshConfigDir, runCli } from '../support/cli.js'
import { testKeyringReady } from '../support/keyring.js'
import { envFor, usePlatform } from '../support/platform.js'

const requestLog: RequestLogEntry[] = []
const platform = usePlatform({ log: (entry) => requestLog.push(entry) })
let wire: { url: string; bytes: () => Buffer; close: () => Promise<void> }
let projectId: string

/** A TCP relay on loopback that keeps every byte both ways: what an observer of the connection would see. */
async function startWireTap(target: URL): Promise<typeof wire> {
  const chunks: Buffer[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('data', (chunk: Buffer) => chunks.push(chunk))
      socket.on('error', () => undefined)
    }
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    bytes: () => Buffer.concat(chunks),
    close: () => new Promise((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))),
  }
}

beforeAll(async () => {
  wire = await startWireTap(new URL(platform().url))
  const projects = await runCli(['projects', 'list', '--json'], { CLOWDOPS_API_URL: platform().url, CLOWDOPS_TOKEN: platform().token })
  projectId = ProjectList.parse(JSON.parse(projects.stdout))[0]!.id
})
afterAll(() => wire.close())

describe.skipIf(!testKeyringReady)('a credential from the real keychain', () => {
  it('is registered, and the canary secret appears nowhere afterwards', async () => {
    const canary = `sk-svcacct-CANARY${Date.now()}fakefakefakefakeFAKEfakefakefake`
    const configDir = freshConfigDir()
    const env = { ...envFor(platform(), { configDir, url: wire.url }), DEBUG: 'clowdops*' }
    const stored = await runCli(['keychain', 'set', 'clowdops-test/openai'], env, canary)
    expect(stored.code, stored.stderr).toBe(0)

    const add = await runCli(
      ['credentials', 'add', 'openai', '--label', 'agent', '--project', projectId, '--field', 'api_key=keychain:clowdops-test/openai', '--json', '--debug'],
      env,
    )
    expect(add.code, add.stderr).toBe(0)
    const registration = Registration.parse(JSON.parse(add.stdout))
    expect(registration.credential).toMatchObject({ provider: 'openai', label: 'agent', project_id: projectId })
    expect(Object.keys(registration.credential.secrets)).toEqual(['api_key'])
    expect(registration.credential.hint).toContain(canary.slice(-4))
    expect(add.stderr).toContain('/v1/projects/') // the debug log was on, so its silence about the canary means something

    const list = await runCli(['credentials', 'list', '--project', projectId, '--json'], env)
    expect(CredentialList.parse(JSON.parse(list.stdout)).map((c) => c.label)).toContain('agent')

    const everywhere = {
      stdout: add.stdout + list.stdout + stored.stdout,
      stderr: add.stderr + list.stderr + stored.stderr,
      wire: wire.bytes().toString('latin1'),
      'platform log': JSON.stringify(requestLog),
      'platform store': JSON.stringify(storedState(platform())),
      ...Object.fromEntries(
        readdirSync(configDir, { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => [join(e.parentPath, e.name), readFileSync(join(e.parentPath, e.name), 'utf8')]),
      ),
    }
    expect(everywhere.wire).toContain('/v1/projects/') // the tap saw the registration go by
    for (const [where, text] of Object.entries(everywhere)) expect(text, where).not.toContain(canary)
    expect((await runCli(['keychain', 'delete', 'clowdops-test/openai'], env)).code).toBe(0)
  })
})

describe('refused before sending', () => {
  it('an admin-class key is refused with exit 10, and nothing reaches the platform', async () => {
    const before = platform().stats.requests
    const result = await runCli(
      ['credentials', 'add', 'openai', '--label', 'admin', '--project', projectId, '--field', 'api_key=env:ADMIN_KEY', '--json'],
      { ...envFor(platform(), { url: wire.url }), ADMIN_KEY: `sk-admin-FAKEfakeFAKEfakeFAKEfakeFAKEfake${Date.now()}` },
    )
    expect(result.code).toBe(10)
    expect(ErrorOutput.parse(JSON.parse(result.stdout)).error.message).toContain('openai.admin-key')
    expect(platform().stats.requests).toBe(before)
  })

  it('a literal secret on the command line is refused with exit 2 and not repeated', async () => {
    const literal = 'sk-svcacct-LITERALfakefakefakefakefakeFAKE'
    const result = await runCli(['credentials', 'add', 'openai', '--label', 'x', '--project', projectId, '--field', `api_key=${literal}`], envFor(platform(), { url: wire.url }))
    expect(result.code).toBe(2)
    expect(result.stderr + result.stdout).not.toContain(literal)
  })

  it('credentials lint reports findings without signing in', async () => {
    const result = await runCli(['credentials', 'lint', 'openai', '--field', 'api_key=env:KEY', '--json'], {
      CLOWDOPS_CONFIG_DIR: freshConfigDir(),
      CLOWDOPS_API_URL: 'http://127.0.0.1:9',
      KEY: `sk-admin-FAKEfakeFAKEfakeFAKEfakeFAKEfake${Date.now()}`,
    })
    expect(result.code).toBe(10)
    const lint = JSON.parse(result.stdout) as { refused: boolean; findings: { rule: string }[] }
    expect(lint.refused).toBe(true)
    expect(lint.findings.map((f) => f.rule)).toContain('openai.admin-key')
  })
})

describe('managing credentials', () => {
  it('lists, shows and removes (with --yes off a terminal), and a duplicate label is a conflict', async () => {
    const env = { ...envFor(platform(), { url: wire.url }), KEY: `sk-svcacct-FAKEfakefakefakefakefakefake${Date.now()}` }
    const add = await runCli(['credentials', 'add', 'openai', '--label', 'to-remove', '--project', projectId, '--field', 'api_key=env:KEY', '--json'], env)
    expect(add.code, add.stderr).toBe(0)
    const { credential } = Registration.parse(JSON.parse(add.stdout))
    const again = await runCli(['credentials', 'add', 'openai', '--label', 'to-remove', '--project', projectId, '--field', 'api_key=env:KEY'], env)
    expect(again.code).toBe(6)
    expect((await runCli(['credentials', 'show', credential.id], env)).stdout).toContain('to-remove')
    const unconfirmed = await runCli(['credentials', 'remove', credential.id], env)
    expect(unconfirmed.code).toBe(2)
    expect(unconfirmed.stderr).toContain('--yes')
    expect((await runCli(['credentials', 'remove', credential.id, '--yes'], env)).code).toBe(0)
    expect((await runCli(['credentials', 'show', credential.id], env)).code).toBe(5)
  })
})
