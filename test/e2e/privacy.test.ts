// Every privacy right end to end: the built CLI against the local platform over loopback HTTP, verification codes read
// from the platform's outbox, the platform's clock moved forward instead of waiting days.
import { readdirSync, readFileSync } from 'node:fs'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConsentWrite } from '../../src/core/contract/index.js'
import { ErrorOutput } from '../../src/core/errors.js'
import { Consents } from '../../src/core/privacy/consent.js'
import { DownloadedExport } from '../../src/core/privacy/exports.js'
import { Created, RequestView, RequestViewList } from '../../src/core/privacy/requests.js'
import { storedState } from '../platform/server.js'
import { freshConfigDir, runCli } from '../support/cli.js'
import { envFor, usePlatform } from '../support/platform.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
/** Past received → in_progress → done under the default settings (1 hour, then 2 days). */
const WORK_DONE = 3 * DAY

const platform = usePlatform({ rateLimit: null })
let env: Record<string, string>

beforeAll(() => {
  env = envFor(platform())
})

async function cli(args: string[], extraEnv: Record<string, string> = {}) {
  return runCli(args, { ...env, ...extraEnv })
}

async function ok<T>(args: string[], schema: z.ZodType<T>): Promise<T> {
  const result = await cli([...args, '--json'])
  expect(result.code, `${args.join(' ')}\n${result.stderr}${result.stdout}`).toBe(0)
  return schema.parse(JSON.parse(result.stdout))
}

async function failure(args: string[], exitCode: number) {
  const result = await cli([...args, '--json'])
  expect(result.code, result.stderr + result.stdout).toBe(exitCode)
  return ErrorOutput.parse(JSON.parse(result.stdout)).error
}

function codeFor(id: string): string {
  const code = platform().privacy.lastCode(id)
  if (!code) throw new Error(`no verification email for ${id}`)
  return code
}

/** Creates a request with `args` and verifies it with the emailed code. */
async function verified(args: string[]) {
  const created = await ok(['privacy', 'request', ...args], Created)
  expect(created.request.status).toBe('pending_verification')
  expect(created.request.next_step).toContain(`clowdops privacy verify ${created.request.id}`)
  const request = await ok(['privacy', 'verify', created.request.id, '--code', codeFor(created.request.id)], RequestView)
  expect(request.status).toBe('received')
  return request
}

