// `privacy wait` at scale, end to end: the built CLI follows thousands of requests from a `privacy submit` report
// while the platform's clock moves, and the platform's own request log shows what it cost: list calls, 100 requests
// each, and not one GET per request.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { BulkReportLine, type RowReport } from '../../src/core/bulk/model.js'
import { ErrorOutput } from '../../src/core/errors.js'
import type { RequestLogEntry } from '../platform/server.js'
import { runCli, startCli } from '../support/cli.js'
import { envFor, usePlatform } from '../support/platform.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const ATTEST = ['--attest-method', 'government_id', '--attested-by', 'privacy-team@example.com']
const LIST_PATH = '/v1/privacy/requests'
const BY_ID = /^\/v1\/privacy\/requests\/[0-9a-f-]{36}$/

let env: Record<string, string>
/** Set while a test records the platform's log, with what to do after each list call. */
let recording: { entries: RequestLogEntry[]; afterList: (listCalls: number) => void } | undefined

const platform = usePlatform({
  rateLimit: null,
  log: (entry) => {
    if (!recording) return
    recording.entries.push(entry)
    if (entry.method === 'GET' && entry.path === LIST_PATH) recording.afterList(recording.entries.filter(isListCall).length)
  },
})
beforeAll(() => {
  env = envFor(platform())
})

const workdir = () => mkdtempSync(join(tmpdir(), 'clowdops-wait-'))
const isListCall = (entry: RequestLogEntry) => entry.method === 'GET' && entry.path === LIST_PATH
const pagesFor = (n: number) => Math.ceil(n / 100)

function csvOf(emails: string[]): string {
  return `type,email\n${emails.map((email) => `access,${email}`).join('\n')}\n`
}

/** Submits the people as access requests and returns the report's rows. */
async function submit(dir: string, name: string, emails: string[]): Promise<{ report: string; rows: RowReport[] }> {
  const file = join(dir, `${name}.csv`)
  writeFileSync(file, csvOf(emails))
  const report = join(dir, `${name}.ndjson`)
  const result = await runCli(['privacy', 'submit', '--file', file, ...ATTEST, '--report', report, '--json'], env)
  expect([0, 11], result.stderr).toContain(result.code)
  const lines = readFileSync(report, 'utf8').trim().split('\n').map((line) => BulkReportLine.parse(JSON.parse(line)))
  return { report, rows: lines.filter((line): line is RowReport => line.type === 'row') }
}

describe('privacy wait --from a submit report of thousands of rows', () => {
  let followed: string[] = []

  it('follows accepted and duplicate rows with list calls only, a page per 100 requests per poll', async () => {
    const dir = workdir()
    // Ten people asked before: in the big file they come back as duplicates of those open requests.
    const earlier = await submit(dir, 'earlier', Array.from({ length: 10 }, (_, i) => `person-${i + 10}@example.com`))
    const emails: string[] = []
    for (let i = 0; i < 3_000; i++) {
      if (i % 500 === 7) emails.push(`not-an-email-${i}`) // invalid: skipped
      else if (i % 400 === 9) emails.push(`person-${i - 1}@example.com`) // the row before again: skipped
      else emails.push(`person-${i}@example.com`)
    }
    const { report, rows } = await submit(dir, 'people', emails)
    const accepted = rows.filter((r) => r.outcome === 'accepted').map((r) => r.id)
    const duplicates = rows.filter((r): r is Extract<RowReport, { outcome: 'duplicate' }> => r.outcome === 'duplicate')
    expect(duplicates).toHaveLength(10)
    expect(new Set(duplicates.map((r) => r.duplicate_of))).toEqual(new Set(earlier.rows.map((r) => (r as { id: string }).id)))
    const skipped = rows.length - accepted.length - duplicates.length
    expect(skipped).toBeGreaterThan(10)
    followed = [...new Set([...accepted, ...duplicates.map((r) => r.duplicate_of)])]
    const total = followed.length
    const denied = followed.slice(100, 103)

    // received → in_progress an hour after submission; in_progress → completed two days later. The clock moves as
    // each poll ends (its last list call), so every poll sees the next change of every request.
    const firstPoll = pagesFor(total)
    const secondPoll = pagesFor(total) // every request changed: received → in_progress (3 denied)
    const thirdPoll = pagesFor(total - denied.length) // the rest completed; the denied are final and no longer asked for
    recording = {
      entries: [],
      afterList: (calls) => {
        if (calls === firstPoll) {
          platform().privacy.advance(HOUR + 60_000)
          for (const id of denied) platform().privacy.deny(id, 'not the person named')
        }
        if (calls === firstPoll + secondPoll) platform().privacy.advance(3 * DAY)
      },
    }
    const result = await startCli(['privacy', 'wait', '--from', report, '--timeout', '2m'], env).done
    const log = recording.entries
    recording = undefined

    expect(result.code, result.stderr).toBe(1) // three were denied
    expect(log.filter((entry) => BY_ID.test(entry.path))).toEqual([])
    expect(log.filter(isListCall)).toHaveLength(firstPoll + secondPoll + thirdPoll)
    expect(log.every((entry) => entry.status === 200)).toBe(true)

    expect(result.stderr).toContain(`Skipped ${skipped} report rows that created no request`)
    expect(result.stderr).toContain(`${total} requests: received ${total}`)
    expect(result.stderr).not.toContain(' | ') // counts, not a line per request
    expect(result.stdout).toContain(`${total} requests: completed ${total - 3} · denied 3`)
    expect(result.stdout).toContain('Not completed (3):')
    for (const id of denied) expect(result.stdout).toContain(id)
    expect(result.stdout).toContain('Finished, but not all completed')
  }, 180_000)

  it('privacy list reads a large --limit 100 a page, filtered by state and time', async () => {
    recording = { entries: [], afterList: () => undefined }
    const since = new Date(platform().privacy.now().getTime() - 2 * DAY).toISOString()
    const result = await runCli(['privacy', 'list', '--org', '--status', 'completed', '--since', since, '--limit', '250', '--json'], env)
    const log = recording.entries
    recording = undefined
    expect(result.code, result.stderr).toBe(0)
    const listed = JSON.parse(result.stdout) as { status: string }[]
    expect(listed).toHaveLength(250)
    expect(listed.every((r) => r.status === 'completed')).toBe(true)
    expect(log.filter(isListCall)).toHaveLength(3)
  })

  it('lists at most 20 unfinished requests and counts the rest; --json has every request in input order', async () => {
    const { rows } = await submit(workdir(), 'open', Array.from({ length: 30 }, (_, i) => `open-${i}@example.com`))
    const open = rows.map((r) => (r as { id: string }).id)
    const text = await runCli(['privacy', 'wait', ...open, '--timeout', '1s'], env)
    expect(text.code).toBe(8)
    expect(text.stdout).toContain('30 requests: received 30')
    expect(text.stdout).toContain('Not completed (30):')
    expect(open.filter((id) => text.stdout.includes(id))).toEqual(open.slice(0, 20))
    expect(text.stdout).toContain('…and 10 more not completed; --json lists every request.')
    expect(text.stdout).toContain('timeout ran out')

    const json = await runCli(['privacy', 'wait', ...open, '--timeout', '1s', '--json'], env)
    expect(json.code).toBe(8)
    const parsed = JSON.parse(json.stdout) as { outcome: string; requests: { id: string; status: string }[] }
    expect(parsed.outcome).toBe('timed_out')
    expect(parsed.requests.map((r) => r.id)).toEqual(open)
  })

  it('reads bare ids from stdin with --from -, merged with the arguments, each once; few requests keep the table', async () => {
    const [a, b, c] = followed.slice(0, 3) as [string, string, string]
    const result = await runCli(['privacy', 'wait', a, '--from', '-'], env, `${b}\n\n${a.toUpperCase()}\r\n${c}\n`)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('All completed.')
    // One table row each: the request given twice (argument and stdin, in capitals) is followed once.
    for (const id of [a, b, c]) expect(result.stdout.split('\n').filter((line) => line.startsWith(id))).toHaveLength(1)
    expect(result.stderr).not.toContain('Skipped')
  })
})

