// Secrets piped to stdin are capped: a huge input (a wrong file, `cat /dev/zero`) is refused with exit 2 after reading
// at most the cap, instead of being buffered whole. The built CLI is spawned with a real pipe, and its peak memory is
// read from the kernel (ru_maxrss) through a preload that only observes.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createKeychainStore } from '../../src/adapters/keychain.js'
import { ErrorOutput } from '../../src/core/errors.js'
import { freshConfigDir } from '../support/cli.js'
import { testKeyringReady } from '../support/keyring.js'
import { envFor, usePlatform } from '../support/platform.js'

const platform = usePlatform()
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'run.js')
const PRELOAD = join(import.meta.dirname, '..', 'support', 'peak-memory.cjs')
const MiB = 1024 * 1024
/** Far more than any secret, small enough to pipe quickly when it is (wrongly) read whole. */
const HUGE = 64 * MiB

interface Run {
  code: number | null
  stdout: string
  stderr: string
  /** The child's peak resident memory in bytes. */
  peak: number
}

/** The CLI with `input` written to a real pipe on its stdin; a child that stops reading early is no failure. */
function runPiped(args: string[], env: Record<string, string>, input: Buffer): Promise<Run> {
  const peakFile = join(mkdtempSync(join(tmpdir(), 'clowdops-peak-')), 'peak')
  const inherited = Object.fromEntries(
    ['PATH', 'HOME', 'DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR', 'TMPDIR'].flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
  )
  const child = spawn(process.execPath, ['--require', PRELOAD, BIN, ...args], {
    env: { ...inherited, CLOWDOPS_SKIP_NEW_VERSION_CHECK: 'true', NO_COLOR: '1', CLOWDOPS_TEST_PEAK_FILE: peakFile, ...env },
    stdio: 'pipe',
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  child.stdin.on('error', () => {}) // EPIPE once the CLI has stopped reading: what a capped reader does
  child.stdin.end(input)
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr, peak: Number(readFileSync(peakFile, 'utf8')) * 1024 }))
  })
}

/** The refusal: exit 2, naming stdin and the limit, with what to do, and no trace of the input. */
function expectRefused(run: Run): void {
  expect(run.code, run.stderr).toBe(2)
  const { error } = ErrorOutput.parse(JSON.parse(run.stdout))
  expect(error.code).toBe('secret_input_too_large')
  expect(error.message).toContain('stdin')
  expect(error.message).toContain('1 MiB')
  expect(error.hint).toContain('Pipe only the secret')
  expect(run.stdout + run.stderr).not.toContain('xxxxxxxxxx')
  expect(run.stderr).not.toMatch(/Unexpected|internal/i)
}

const huge = () => Buffer.alloc(HUGE, 'x')

describe('a secret piped to stdin is capped at 1 MiB', () => {
  it('login --with-token refuses 64 MiB with exit 2, reading no more than it needs', async () => {
    const env = envFor(platform(), { configDir: freshConfigDir(), withToken: false })
    const baseline = await runPiped(['login', '--with-token', '--insecure-storage', '--json'], env, Buffer.from(platform().issueToken(['projects:read'])))
    expect(baseline.code, baseline.stderr).toBe(0)

    const refused = await runPiped(['login', '--with-token', '--insecure-storage', '--json'], { ...env, CLOWDOPS_CONFIG_DIR: freshConfigDir() }, huge())
    expectRefused(refused)
    // Buffering the input would add at least its own size; reading to the cap adds about a MiB.
    expect(refused.peak - baseline.peak).toBeLessThan(HUGE / 4)
  })

  it.skipIf(!testKeyringReady)('keychain set refuses 64 MiB with exit 2 and stores nothing', async () => {
    const service = `clowdops-e2e-${randomBytes(4).toString('hex')}`
    const baseline = await runPiped(['keychain', 'set', `${service}/small`, '--json'], {}, Buffer.from('a-small-secret'))
    expect(baseline.code, baseline.stderr).toBe(0)

    const refused = await runPiped(['keychain', 'set', `${service}/huge`, '--json'], {}, huge())
    expectRefused(refused)
    expect(refused.peak - baseline.peak).toBeLessThan(HUGE / 4)
    expect(await createKeychainStore().get(service, 'huge')).toBeUndefined()
    await createKeychainStore().delete(service, 'small')
  })
})
