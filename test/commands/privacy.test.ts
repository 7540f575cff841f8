// privacy commands in-process on a fake terminal: the typed email that confirms an erasure, the verification code
// (mistyped, then right), each answered, refused and interrupted, against the local platform().
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import PrivacyDelete from '../../commands/privacy/delete.js'
import PrivacyVerify from '../../commands/privacy/verify.js'
import PrivacyRequest from '../../commands/privacy/request.js'
import PrivacySubmit from '../../commands/privacy/submit.js'
import PrivacyConsentGrant from '../../commands/privacy/consent/grant.js'
import PrivacyConsentHistory from '../../commands/privacy/consent/history.js'
import PrivacyConsentList from '../../commands/privacy/consent/list.js'
import type { BulkSummary, RowReport } from '../../src/core/bulk/model.js'
import { FAST_PRIVACY_SETTINGS } from '../platform/server.js'
import { envFor, usePlatform } from '../support/platform.js'
import { runCommand } from '../support/terminal.js'

const platform = usePlatform({ rateLimit: null, privacy: FAST_PRIVACY_SETTINGS })

const newestCode = () => {
  const email = platform().privacy.outbox().at(-1)
  if (!email) throw new Error('no verification email sent')
  return email.code
}
const erasures = () => platform().privacy.requests().filter((r) => r.type === 'erasure').length

describe('privacy delete', () => {
  it('explains what is lost, takes the typed email and then the code', async () => {
    const run = await runCommand(PrivacyDelete, [], { env: envFor(platform()), answers: ['ADA@example.com ', newestCode] })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.terminal.asked.map((a) => a.message)).toEqual([
      'Type ada@example.com to confirm erasure:',
      expect.stringMatching(/^Verification code sent to a\*\*\*@example\.com:$/),
    ])
    expect(run.stderr).toContain('grace period of 7 days')
    expect(run.stdout).toMatch(/Status\s+(received|in_progress|awaiting_grace_period)/)
  })

  it('another email is refused: exit 3 and nothing requested', async () => {
    const before = erasures()
    const run = await runCommand(PrivacyDelete, [], { env: envFor(platform()), answers: ['someone@example.org'] })
    expect(run.exitCode).toBe(3)
    expect(run.stderr).toContain('nothing was requested')
    expect(erasures()).toBe(before)
  })

  it('Ctrl-C at the confirmation: exit 130 and nothing requested', async () => {
    const before = erasures()
    const run = await runCommand(PrivacyDelete, [], { env: envFor(platform()), answers: [{ interrupt: true }] })
    expect(run.exitCode).toBe(130)
    expect(erasures()).toBe(before)
  })

  it('without a terminal it asks nothing and wants --yes --confirm-email (exit 2)', async () => {
    const run = await runCommand(PrivacyDelete, [], { env: envFor(platform()), stdin: '' })
    expect(run.exitCode).toBe(2)
    expect(run.terminal.asked).toEqual([])
    expect(run.stderr).toContain('--confirm-email')
  })
})

describe('privacy verify', () => {
  async function pendingRequest(env: Record<string, string>): Promise<string> {
    const created = await runCommand(PrivacyRequest, ['access', '--json'], { env, stdin: '' })
    expect(created.exitCode, created.stdout).toBe(0)
    return (JSON.parse(created.stdout) as { request: { id: string } }).request.id
  }

  it('a mistyped code is asked again with the attempts left; the right one verifies', async () => {
    const env = envFor(platform())
    const id = await pendingRequest(env)
    const code = platform().privacy.lastCode(id) ?? ''
    const wrong = code === '000000' ? '111111' : '000000'
    const run = await runCommand(PrivacyVerify, [id], { env, answers: [wrong, code] })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.terminal.asked).toHaveLength(2)
    expect(run.stderr).toMatch(/That code is not right; 4 attempts left/)
    expect(run.stdout).toMatch(/Status\s+(received|in_progress)/)
  })

  it('--resend says a new code was sent, and where', async () => {
    const env = envFor(platform())
    const id = await pendingRequest(env)
    const before = platform().privacy.outbox().length
    const run = await runCommand(PrivacyVerify, [id, '--resend'], { env, stdin: '' })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(platform().privacy.outbox().length).toBe(before + 1)
    expect(run.stderr).toMatch(/A new verification code was sent to a\*\*\*@example\.com; the earlier code no longer works\./)
    expect(run.stderr).toContain(`clowdops privacy verify ${id}`)
  })

  it('Ctrl-C at the code: exit 130, the request still waits for its code', async () => {
    const env = envFor(platform())
    const id = await pendingRequest(env)
    const run = await runCommand(PrivacyVerify, [id], { env, answers: [{ interrupt: true }] })
    expect(run.exitCode).toBe(130)
    expect(platform().privacy.requests().find((r) => r.id === id)?.status).toBe('pending_verification')
  })
})

