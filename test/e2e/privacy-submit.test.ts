// Bulk submission end to end: the built CLI streams files into the local platform's batch endpoint. Exactly once is
// proven with the platform's own per-id counts, through invalid rows, duplicates, faults, and a SIGKILL mid-run.
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { BulkSummary, RowReport } from '../../src/core/bulk/model.js'
import { runCli, startCli } from '../support/cli.js'
import { envFor, usePlatform } from '../support/platform.js'

const platform = usePlatform({ rateLimit: null })
let env: Record<string, string>
const ATTEST = ['--attest-method', 'government_id', '--attested-by', 'privacy-team@example.com']

beforeAll(() => {
  env = envFor(platform())
})
beforeEach(() => {
  platform().faults.clear()
  platform().rateLimit.set(null)
})

const workdir = () => mkdtempSync(join(tmpdir(), 'clowdops-bulk-'))

/** What --json printed: the rows, then the summary (the shapes the CLI documents, from src/core/bulk/model.ts). */
function ndjson(text: string): { rows: RowReport[]; summary: BulkSummary } {
  const lines = text.trim().split('\n').map((line) => JSON.parse(line) as unknown)
  const summary = BulkSummary.parse(lines.at(-1))
  return { rows: lines.slice(0, -1).map((line) => RowReport.parse(line)), summary }
}

/** Requests on the platform that came from this batch, and how often each id was created (must be once). */
function platformBatch(batchId: string) {
  const requests = platform().privacy.requests().filter((r) => r.batch_id === batchId)
  return { requests, creations: requests.map((r) => platform().privacy.creations(r.id)) }
}

/** n unique people, access requests: a plain CSV. */
function simpleCsv(n: number, prefix: string): string {
  const lines = ['type,email']
  for (let i = 1; i <= n; i++) lines.push(`access,${prefix}-${i}@example.com`)
  return `${lines.join('\n')}\n`
}

describe('10,000 rows with every CSV edge case', () => {
  it('reports every invalid row by its line, and the platform holds exactly one request per valid unique row', async () => {
    const dir = workdir()
    // BOM, CRLF, blank lines, quoted commas and newlines, in-file duplicates, invalid rows and one 100 KB field.
    const lines: string[] = ['\uFEFFtype,regulation,email,note,purposes']
    const expectedInvalidLines = new Set<number>()
    const expectedDuplicateLines = new Set<number>()
    let line = 1
    const unique = new Set<string>()
    /** The right asked for person i: every 13th a restriction under UK GDPR (quoted comma and newline in the note). */
    const rightOf = (i: number) =>
      i % 13 === 0 ? { type: 'restriction', regulation: 'uk_gdpr', note: '"line one\r\nline two, with a comma"', purposes: 'analytics;profiling' } : { type: 'access', regulation: 'gdpr', note: '', purposes: '' }
    for (let i = 1; i <= 10_000; i++) {
      let record: string
      if (i % 997 === 0) {
        lines.push('')
        line += 1
      }
      if (i % 50 === 0) {
        record = `access,gdpr,not-an-email-${i},,`
        expectedInvalidLines.add(line + 1)
      } else if (i % 70 === 0) {
        // The person of the row before, their domain in capitals: the same person and right after normalising.
        const { type, regulation, note, purposes } = rightOf(i - 1)
        record = `${type},${regulation},person-${i - 1}@EXAMPLE.com,${note},${purposes}`
        expectedDuplicateLines.add(line + 1)
      } else if (i === 5_001) {
        record = `access,gdpr,person-${i}@example.com,"${'x'.repeat(100 * 1024)}",`
        expectedInvalidLines.add(line + 1) // a note longer than the contract's 2,000 characters: parsed, then refused
      } else {
        const { type, regulation, note, purposes } = rightOf(i)
        record = `${type},${regulation},person-${i}@example.com,${note},${purposes}`
        unique.add(`person-${i}`)
      }
      lines.push(record)
      line += 1 + (record.match(/\r\n/g)?.length ?? 0)
    }
    const file = join(dir, 'people.csv')
    writeFileSync(file, `${lines.join('\r\n')}\r\n`)
    const reportPath = join(dir, 'report.ndjson')

    const result = await runCli(['privacy', 'submit', '--file', file, ...ATTEST, '--report', reportPath, '--json'], env)
    expect(result.code, result.stderr).toBe(11) // invalid rows count as failed
    const { rows, summary } = ndjson(result.stdout)
    expect(readFileSync(reportPath, 'utf8')).toBe(result.stdout)

    const invalid = rows.filter((r) => r.outcome === 'invalid')
    expect(new Set(invalid.map((r) => r.line))).toEqual(expectedInvalidLines)
    expect(invalid.find((r) => r.code === 'field_too_long')).toBeDefined()
    expect(summary.rows).toBe(10_000)
    expect(summary.invalid).toBe(expectedInvalidLines.size)
    expect(summary.in_file_duplicates).toBe(expectedDuplicateLines.size)
    expect(rows.filter((r) => r.outcome === 'in_file_duplicate').every((r) => expectedDuplicateLines.has(r.line))).toBe(true)
    expect(summary.accepted).toBe(unique.size)
    expect(rows).toHaveLength(10_000) // every row exactly one outcome
    expect(new Set(rows.map((r) => r.row)).size).toBe(10_000)

    const onPlatform = platformBatch(summary.batch_id)
    expect(onPlatform.requests).toHaveLength(unique.size)
    expect(onPlatform.creations.every((n) => n === 1)).toBe(true)
    expect(onPlatform.requests.every((r) => r.attestation?.method === 'government_id' && r.status === 'received')).toBe(true)
    // No raw email in the output: identities are hashes.
    expect(result.stdout).not.toContain('@example.com')
    const first = rows.find((r) => r.outcome === 'accepted' && r.line === 2)
    expect(first?.identity_sha256).toBe(createHash('sha256').update('email:person-1@example.com').digest('hex'))

    // The same file again: the journal says everything is finished, so nothing is sent.
    const calls = platform().privacy.batchCalls()
    const again = await runCli(['privacy', 'submit', '--file', file, ...ATTEST, '--json'], env)
    expect(again.code).toBe(11)
    expect(ndjson(again.stdout).summary).toMatchObject({ resumed: unique.size, accepted: unique.size, batches: 0 })
    expect(platform().privacy.batchCalls()).toBe(calls)
  }, 120_000)
})

