// Ctrl-C at the worst moment of each long-running command, on the built CLI: SIGINT while a refresh grant is being
// answered, while a bulk submission has batches in flight, while waiting, while polling for a sign-in. Afterwards the
// state must be whole: locks released, no partial report, the journal resumable, the stored tokens still usable, and
// under --json the usual error body with exit 130.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { heldLocks } from '../../src/adapters/locks.js'
import { fileVault } from '../../src/adapters/token-vaults.js'
import { StoredTokens } from '../../src/core/auth/tokens.js'
import type { BulkSummary } from '../../src/core/bulk/model.js'
import { ErrorOutput } from '../../src/core/errors.js'
import { freshConfigDir, runCli, startCli } from '../support/cli.js'
import { envFor, signInByDevice, until, usePlatform } from '../support/platform.js'

const platform = usePlatform({ rateLimit: null })
afterEach(() => {
  platform().oauth.reset()
  platform().faults.clear()
})

const signedOut = (configDir: string) => envFor(platform(), { configDir, withToken: false })

/** The error body: the last JSON document on stdout (after a device step line, or rows of NDJSON). */
const interrupted = (stdout: string) => {
  const lines = stdout.trimEnd().split('\n')
  const start = lines.findLastIndex((line) => line.startsWith('{'))
  return ErrorOutput.parse(JSON.parse(lines.slice(start).join('\n'))).error
}

async function storedTokens(configDir: string): Promise<StoredTokens> {
  return StoredTokens.parse(JSON.parse((await fileVault(configDir).read('default'))!.reveal()))
}

/** A device-flow sign-in kept in a 0600 file (no keychain needed), with access tokens that need a refresh at once. */
async function signedInWithShortTokens(): Promise<string> {
  platform().oauth.setPollInterval(1)
  platform().oauth.setAccessTokenTtl(30) // inside the CLI's refresh margin: every run refreshes first
  const configDir = freshConfigDir()
  await signInByDevice(platform(), configDir)
  return configDir
}

const refreshGrants = () => platform().stats.oauth.tokenRequests.refresh_token ?? 0

describe('Ctrl-C during a token refresh', () => {
  it('after the grant is made, the rotated tokens are still stored: exit 130, no lock left, the next run works', async () => {
    const configDir = await signedInWithShortTokens()
    const before = await storedTokens(configDir)
    platform().oauth.setTokenResponseDelay(1_500) // the grant is made at once; its answer comes 1.5 s later
    const grants = refreshGrants()
    const cli = startCli(['projects', 'list', '--json'], signedOut(configDir))
    await until(() => refreshGrants() > grants, 'the refresh grant')
    cli.kill('SIGINT')
    const result = await cli.done
    expect(result.code, result.stderr).toBe(130)
    expect(interrupted(result.stdout).code).toBe('interrupted')
    expect(await heldLocks(configDir)).toEqual([]) // none held once the run has ended

    platform().oauth.setTokenResponseDelay(0)
    const after = await storedTokens(configDir)
    expect(after.refresh_token).not.toBe(before.refresh_token) // the rotated token was kept...
    expect(await platform().oauth.isRefreshTokenActive(after.refresh_token!)).toBe(true) // ...and is the live one
    const next = await runCli(['projects', 'list', '--json'], signedOut(configDir))
    expect(next.code, next.stderr).toBe(0)
  })

  it('a second Ctrl-C does not wait for the grant: the process ends at once with 130', async () => {
    const configDir = await signedInWithShortTokens()
    platform().oauth.setTokenResponseDelay(8_000)
    const grants = refreshGrants()
    const cli = startCli(['projects', 'list'], signedOut(configDir))
    await until(() => refreshGrants() > grants, 'the refresh grant')
    cli.kill('SIGINT')
    await new Promise((resolve) => setTimeout(resolve, 200))
    cli.kill('SIGINT')
    const ended = await Promise.race([cli.done, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 4_000))])
    expect(ended?.code).toBe(130) // well before the held answer (8 s) would have let it finish
    expect(ended?.stderr).toContain('Interrupted')
  })
})