describe('privacy submit', () => {
  const ATTEST = ['--attest-method', 'government_id', '--attested-by', 'privacy-team@example.com']
  const csv = (prefix: string) => `type,email\n${Array.from({ length: 30 }, (_, i) => `access,${prefix}-${i}@example.com`).join('\n')}\nteleport,x@example.com\n`

  it('--file - reads the piped input through the terminal port; --json writes each row, then the summary', async () => {
    const run = await runCommand(PrivacySubmit, ['--file', '-', ...ATTEST, '--json'], { env: envFor(platform()), stdin: csv('piped') })
    expect(run.exitCode).toBe(11) // one invalid row
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as RowReport | BulkSummary)
    const summary = lines.at(-1) as BulkSummary
    expect(summary).toMatchObject({ type: 'summary', rows: 31, accepted: 30, invalid: 1 })
    expect(lines.slice(0, -1).every((line) => line.type === 'row')).toBe(true)
    expect(run.stderr).toBe('') // --json: nothing for people
  })

  it('on a terminal: the summary on stdout, the rows that failed and the progress on stderr', async () => {
    const run = await runCommand(PrivacySubmit, ['--file', '-', ...ATTEST], { env: envFor(platform()), stdin: csv('terminal'), stderrTTY: true })
    expect(run.exitCode).toBe(11)
    expect(run.stdout).toMatch(/accepted\s+30/)
    expect(run.stderr).toContain('Rows not submitted:')
    expect(run.stderr).toMatch(/line 32: /)
  })

  it('counts in the summary agree with their nouns: 1 row, 2 rows', async () => {
    const one = await runCommand(PrivacySubmit, ['--file', '-', ...ATTEST, '--dry-run'], { env: envFor(platform()), stdin: 'type,email\naccess,plural-1@example.com\n' })
    expect(one.exitCode, one.stderr).toBe(0)
    expect(one.stdout).toMatch(/^Plan 1 row \(batch/m)
    const two = await runCommand(PrivacySubmit, ['--file', '-', ...ATTEST, '--dry-run'], { env: envFor(platform()), stdin: 'type,email\naccess,plural-1@example.com\naccess,plural-2@example.com\n' })
    expect(two.stdout).toMatch(/^Plan 2 rows \(batch/m)
  })

  it('a 10 MB field is one invalid row and the rows after it are sent; a quote never closed is named in the summary', async () => {
    const long = `type,email,note\naccess,long-1@example.com,"${'z'.repeat(10 * 1024 * 1024)}"\naccess,long-2@example.com,\n`
    const run = await runCommand(PrivacySubmit, ['--file', '-', ...ATTEST, '--json'], { env: envFor(platform()), stdin: long })
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as BulkSummary
    expect(summary).toMatchObject({ rows: 2, invalid: 1, accepted: 1, unread: null })
    expect(run.exitCode).toBe(11)

    const open = 'type,email\naccess,open-1@example.com\naccess,"open-2@example.com\naccess,open-3@example.com\n'
    const human = await runCommand(PrivacySubmit, ['--file', '-', ...ATTEST], { env: envFor(platform()), stdin: open })
    expect(human.stdout).toMatch(/not read to its end: reading stopped at line 3/)
  })

  it('the same person and type under two regulations is one request: the second row is an in-file duplicate, not an id conflict', async () => {
    const input = 'type,regulation,email\nerasure,gdpr,twice@example.com\nerasure,uk_gdpr,twice@example.com\naccess,gdpr,twice@example.com\n'
    const run = await runCommand(PrivacySubmit, ['--file', '-', ...ATTEST, '--json'], { env: envFor(platform()), stdin: input })
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as RowReport | BulkSummary)
    const rows = lines.filter((line): line is RowReport => line.type === 'row').sort((a, b) => a.line - b.line)
    expect(rows.map((r) => [r.line, r.outcome])).toEqual([[2, 'accepted'], [3, 'in_file_duplicate'], [4, 'accepted']])
    expect(rows[1]).toMatchObject({ duplicate_of_line: 2, id: (rows[0] as { id: string }).id })
    expect(lines.at(-1)).toMatchObject({ type: 'summary', accepted: 2, in_file_duplicates: 1, rejected: 0 })
    expect(run.exitCode, run.stderr).toBe(0)
  })
})