describe('faults', () => {
  it('429 bursts, 503s and resets after the platform acted: no duplicate, no loss, counts match the platform', async () => {
    const dir = workdir()
    const file = join(dir, 'faults.csv')
    writeFileSync(file, simpleCsv(3_000, 'fault'))
    platform().rateLimit.set({ capacity: 5, refillPerSecond: 20 })
    platform().faults.failNext(3, 503, { retryAfter: 0 })
    platform().faults.resetNext(4)
    const result = await runCli(['privacy', 'submit', '--file', file, ...ATTEST, '--concurrency', '8', '--batch-size', '50', '--json'], env)
    expect(result.code, result.stderr).toBe(0)
    const { summary } = ndjson(result.stdout)
    expect(summary.retried).toBeGreaterThan(0)
    expect(summary.accepted + summary.duplicate).toBe(3_000)
    expect(summary.failed).toBe(0)
    const onPlatform = platformBatch(summary.batch_id)
    expect(onPlatform.requests).toHaveLength(3_000)
    expect(onPlatform.creations.every((n) => n === 1)).toBe(true)
  }, 120_000)

  it('a batch the platform refuses as a whole is split until the bad row stands alone', async () => {
    const dir = workdir()
    const file = join(dir, 'split.csv')
    writeFileSync(file, simpleCsv(200, 'split').replace('split-77@example.com', 'poison-77@example.com'))
    platform().privacy.rejectBatchesContaining('poison')
    try {
      const result = await runCli(['privacy', 'submit', '--file', file, ...ATTEST, '--json'], env)
      expect(result.code).toBe(11)
      const { rows, summary } = ndjson(result.stdout)
      expect(summary).toMatchObject({ accepted: 199, rejected: 1 })
      expect(rows.find((r) => r.outcome === 'rejected')).toMatchObject({ line: 78, code: 'invalid_batch' })
    } finally {
      platform().privacy.rejectBatchesContaining(null)
    }
  })
})