describe('the rights, one by one', () => {
  it('access: verified with the emailed code, due one calendar month later, completed, downloaded and checked', async () => {
    const request = await verified(['access'])
    const received = new Date(request.received_at!)
    const due = new Date(request.due_at!)
    expect(due.getUTCMonth()).toBe((received.getUTCMonth() + 1) % 12)
    expect(request.days_left).toBeGreaterThanOrEqual(28)
    expect(request.next_step).toContain(`clowdops privacy wait ${request.id}`)

    platform().privacy.advance(WORK_DONE)
    const done = await ok(['privacy', 'status', request.id], RequestView)
    expect(done.status).toBe('completed')
    expect(done.next_step).toBe(`Download it: clowdops privacy download ${request.id}`)

    const directory = mkdtempSync(join(tmpdir(), 'clowdops-export-'))
    const downloaded = await ok(['privacy', 'download', request.id, '--output', `${directory}/`], DownloadedExport)
    const [file] = downloaded.files
    expect(file?.outcome).toBe('fetched')
    expect(readFileSync(file!.path).subarray(0, 2).toString('latin1')).toBe('PK') // a real zip
    expect(readdirSync(directory)).toEqual([file!.name])

    const again = await ok(['privacy', 'download', request.id, '--output', `${directory}/`], DownloadedExport)
    expect(again.files[0]?.outcome).toBe('present')
  })

  it('rectification carries its changes; restriction and objection their purposes; all complete', async () => {
    const rectification = await verified(['rectification', '--set', 'name=Ada King', '--set', 'company=Analytical Engines'])
    expect(rectification.rectification?.changes).toEqual([
      { field: 'name', value: 'Ada King' },
      { field: 'company', value: 'Analytical Engines' },
    ])
    const restriction = await verified(['restriction', '--purpose', 'analytics', '--purpose', 'profiling'])
    expect(restriction.processing?.purposes).toEqual(['analytics', 'profiling'])
    const objection = await verified(['objection', '--purpose', 'marketing', '--regulation', 'uk_gdpr'])
    expect(objection.regulation).toBe('uk_gdpr')

    platform().privacy.advance(WORK_DONE)
    for (const request of [rectification, restriction, objection]) {
      const done = await ok(['privacy', 'status', request.id], RequestView)
      expect(done.status, request.type).toBe('completed')
      expect(done.next_step).toBeNull()
    }
  })

  it('refuses incomplete requests before sending: rectification without --set, objection without --purpose (exit 2)', async () => {
    const before = platform().privacy.requests().length
    expect((await failure(['privacy', 'request', 'rectification'], 2)).hint).toContain('--set')
    expect((await failure(['privacy', 'request', 'objection'], 2)).hint).toContain('--purpose')
    expect((await failure(['privacy', 'request', 'rectification', '--set', 'password=x'], 2)).message).toContain('name, email')
    expect(platform().privacy.requests().length).toBe(before)
  })

  it('CCPA: know is due in the 30 days promised (the law allows 45); opt-out needs no code and withdraws marketing consent at once', async () => {
    const know = await verified(['ccpa_know'])
    expect(know.regulation).toBe('ccpa')
    expect(Date.parse(know.legal_due_at!) - Date.parse(know.received_at!)).toBe(45 * DAY)
    expect(Date.parse(know.due_at!) - Date.parse(know.received_at!)).toBe(30 * DAY)
    expect(know.due_basis).toBe('promise')

    const optOut = await ok(['privacy', 'request', 'ccpa_opt_out'], Created)
    expect(optOut.request.verification).toBeNull()
    const status = await ok(['privacy', 'status', optOut.request.id], RequestView)
    expect(status.status).toBe('completed')
    const consents = await ok(['privacy', 'consent', 'list'], Consents)
    for (const purpose of ['cookies_marketing', 'marketing_email']) {
      expect(consents.find((c) => c.purpose === purpose)).toMatchObject({ state: 'withdrawn', method: 'ccpa_opt_out' })
    }
  })

  it('a GDPR right under CCPA is refused locally, naming the regulation (exit 10)', async () => {
    const error = await failure(['privacy', 'request', 'access', '--regulation', 'ccpa'], 10)
    expect(error.message).toContain('gdpr or uk_gdpr')
  })

  it('list filters by state and type; denial shows its reason', async () => {
    const request = await verified(['access', '--note', 'for the list test'])
    platform().privacy.deny(request.id, 'manifestly unfounded: duplicate of an answered request')
    const denied = await ok(['privacy', 'list', '--status', 'denied', '--type', 'access'], RequestViewList)
    expect(denied.map((r) => r.id)).toContain(request.id)
    expect(denied.every((r) => r.status === 'denied' && r.type === 'access')).toBe(true)
    const text = await cli(['privacy', 'status', request.id])
    expect(text.stdout).toContain('manifestly unfounded')
    expect(text.stdout).toMatch(/Next\s+Denied/)
  })
})