describe('privacy wait input errors', () => {
  async function failing(args: string[], input?: string) {
    const result = await runCli([...args, '--json'], env, input)
    return { code: result.code, error: ErrorOutput.parse(JSON.parse(result.stdout)).error }
  }

  it('a malformed line is a usage error naming its line and what to give instead', async () => {
    const file = join(workdir(), 'ids.txt')
    writeFileSync(file, `${randomUUID()}\n{"type":"row","outcome":"accepted","id":"${randomUUID()}"}\nnot-an-id\n`)
    const { code, error } = await failing(['privacy', 'wait', '--from', file])
    expect(code).toBe(2)
    expect(error.message).toBe(`--from ${file}, line 3: "not-an-id" is not a request id (a UUID).`)
    expect(error.hint).toContain('one request id a line')

    const broken = await failing(['privacy', 'wait', '--from', '-'], `${randomUUID()}\n{"type":"row",\n`)
    expect(broken.code).toBe(2)
    expect(broken.error.message).toBe('--from stdin, line 2: not valid JSON.')

    const notARow = await failing(['privacy', 'wait', '--from', '-'], '{"id":"x"}\n')
    expect(notARow.error.message).toContain('line 1: a JSON object that is not a report row')
  })

  it('no ids at all, or a file that cannot be read, is a usage error (exit 2)', async () => {
    const onlySkipped = join(workdir(), 'report.ndjson')
    writeFileSync(onlySkipped, '{"type":"row","outcome":"invalid","code":"invalid_email","reason":"x"}\n{"type":"summary"}\n')
    const none = await runCli(['privacy', 'wait', '--from', onlySkipped, '--json'], env)
    expect(none.code).toBe(2)
    expect(ErrorOutput.parse(JSON.parse(none.stdout)).error.message).toBe('No request ids to wait for.')
    expect(none.stderr).toContain('Skipped 1 report row that created no request')

    expect((await failing(['privacy', 'wait'])).code).toBe(2)
    const missing = await failing(['privacy', 'wait', '--from', join(workdir(), 'absent.txt')])
    expect(missing.code).toBe(2)
    expect(missing.error.message).toContain('no such file')
  })

  it('ids the platform does not know: exit 5, naming them and counting', async () => {
    const unknown = randomUUID()
    const single = await failing(['privacy', 'wait', unknown])
    expect(single.code).toBe(5)
    expect(single.error.message).toBe(`No privacy request ${unknown}.`)

    const known = platform().privacy.requests()[0]!.id
    const several = [randomUUID(), randomUUID(), randomUUID(), randomUUID()]
    const some = await failing(['privacy', 'wait', known, ...several])
    expect(some.code).toBe(5)
    expect(some.error.message).toBe(`4 of 5 privacy requests not found: ${several.slice(0, 3).join(', ')} and 1 more.`)
  })
})