describe('Ctrl-C during a device sign-in', () => {
  it('while polling: exit 130, nothing stored, no lock left', async () => {
    platform().oauth.setPollInterval(1)
    const configDir = freshConfigDir()
    const cli = startCli(['login', '--json', '--insecure-storage', '--no-browser'], signedOut(configDir))
    await cli.line(/user_code/)
    cli.kill('SIGINT')
    const result = await cli.done
    expect(result.code).toBe(130)
    expect(interrupted(result.stdout).code).toBe('interrupted')
    expect(readdirSync(configDir)).not.toContain('tokens')
    expect(await heldLocks(configDir)).toEqual([]) // none held once the run has ended
  })
})

describe('Ctrl-C during a browser sign-in', () => {
  it('while waiting for the browser: exit 130 at once, nothing stored, no lock left', async () => {
    const configDir = freshConfigDir()
    // $BROWSER opens nothing, so the CLI waits on its loopback listener until interrupted.
    const cli = startCli(['login', '--json', '--insecure-storage'], { ...signedOut(configDir), BROWSER: 'true' })
    await cli.line(/authorization_url/)
    cli.kill('SIGINT')
    const result = await cli.done
    expect(result.code).toBe(130)
    expect(interrupted(result.stdout).code).toBe('interrupted')
    expect(readdirSync(configDir)).not.toContain('tokens')
    expect(await heldLocks(configDir)).toEqual([])
  })
})

describe('Ctrl-C during a bulk submission', () => {
  it('with batches in flight: exit 130, no report or partial report, and a rerun finishes every row exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clowdops-interrupt-'))
    const file = join(dir, 'people.csv')
    writeFileSync(file, ['type,email', ...Array.from({ length: 3_000 }, (_, i) => `access,interrupt-${i}@example.com`)].join('\n'))
    const report = join(dir, 'report.ndjson')
    const journal = join(dir, 'people.journal.jsonl')
    const env = envFor(platform())
    const args = ['privacy', 'submit', '--file', file, '--journal', journal, '--report', report, '--attest-method', 'government_id', '--attested-by', 'privacy-team@example.com']
    platform().faults.latency(60) // slow enough to be interrupted in the middle
    const first = startCli([...args, '--concurrency', '2', '--batch-size', '50', '--json'], env)
    await first.line(/"outcome":"accepted"/, 30_000)
    first.kill('SIGINT')
    const stopped = await first.done
    expect(stopped.code, stopped.stderr).toBe(130)
    expect(interrupted(stopped.stdout).code).toBe('interrupted')
    expect(readdirSync(dir).filter((name) => name.startsWith('report.'))).toEqual([]) // neither the report nor a .partial

    const journaled = readFileSync(journal, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { t?: string; rows?: unknown[] })
    const acceptedBefore = journaled.filter((entry) => entry.t === 'accepted').reduce((n, entry) => n + (entry.rows?.length ?? 0), 0)
    expect(acceptedBefore).toBeGreaterThan(0)
    expect(acceptedBefore).toBeLessThan(3_000)

    platform().faults.latency(0)
    const second = await runCli([...args, '--json'], env)
    expect(second.code, second.stderr).toBe(0)
    const summary = JSON.parse(second.stdout.trim().split('\n').at(-1)!) as BulkSummary
    expect(summary.resumed).toBeGreaterThanOrEqual(acceptedBefore)
    const onPlatform = platform().privacy.requests().filter((r) => r.batch_id === summary.batch_id)
    expect(onPlatform).toHaveLength(3_000)
    expect(onPlatform.every((r) => platform().privacy.creations(r.id) === 1)).toBe(true)
    expect(existsSync(report)).toBe(true)
  }, 60_000)
})

describe('Ctrl-C while waiting', () => {
  it('privacy wait --json: exit 130 with the interrupted body', async () => {
    const env = envFor(platform())
    const created = await runCli(['privacy', 'request', 'access', '--json'], env)
    expect(created.code, created.stderr).toBe(0)
    const { id } = (JSON.parse(created.stdout) as { request: { id: string } }).request
    expect((await runCli(['privacy', 'verify', id, '--code', platform().privacy.lastCode(id) ?? ''], env)).code).toBe(0)
    const listCalls = () => platform().stats.byRoute['privacy-requests.list'] ?? 0
    const calls = listCalls()
    const cli = startCli(['privacy', 'wait', id, '--timeout', '1h', '--json'], env)
    await until(() => listCalls() > calls, 'the first poll')
    cli.kill('SIGINT')
    const result = await cli.done
    expect(result.code).toBe(130)
    expect(interrupted(result.stdout)).toMatchObject({ code: 'interrupted', exitCode: 130 })
  })
})