describe('verification', () => {
  it('a wrong code spends an attempt and says how many are left; the right one then works', async () => {
    const { request } = await ok(['privacy', 'request', 'access'], Created)
    const right = codeFor(request.id)
    const wrong = right === '000000' ? '111111' : '000000'
    // The platform did not fail: it refused the input, which is exit 10 (README), not 1.
    const error = await failure(['privacy', 'verify', request.id, '--code', wrong], 10)
    expect(error.code).toBe('invalid_code')
    expect(error.message).toContain("4 attempt(s) left")
    expect((await ok(['privacy', 'status', request.id], RequestView)).verification?.attempts_left).toBe(4)
    expect((await ok(['privacy', 'verify', request.id, '--code', right], RequestView)).status).toBe('received')
  })

  it('an expired code is refused; --resend emails a new one that works', async () => {
    const { request } = await ok(['privacy', 'request', 'access'], Created)
    const old = codeFor(request.id)
    platform().privacy.advance(16 * 60_000)
    const error = await failure(['privacy', 'verify', request.id, '--code', old], 10)
    expect(error.code).toBe('code_expired')

    const emails = platform().privacy.outbox().length
    await ok(['privacy', 'verify', request.id, '--resend'], RequestView)
    expect(platform().privacy.outbox().length).toBe(emails + 1)
    const fresh = codeFor(request.id)
    expect((await ok(['privacy', 'verify', request.id, '--code', fresh], RequestView)).status).toBe('received')
  })

  it('a code that is not six digits is a usage error about --code, nothing sent (nor a request created)', async () => {
    const { request } = await ok(['privacy', 'request', 'access'], Created)
    const attempts = () => platform().stats.byRoute['privacy-requests.verify'] ?? 0
    const before = attempts()
    const error = await failure(['privacy', 'verify', request.id, '--code', '12ab56'], 2)
    expect(error.code).toBe('usage')
    expect(error.message).toBe('--code must be the six digits of the emailed code.')
    expect(error.message).not.toMatch(/POST|\/v1\//)
    const created = platform().stats.byRoute['privacy-requests.create'] ?? 0
    await failure(['privacy', 'request', 'access', '--code', '1234'], 2)
    expect(platform().stats.byRoute['privacy-requests.create'] ?? 0).toBe(created)
    expect(attempts()).toBe(before)
  })

  it('a download before verification says to verify, naming the command', async () => {
    const { request } = await ok(['privacy', 'request', 'access'], Created)
    const error = await failure(['privacy', 'download', request.id, '--output', `${mkdtempSync(join(tmpdir(), 'dl-'))}/`], 6)
    expect(error.hint).toContain(`clowdops privacy verify ${request.id}`)
  })

  it('without a terminal and without --code, verify says how to pass the code (exit 8)', async () => {
    const { request } = await ok(['privacy', 'request', 'access'], Created)
    const error = await failure(['privacy', 'verify', request.id], 8)
    expect(error.hint).toContain('--code')
  })
})

describe('export', () => {
  it('export --wait without a terminal or code is refused before anything is created, saying how to pass it (exit 2)', async () => {
    const before = platform().privacy.requests().length
    const error = await failure(['privacy', 'export', '--wait'], 2)
    expect(error.hint).toMatch(/clowdops privacy export --wait --code CODE/)
    expect(platform().privacy.requests().length).toBe(before)
  })

  it('a download cut mid-stream resumes from the byte it reached, and verifies', async () => {
    const request = await verified(['portability', '--format', 'tar.gz'])
    platform().privacy.advance(WORK_DONE)
    const directory = mkdtempSync(join(tmpdir(), 'clowdops-export-'))
    const before = platform().privacy.downloads.length
    platform().privacy.cutNextDownloadAt(1000)
    const downloaded = await ok(['privacy', 'download', request.id, '--output', join(directory, 'mine.tar.gz')], DownloadedExport)
    expect(downloaded.files[0]).toMatchObject({ outcome: 'fetched', resumes: 1, path: join(directory, 'mine.tar.gz') })
    const requests = platform().privacy.downloads.slice(before)
    expect(requests.map((r) => r.range)).toEqual([null, 'bytes=1000-'])
    expect(requests[1]?.status).toBe(206)
    expect(readFileSync(join(directory, 'mine.tar.gz')).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])) // gzip
  })

  it('a corrupted body is detected: exit 1, nothing at the output path, no partial file left', async () => {
    const request = await verified(['access'])
    platform().privacy.advance(WORK_DONE)
    const directory = mkdtempSync(join(tmpdir(), 'clowdops-export-'))
    platform().privacy.corruptNextDownload()
    const error = await failure(['privacy', 'download', request.id, '--output', join(directory, 'export.zip')], 1)
    expect(error.code).toBe('checksum_mismatch')
    expect(readdirSync(directory)).toEqual([])
  })

  it('before completion the download says the export is not ready (exit 6)', async () => {
    const request = await verified(['access'])
    const error = await failure(['privacy', 'download', request.id], 6)
    expect(error.code).toBe('export_not_ready')
  })
})

describe('wait', () => {
  it('exit 0 when all completed, 1 when one was denied, 8 on timeout or a missing code', async () => {
    const a = await verified(['access'])
    const b = await verified(['restriction', '--purpose', 'analytics'])
    platform().privacy.advance(WORK_DONE)
    expect((await cli(['privacy', 'wait', a.id, b.id])).code).toBe(0)

    const denied = await verified(['access'])
    platform().privacy.deny(denied.id, 'not the account holder')
    const ended = await cli(['privacy', 'wait', a.id, denied.id, '--json'])
    expect(ended.code).toBe(1)
    expect(JSON.parse(ended.stdout)).toMatchObject({ outcome: 'ended' })

    const open = await verified(['access'])
    const timedOut = await cli(['privacy', 'wait', open.id, '--timeout', '1s'])
    expect(timedOut.code).toBe(8)
    expect(timedOut.stdout).toContain('timeout ran out')

    const { request: unverified } = await ok(['privacy', 'request', 'access'], Created)
    const needsCode = await cli(['privacy', 'wait', unverified.id])
    expect(needsCode.code).toBe(8)
    expect(needsCode.stdout).toContain(`clowdops privacy verify ${unverified.id}`)
  })

  it('refuses an id that is not a UUID before any request (exit 2)', async () => {
    const error = await failure(['privacy', 'wait', 'not-an-id'], 2)
    expect(error.message).toContain('not a privacy request id')
  })
})

