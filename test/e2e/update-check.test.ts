// The update check of the built CLI against a fake npm registry on loopback (never the real one): when the check is due
// it asks the registry in the background, with the npm token of ~/.npmrc in a header and never on a command line,
// which every local user can read in /proc while the request waits; a later run shows the notice.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli } from '../support/cli.js'

const LATEST = '99.0.0'
const DAY_MS = 24 * 60 * 60 * 1000

interface HeldRequest {
  path: string
  authorization: string | undefined
  release: () => void
}

/** A registry that answers dist-tags requests only when the test releases them, and keeps what it was asked. */
interface FakeRegistry {
  url: string
  requests: HeldRequest[]
  close: () => Promise<void>
}

async function startFakeRegistry(): Promise<FakeRegistry> {
  const requests: HeldRequest[] = []
  const tags = { latest: LATEST }
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/'
    const body = JSON.stringify(path.endsWith('/dist-tags') ? tags : { name: 'clowdops', 'dist-tags': tags })
    const release = () => void (res.headersSent || res.writeHead(200, { 'content-type': 'application/json' }).end(body))
    requests.push({ path, authorization: req.headers.authorization, release })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requests,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  }
}

/** Polls `condition` every 50 ms, for at most `ms`. */
async function until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  for (const started = Date.now(); !condition(); await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`)
  }
}

/** The command line of every process this user can see whose argv holds `needle`. */
function processesWithArgument(needle: string): string[] {
  const found: string[] = []
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    let argv: string
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    } catch {
      continue // gone meanwhile, or not ours to read
    }
    if (argv.includes(needle)) found.push(`${pid}: ${argv.split('\0').join(' ')}`)
  }
  return found
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
  } catch {
    return undefined
  }
}

let registry: FakeRegistry
let env: Record<string, string | undefined>
let versionFile: string
const canary = `npm_CANARY${Date.now()}updatecheck`

beforeEach(async () => {
  registry = await startFakeRegistry()
  const scratch = mkdtempSync(join(tmpdir(), 'clowdops-update-check-'))
  const home = join(scratch, 'home')
  const cache = join(scratch, 'cache')
  mkdirSync(home)
  mkdirSync(cache)
  const npmrc = join(home, '.npmrc')
  const registryHost = registry.url.replace(/^http:/, '')
  writeFileSync(npmrc, `registry=${registry.url}\n${registryHost}:_authToken=${canary}\n`, { mode: 0o600 })
  // The check is due: the version file names this version and is older than the 7 days between checks.
  versionFile = join(cache, 'version')
  writeFileSync(versionFile, JSON.stringify({ latest: '0.1.0', current: '0.1.0' }))
  const old = new Date(Date.now() - 30 * DAY_MS)
  utimesSync(versionFile, old, old)
  env = {
    HOME: home,
    npm_config_userconfig: npmrc,
    npm_config_registry: registry.url,
    CLOWDOPS_CACHE_DIR: cache,
    CLOWDOPS_SKIP_NEW_VERSION_CHECK: undefined,
  }
})

afterEach(async () => {
  for (const request of registry.requests) request.release()
  await registry.close()
})

describe.runIf(process.platform === 'linux')('the update check', () => {
  it('asks the registry with the npm token in a header, never in any process argv, off the command’s path', async () => {
    const run = await runCli(['config', 'list'], env)
    expect(run.code, run.stderr).toBe(0)
    // The command has exited; the question is still with the registry, which holds it while the processes are read.
    await until(() => registry.requests.length > 0, 'the registry request')
    const [request] = registry.requests
    expect(request?.authorization).toBe(`Bearer ${canary}`)
    expect(processesWithArgument(canary)).toEqual([])

    request?.release()
    await until(() => readJson(versionFile)?.latest === LATEST, 'the version file to name the new version')
    const next = await runCli(['config', 'list'], env)
    expect(next.code, next.stderr).toBe(0)
    expect(next.stderr).toContain(`update available from 0.1.0 to ${LATEST}`)
    expect(next.stderr).not.toContain(canary)
  })
})