describe('through a rate limit across a network', () => {
  it('paces to the rate the platform advertises: the run completes with few 429s and says how long it waited', async () => {
    const dir = workdir()
    const file = join(dir, 'paced.csv')
    writeFileSync(file, simpleCsv(200, 'paced'))
    // 100 batches of 2 through a bucket of 10 refilled at 40 a second, each request 20 ms give or take 10 away.
    platform().rateLimit.set({ capacity: 10, refillPerSecond: 40 })
    platform().faults.latency(20, 10)
    const limitedBefore = platform().stats.rateLimited
    const result = await runCli(['privacy', 'submit', '--file', file, ...ATTEST, '--batch-size', '2', '--json'], env)
    expect(result.code, result.stderr).toBe(0)
    const { summary } = ndjson(result.stdout)
    expect(summary).toMatchObject({ accepted: 200, failed: 0, batches: 100 + summary.rate_limited })
    const limited = platform().stats.rateLimited - limitedBefore
    expect(summary.rate_limited).toBe(limited) // the CLI counts the 429s the platform sent
    expect(limited).toBeLessThanOrEqual(3)
    // 90 of the 100 requests had to wait for the bucket: the run says it was held back.
    expect(summary.rate_limit_wait_ms).toBeGreaterThan(0)
    expect(summary.rate_limit_wait_ms).toBeLessThanOrEqual(summary.elapsed_ms)
  }, 60_000)
})

describe('crash and resume', () => {
  it('killed with SIGKILL mid-run, rerun with the same journal: every valid row once, nothing accepted sent again', async () => {
    const dir = workdir()
    const file = join(dir, 'crash.csv')
    writeFileSync(file, simpleCsv(6_000, 'crash'))
    const journal = join(dir, 'crash.journal.jsonl')
    platform().faults.latency(40) // slow enough to be killed in the middle
    const first = startCli(['privacy', 'submit', '--file', file, '--journal', journal, ...ATTEST, '--concurrency', '2', '--batch-size', '100', '--json'], env)
    await first.line(/"outcome":"accepted"/, 30_000)
    // Let a few more batches finish, then kill it without warning.
    await new Promise((resolve) => setTimeout(resolve, 400))
    first.kill('SIGKILL')
    const killed = await first.done
    expect(killed.code).toBeNull()
    platform().faults.latency(0)

    const acceptedBefore = readFileSync(journal, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { t?: string; rows?: [number, string][] })
      .filter((entry) => entry.t === 'accepted')
      .flatMap((entry) => entry.rows?.map(([, id]) => id) ?? [])
    expect(acceptedBefore.length).toBeGreaterThan(0)
    expect(acceptedBefore.length).toBeLessThan(6_000)

    const second = await runCli(['privacy', 'submit', '--file', file, '--journal', journal, '--resume', ...ATTEST, '--json'], env)
    expect(second.code, second.stderr).toBe(0)
    const { summary } = ndjson(second.stdout)
    expect(summary.resumed).toBeGreaterThanOrEqual(acceptedBefore.length)
    const onPlatform = platformBatch(summary.batch_id)
    expect(onPlatform.requests).toHaveLength(6_000)
    expect(onPlatform.creations.every((n) => n === 1)).toBe(true)
    // The second run sent none of the rows the journal had as accepted: each of those arrived exactly once, in run one.
    expect(acceptedBefore.every((id) => platform().privacy.received(id) === 1)).toBe(true)
  }, 120_000)

  it('refuses a changed input against its journal (exit 10) unless --force, which still creates nothing twice', async () => {
    const dir = workdir()
    const file = join(dir, 'changing.csv')
    writeFileSync(file, simpleCsv(30, 'change'))
    const first = await runCli(['privacy', 'submit', '--file', file, ...ATTEST, '--json'], env)
    expect(first.code).toBe(0)
    const batchId = ndjson(first.stdout).summary.batch_id
    writeFileSync(file, simpleCsv(40, 'change'))
    const refused = await runCli(['privacy', 'submit', '--file', file, ...ATTEST], env)
    expect(refused.code).toBe(10)
    expect(refused.stderr).toContain('--force')
    const forced = await runCli(['privacy', 'submit', '--file', file, ...ATTEST, '--force', '--json'], env)
    expect(forced.code, forced.stderr).toBe(0)
    expect(ndjson(forced.stdout).summary).toMatchObject({ batch_id: batchId, accepted: 10, duplicate: 30 })
    expect(platformBatch(batchId).requests).toHaveLength(40)
  })
})