describe('consent', () => {
  it('grant, withdraw and list round-trip; writing the same state again changes nothing', async () => {
    const granted = await ok(['privacy', 'consent', 'grant', 'cookies_analytics'], ConsentWrite)
    expect(granted).toMatchObject({ outcome: 'applied', consent: { state: 'granted', method: 'cli' } })
    expect((await ok(['privacy', 'consent', 'grant', 'cookies_analytics'], ConsentWrite)).outcome).toBe('unchanged')
    const withdrawn = await ok(['privacy', 'consent', 'withdraw', 'cookies_analytics'], ConsentWrite)
    expect(withdrawn).toMatchObject({ outcome: 'applied', consent: { state: 'withdrawn' } })
    const listed = await ok(['privacy', 'consent', 'list'], Consents)
    expect(listed.map((c) => c.purpose).sort()).toEqual(['cookies_analytics', 'cookies_marketing', 'marketing_email'])
    expect(listed.find((c) => c.purpose === 'cookies_analytics')?.state).toBe('withdrawn')
    const history = await cli(['privacy', 'consent', 'history', 'cookies_analytics'])
    expect(history.stdout.match(/\bcli\b/g)?.length).toBe(3)
  })

  it('a write older than the stored choice is reported as not applied, and changes nothing', async () => {
    // A newer choice made on the web, timestamped ahead of this machine's clock (and of the platform's, moved on above).
    const future = new Date(Math.max(Date.now(), platform().privacy.now().getTime()) + HOUR).toISOString()
    const response = await fetch(`${platform().url}/v1/privacy/consents/marketing_email`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${platform().token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'granted', collected_at: future, method: 'web' }),
    })
    expect(response.status).toBe(200)
    const stale = await cli(['privacy', 'consent', 'withdraw', 'marketing_email'])
    expect(stale.code).toBe(0)
    expect(stale.stdout).toContain('Not applied: a newer choice for marketing_email is stored (granted')
    const listed = await ok(['privacy', 'consent', 'list'], Consents)
    expect(listed.find((c) => c.purpose === 'marketing_email')).toMatchObject({ state: 'granted', method: 'web' })
  })
})

describe('exactly once', () => {
  it('a connection reset after the platform created the request is retried with the same id: one request', async () => {
    const before = platform().privacy.requests().length
    platform().faults.resetNext(1)
    const created = await ok(['privacy', 'request', 'access'], Created)
    expect(created.replayed).toBe(true)
    expect(platform().privacy.creations(created.request.id)).toBe(1)
    expect(platform().privacy.requests().length).toBe(before + 1)
  })

  it('a run that never got an answer leaves its id on disk; running it again creates that one request, once', async () => {
    const configDir = freshConfigDir()
    const before = platform().privacy.requests().length
    platform().faults.resetNext(10) // every attempt of the first run loses its response, after the platform acted
    const lost = await runCli(['privacy', 'request', 'restriction', '--purpose', 'profiling', '--json'], { ...env, CLOWDOPS_CONFIG_DIR: configDir })
    platform().faults.clear()
    expect(lost.code).toBe(7)
    const { error } = ErrorOutput.parse(JSON.parse(lost.stdout))
    const id = /request ([0-9a-f-]{36})/.exec(error.hint ?? '')?.[1]
    expect(id, error.hint).toBeDefined()

    const again = await runCli(['privacy', 'request', 'restriction', '--purpose', 'profiling', '--json'], { ...env, CLOWDOPS_CONFIG_DIR: configDir })
    expect(again.code, again.stderr).toBe(0)
    const created = Created.parse(JSON.parse(again.stdout))
    expect(created.request.id).toBe(id)
    expect(created.replayed).toBe(true)
    expect(platform().privacy.creations(id!)).toBe(1)
    expect(platform().privacy.requests().length).toBe(before + 1)

    // Answered for good, the reservation is gone: the same command now makes a new request.
    const third = Created.parse(JSON.parse((await runCli(['privacy', 'request', 'restriction', '--purpose', 'profiling', '--json'], { ...env, CLOWDOPS_CONFIG_DIR: configDir })).stdout))
    expect(third.request.id).not.toBe(id)
  })
})

