// privacy report in-process against the local platform: the numbers as people read them, the due-date chart at any
// width with and without colour, --json for dashboards, and --fail-if as a CI check (exit 12).
import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import PrivacyReportCommand from '../../commands/privacy/report.js'
import { makeColors } from '../../src/cli/output.js'
import { dueChart } from '../../src/cli/render-privacy-report.js'
import { BatchResult, type BatchItem } from '../../src/core/contract/privacy.js'
import { ExitCode } from '../../src/core/errors.js'
import { OrganisationReport } from '../../src/core/privacy/report.js'
import { connect, envFor, usePlatform } from '../support/platform.js'
import { runCommand } from '../support/terminal.js'

const DAY = 86_400_000
const ANSI = /\u001b\[[0-9;]*m/g

const platform = usePlatform({ rateLimit: null, privacy: { workMs: 1000 * DAY } })

beforeAll(async () => {
  const requests: BatchItem[] = [
    ...[0, 1, 2].map((i) => ({ id: randomUUID(), type: 'access' as const, regulation: 'gdpr' as const, subject: { email: `gdpr-${i}@example.com` } })),
    { id: randomUUID(), type: 'ccpa_know', regulation: 'ccpa', subject: { email: 'ccpa@example.com' } },
  ]
  const response = await connect(platform()).post('/v1/privacy/requests:batch', {
    batch_id: 'report-cli',
    attestation: { method: 'government_id', attested_by: 'privacy-desk@example.org' },
    requests,
  })
  expect(BatchResult.parse(await response.json()).results.every((r) => r.outcome === 'accepted')).toBe(true)
})

const report = (argv: string[], options: { columns?: number; colorLevel?: 0 | 3; env?: Record<string, string> } = {}) =>
  runCommand(PrivacyReportCommand, argv, { env: options.env ?? envFor(platform()), ...options })

describe('privacy report', () => {
  it('--fail-if overdue passes (exit 0) while every deadline is ahead, and --json carries the numbers and the check', async () => {
    const run = await report(['--fail-if', 'overdue', '--json'], { env: envFor(platform()) })
    expect(run.exitCode, run.stdout).toBe(0)
    const parsed = OrganisationReport.parse(JSON.parse(run.stdout))
    expect(parsed).toMatchObject({ total: 4, running: 4, overdue: 0, by_regulation: { gdpr: 3, ccpa: 1 } })
    expect(parsed.checks).toEqual([{ condition: 'overdue', count: 0, failed: false }])
  })

  it('--fail-if due-within=7d fails (exit 12) when a deadline falls in the window, and says how to list them', async () => {
    // All four are due 30 days after receipt: the platform's promise comes before GDPR's month and CCPA's 45 days.
    platform().privacy.advance(25 * DAY)
    const run = await report(['--fail-if', 'overdue', '--fail-if', 'due-within=7d'])
    expect(run.exitCode).toBe(ExitCode.checkFailed)
    expect(run.exitCode).toBe(12)
    expect(run.stdout).toContain('✓ --fail-if overdue: no request overdue')
    expect(run.stdout).toContain('✗ --fail-if due-within=7d: 4 requests overdue or due within 7d (list them: clowdops privacy list --org --due-within 7d)')
  })

  it('--fail-if overdue fails (exit 12) once a deadline is missed; the report is printed in full first', async () => {
    platform().privacy.advance(10 * DAY)
    const run = await report(['--fail-if', 'overdue'])
    expect(run.exitCode).toBe(12)
    expect(run.stdout).toMatch(/4 requests · 4 with a deadline running · 4 overdue · 0 due in the next 7 days/)
    expect(run.stdout).toMatch(/By law\s+GDPR 3 · CCPA 1/)
    expect(run.stdout).toMatch(/^overdue\s+4 #+$/m)
    expect(run.stdout).toContain('✗ --fail-if overdue: 4 requests overdue')
    const json = await report(['--fail-if', 'overdue', '--json'])
    expect(json.exitCode).toBe(12)
    expect(OrganisationReport.parse(JSON.parse(json.stdout)).checks[0]).toEqual({ condition: 'overdue', count: 4, failed: true })
  })

  it('an unknown check is a usage error (exit 2) naming the accepted ones', async () => {
    const run = await report(['--fail-if', 'soon'])
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('--fail-if overdue')
  })

  it('without privacy:admin: exit 4 with the sign-in that grants it', async () => {
    const env = { ...envFor(platform()), CLOWDOPS_TOKEN: platform().issueToken(['privacy:read']) }
    const run = await report([], { env })
    expect(run.exitCode).toBe(4)
    expect(run.stderr).toMatch(/clowdops login --scopes \S*privacy:admin/)
  })

  it('fits the chart to the terminal: narrow and wide, plain # without colour, coloured blocks with it', async () => {
    for (const columns of [40, 200]) {
      const run = await report([], { columns })
      expect(run.exitCode).toBe(0)
      const chart = run.stdout.split('\n').filter((line) => /^(overdue|[A-Z][a-z]{2} \d{4}-\d\d-\d\d) /.test(line))
      expect(chart).toHaveLength(15)
      for (const line of chart) expect(line.length).toBeLessThanOrEqual(columns)
      const longest = Math.max(...chart.map((line) => (line.match(/#+$/)?.[0] ?? '').length))
      expect(longest).toBe(columns === 40 ? 40 - 14 - 1 - 3 : 60)
    }
    const colour = await report([], { columns: 80, colorLevel: 3 })
    expect(colour.stdout).toMatch(ANSI)
    expect(colour.stdout).toContain('█')
    expect(colour.stdout).not.toMatch(/ #+$/m)
  })
})

describe('dueChart', () => {
  const plain = makeColors(0)
  const upcoming = (counts: number[]) => counts.map((count, i) => ({ date: `2026-12-${String(i + 7).padStart(2, '0')}`, count }))

  it('scales bars to the largest count, keeps a single request visible, and labels days with their weekday', () => {
    const lines = dueChart({ overdue: 1, upcoming: upcoming([0, 100, 50]) }, plain, { columns: 60, color: false })
    expect(lines).toEqual([
      `overdue          1 #`,
      `Mon 2026-12-07   0`,
      `Tue 2026-12-08 100 ${'#'.repeat(60 - 14 - 3 - 3)}`,
      `Wed 2026-12-09  50 ${'#'.repeat(20)}`,
    ])
  })

  it('never draws narrower than 10 columns of bar, nor wider than 60', () => {
    const narrow = dueChart({ overdue: 0, upcoming: upcoming([5]) }, plain, { columns: 20, color: false })
    expect(narrow[1]).toBe(`Mon 2026-12-07 5 ${'#'.repeat(10)}`)
    const wide = dueChart({ overdue: 0, upcoming: upcoming([5]) }, plain, { columns: 300, color: false })
    expect(wide[1]).toBe(`Mon 2026-12-07 5 ${'#'.repeat(60)}`)
  })
})