describe('input, attestation and exit codes', () => {
  it('gzip JSONL from stdin', async () => {
    const lines = Array.from({ length: 120 }, (_, i) => JSON.stringify({ type: 'objection', email: `stdin-${i}@example.com`, purposes: ['marketing'] }))
    const gz = gzipSync(`${lines.join('\n')}\n`)
    const dir = workdir()
    writeFileSync(join(dir, 'in.jsonl.gz'), gz)
    const result = await runCli(['privacy', 'submit', '--file', join(dir, 'in.jsonl.gz'), ...ATTEST, '--json'], env)
    expect(result.code, result.stderr).toBe(0)
    expect(ndjson(result.stdout).summary).toMatchObject({ rows: 120, accepted: 120 })
  })

  it('--dry-run plans without sending; no attestation means exit 2; nothing valid means exit 10', async () => {
    const dir = workdir()
    const file = join(dir, 'plan.csv')
    writeFileSync(file, simpleCsv(25, 'plan'))
    const calls = platform().privacy.batchCalls()
    const plan = await runCli(['privacy', 'submit', '--file', file, '--dry-run'], env)
    expect(plan.code, plan.stderr).toBe(0)
    expect(plan.stdout).toContain('would send 25')
    expect(platform().privacy.batchCalls()).toBe(calls)
    expect(existsSync(`${file}.journal.jsonl`)).toBe(false)

    const noAttestation = await runCli(['privacy', 'submit', '--file', file], env)
    expect(noAttestation.code).toBe(2)
    expect(noAttestation.stderr).toContain('--attest-method')

    const nothing = join(dir, 'nothing.csv')
    writeFileSync(nothing, 'type,email\nteleport,a@example.com\naccess,not-an-email\n')
    const empty = await runCli(['privacy', 'submit', '--file', nothing, ...ATTEST], env)
    expect(empty.code).toBe(10)
    expect(platform().privacy.batchCalls()).toBe(calls)
  })

  it('refuses a file with an unknown column before sending anything (exit 2)', async () => {
    const dir = workdir()
    const file = join(dir, 'typo.csv')
    writeFileSync(file, 'type,emial\naccess,a@example.com\n')
    const result = await runCli(['privacy', 'submit', '--file', file, ...ATTEST], env)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('emial')
  })
})

describe('start-up of the commands after a bulk run', () => {
  it('a submission that tunes the heap saves a code cache the next commands accept, and no other', async () => {
    const cacheDir = workdir()
    const withCache = { ...env, CLOWDOPS_CACHE_DIR: cacheDir }
    const cacheFile = () => {
      const [name, ...others] = readdirSync(cacheDir).filter((entry) => entry.startsWith('code-cache-'))
      expect(others).toEqual([])
      return readFileSync(join(cacheDir, name as string))
    }
    expect((await runCli(['config', 'list'], withCache)).code).toBe(0)

    // Enough rows for the young generation to reach its cap, where the run changes a V8 flag: the cache (now with the
    // submission's code too) must be saved before that, under the flags every other run starts with.
    const file = join(workdir(), 'heap.csv')
    writeFileSync(file, simpleCsv(60_000, 'heap'))
    const plan = () => runCli(['privacy', 'submit', '--file', file, '--dry-run'], withCache)
    expect((await plan()).code).toBe(0)
    const saved = cacheFile()
    expect(saved.subarray(0, saved.indexOf(10)).toString()).toMatch(/config:list;privacy:submit$/)

    // A cache V8 refused would be compiled and written again: neither command may need to.
    expect((await runCli(['config', 'list'], withCache)).code).toBe(0)
    expect((await plan()).code).toBe(0)
    expect(cacheFile().equals(saved)).toBe(true)
  })
})

describe('receipt time and channel columns', () => {
  it('counts each request from its received_at, records its channel, and refuses a future receipt time by its line', async () => {
    const dir = workdir()
    const file = join(dir, 'received.csv')
    const DAY = 86_400_000
    const fiveDaysAgo = new Date(Date.now() - 5 * DAY).toISOString()
    const tomorrow = new Date(Date.now() + DAY).toISOString().slice(0, 10)
    writeFileSync(
      file,
      ['type,regulation,email,received_at,channel', `access,us_va,recv-1@example.com,${fiveDaysAgo},email`, `access,,recv-2@example.com,${tomorrow},phone`].join('\n'),
    )
    const result = await runCli(['privacy', 'submit', '--file', file, '--batch-id', 'received-cols', ...ATTEST, '--json'], env)
    expect(result.code, result.stderr).toBe(11)
    const { rows } = ndjson(result.stdout)
    // Rows are printed as they finish: the invalid one never waits for the network.
    const byLine = [...rows].sort((a, b) => a.line - b.line)
    expect(byLine.map((r) => r.outcome)).toEqual(['accepted', 'invalid'])
    expect(byLine[1]).toMatchObject({ line: 3, code: 'invalid_field', reason: expect.stringContaining('received_at') })
    const [request] = platformBatch('received-cols').requests
    expect(request).toMatchObject({ received_at: fiveDaysAgo, channel: 'email', regulation: 'us_va' })
    expect(Date.parse(request!.due_at!) - Date.parse(fiveDaysAgo)).toBe(30 * DAY)
  })
})