describe('nothing personal in debug logs', () => {
  it('--debug masks the account email and never shows the verification code', async () => {
    const { request } = await ok(['privacy', 'request', 'access'], Created)
    const code = codeFor(request.id)
    const result = await cli(['privacy', 'verify', request.id, '--code', code, '--debug'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain('clowdops →')
    expect(result.stderr).not.toContain(platform().user.email)
    expect(result.stderr).toContain('a***@example.com')
    expect(result.stderr).not.toContain(code)
    expect(JSON.stringify(storedState(platform()).privacy)).not.toContain(`"${code}"`)
  })
})

describe('receipt time and channel (privacy request --received-at, --channel)', () => {
  it('counts the deadline from when the request reached the organisation, and shows how it came', async () => {
    const receivedAt = new Date(Date.now() - 3 * DAY).toISOString()
    const created = await ok(['privacy', 'request', 'access', '--regulation', 'us_tx', '--received-at', receivedAt, '--channel', 'email'], Created)
    const request = await ok(['privacy', 'verify', created.request.id, '--code', codeFor(created.request.id)], RequestView)
    expect(request).toMatchObject({ received_at: receivedAt, channel: 'email', due_basis: 'promise' })
    expect(Date.parse(request.due_at!) - Date.parse(receivedAt)).toBe(30 * DAY)
    const human = await cli(['privacy', 'status', request.id])
    // Local time with its zone and age (issue 14), then the channel.
    expect(human.stdout).toMatch(new RegExp(`Received   ${receivedAt.slice(0, 10)} \\d{2}:\\d{2} \\S+ \\(3 days ago\\) by email`))
    expect(human.stdout).toMatch(/our promise \(Texas DPSA allows until \d{4}-\d{2}-\d{2} \d{2}:\d{2} \S+\)/)
  })

  it('shows an extension with its reason and the deadline it set, in the human output and --json', async () => {
    const request = await verified(['access', '--regulation', 'us_va'])
    platform().privacy.extend(request.id, 30, 'records in three systems')
    const human = await cli(['privacy', 'status', request.id])
    expect(human.stdout).toContain('Extended   30 days: records in three systems')
    expect(human.stdout).toMatch(/Due {8}\d{4}-\d{2}-\d{2} \d{2}:\d{2} \S+ \(\d+ days left\), Virginia CDPA deadline as extended/)
    const json = await ok(['privacy', 'status', request.id], RequestView)
    expect(json).toMatchObject({ due_basis: 'extension', extension: { days: 30, reason: 'records in three systems' } })
    expect(Date.parse(json.due_at!) - Date.parse(json.received_at!)).toBe(75 * DAY)
  })

  it('refuses a receipt time in the future or before the law took effect, naming the flag (exit 2), creating nothing', async () => {
    const before = platform().privacy.requests().length
    const tomorrow = new Date(Date.now() + DAY).toISOString()
    expect((await failure(['privacy', 'request', 'access', '--received-at', tomorrow], 2)).message).toContain('--received-at')
    const early = await failure(['privacy', 'request', 'access', '--regulation', 'us_in', '--received-at', '2025-12-31'], 2)
    expect(early.message).toBe('--received-at "2025-12-31" is before Indiana CDPA took effect (2026-01-01).')
    expect((await failure(['privacy', 'request', 'access', '--received-at', 'monday'], 2)).message).toContain('is not a date')
    expect(platform().privacy.requests().length).toBe(before)
  })
})

describe('a question from the privacy team (privacy request-clarification, privacy clarify)', () => {
  it('asks, shows the question and the paused clock, and takes the answer from the CLI; a second answer is a conflict (exit 6)', async () => {
    const request = await verified(['access', '--regulation', 'uk_gdpr'])
    const asked = await ok(['privacy', 'request-clarification', request.id, '--question', 'Which of your two accounts?'], RequestView)
    expect(asked.clock_paused_since).not.toBeNull()
    expect(asked.next_step).toBe(`The privacy team asked: "Which of your two accounts?". Answer it: clowdops privacy clarify ${request.id} --message "..."`)
    const human = await cli(['privacy', 'status', request.id])
    expect(human.stdout).toContain('Question   Which of your two accounts?')
    expect(human.stdout).toMatch(/Paused {5}since \d{4}-\d{2}-\d{2}/)

    const answered = await ok(['privacy', 'clarify', request.id, '--message', 'The work one.'], RequestView)
    expect(answered).toMatchObject({ clock_paused_since: null, clarifications: [expect.objectContaining({ answer: 'The work one.' })] })
    expect((await failure(['privacy', 'clarify', request.id, '--message', 'again'], 6)).message).toContain('no open question')
  })
})

describe('appeals and complaints (privacy appeal, privacy complain)', () => {
  it('appeals a denied Texas request end to end: linked, with its own clock, in status and list, and refused twice', async () => {
    const request = await verified(['access', '--regulation', 'us_tx'])
    platform().privacy.deny(request.id, 'could not match the account')
    const denied = await ok(['privacy', 'status', request.id], RequestView)
    expect(denied.next_step).toBe(`Denied; the reason is above. Texas DPSA lets you appeal: clowdops privacy appeal ${request.id} --reason "..."`)

    const appeal = await ok(['privacy', 'appeal', request.id, '--reason', 'The account is mine.'], RequestView)
    expect(appeal).toMatchObject({ kind: 'appeal', regarding: request.id, status: 'received', due_basis: 'law', days_left: 60 })
    const human = await cli(['privacy', 'status', appeal.id])
    expect(human.stdout).toContain('Type       appeal of access (Texas DPSA)')
    expect(human.stdout).toContain(`Regarding  ${request.id}`)
    const list = await cli(['privacy', 'list', '--limit', '5'])
    expect(list.stdout).toContain('appeal of access')

    const again = await failure(['privacy', 'appeal', request.id, '--reason', 'again'], 6)
    expect(again.message).toContain('already appealed')
  })

  it('refuses an appeal where the law grants none (GDPR: exit 6, naming the law), and records a UK complaint', async () => {
    const gdpr = await verified(['access'])
    platform().privacy.deny(gdpr.id, 'manifestly unfounded')
    expect((await failure(['privacy', 'appeal', gdpr.id, '--reason', 'why'], 6)).message).toContain('GDPR grants no appeal')

    const uk = await verified(['access', '--regulation', 'uk_gdpr'])
    const complaint = await ok(['privacy', 'complain', uk.id, '--message', 'Nobody answered my question.'], RequestView)
    expect(complaint).toMatchObject({ kind: 'complaint', regarding: uk.id, acknowledged_at: expect.any(String) })
  })

  // A rerun after a lost answer sent a fresh id, so a second complaint (or appeal) was recorded: each is now reserved on
  // disk like a request, and the rerun replays it.
  it('a complaint or an appeal whose answer was lost is sent again with the same id: one of each', async () => {
    const configDir = freshConfigDir()
    const uk = await verified(['access', '--regulation', 'uk_gdpr'])
    const texas = await verified(['access', '--regulation', 'us_tx'])
    platform().privacy.deny(texas.id, 'could not match the account')
    for (const argv of [
      ['privacy', 'complain', uk.id, '--message', 'Nobody answered my question.'],
      ['privacy', 'appeal', texas.id, '--reason', 'The account is mine.'],
    ]) {
      platform().faults.resetNext(10) // every attempt of the first run loses its answer, after the platform acted
      const lost = await runCli([...argv, '--json'], { ...env, CLOWDOPS_CONFIG_DIR: configDir })
      platform().faults.clear()
      expect(lost.code, lost.stdout).toBe(7)
      expect(ErrorOutput.parse(JSON.parse(lost.stdout)).error.hint).toMatch(/Nothing is lost: run the same command again; it resends (complaint|appeal) /)
      const again = await runCli([...argv, '--json'], { ...env, CLOWDOPS_CONFIG_DIR: configDir })
      expect(again.code, again.stderr + again.stdout).toBe(0)
    }
    expect(platform().privacy.requests().filter((r) => r.regarding === uk.id)).toHaveLength(1)
    expect(platform().privacy.requests().filter((r) => r.regarding === texas.id)).toHaveLength(1)
  })
})