describe('times in human output', () => {
  // Local time with its zone named, and an age; raw ISO (…T…Z) is for --json only.
  const RAW_ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d/
  const LABELLED = /\d{4}-\d\d-\d\d \d\d:\d\d (UTC|GMT[+-]?\d*|[A-Z]{3,4})\b/

  it('consent list SINCE and history show labelled local times with their age; --json keeps ISO', async () => {
    const env = envFor(platform())
    expect((await runCommand(PrivacyConsentGrant, ['cookies_analytics'], { env, stdin: '' })).exitCode).toBe(0)
    const list = await runCommand(PrivacyConsentList, [], { env, stdin: '' })
    expect(list.stdout).toMatch(LABELLED)
    expect(list.stdout).toMatch(/just now|min ago/)
    expect(list.stdout).not.toMatch(RAW_ISO)
    const history = await runCommand(PrivacyConsentHistory, ['cookies_analytics'], { env, stdin: '' })
    expect(history.stdout).toMatch(LABELLED)
    expect(history.stdout).not.toMatch(RAW_ISO)
    const json = await runCommand(PrivacyConsentHistory, ['cookies_analytics', '--json'], { env, stdin: '' })
    expect(json.stdout).toMatch(RAW_ISO)
  })
})

describe('privacy submit progress', () => {
  const csv = (n: number) => `type,email\n${Array.from({ length: n }, (_, i) => `access,progress-${i}@example.com`).join('\n')}\n`
  const ATTEST = ['--attest-method', 'government_id', '--attested-by', 'privacy-team@example.com']

  it('without a terminal, writes a heartbeat line on stderr every interval (under --json too), stdout untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clowdops-progress-'))
    const file = join(dir, 'slow.csv')
    writeFileSync(file, csv(12))
    platform().faults.latency(60) // 12 batches of 1, one after the other: well over 5 intervals of 50 ms
    try {
      const env = { ...envFor(platform()), CLOWDOPS_PROGRESS_INTERVAL: '0.05' }
      const run = await runCommand(PrivacySubmit, ['--file', file, ...ATTEST, '--batch-size', '1', '--concurrency', '1', '--json'], { env, stdin: '', stderrTTY: false })
      expect(run.exitCode, run.stderr).toBe(0)
      const beats = run.stderr.split('\n').filter((line) => /^privacy submit: \d+s elapsed · /.test(line))
      expect(beats.length).toBeGreaterThanOrEqual(5)
      expect(beats.some((line) => /\d+% · \d+\/12 rows · \d+ rows\/s/.test(line))).toBe(true)
      expect(run.stdout).not.toContain('privacy submit:')
    } finally {
      platform().faults.latency(0)
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('on a terminal, the status line fits its width and shows percent, rate and ETA', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clowdops-progress-'))
    const file = join(dir, 'tty.csv')
    writeFileSync(file, csv(8))
    platform().faults.latency(250) // each answer later than the line's 200 ms refresh
    try {
      const run = await runCommand(PrivacySubmit, ['--file', file, ...ATTEST, '--batch-size', '1', '--concurrency', '1'], { env: envFor(platform()) })
      expect(run.exitCode, run.stderr).toBe(0)
      const shown = run.stderr.split('\r\u001b[K').map((line) => line.replace(/\n[\s\S]*$/, '')).filter((line) => line.includes('rows/s'))
      expect(shown.length).toBeGreaterThan(1)
      expect(shown.every((line) => line.length < run.terminal.err.columns!)).toBe(true)
      expect(shown.at(-1)).toMatch(/^\d+% · \d+\/8 rows · \d+ rows\/s · ETA \d+s/)
    } finally {
      platform().faults.latency(0)
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
