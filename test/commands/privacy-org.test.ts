// The organisation view of privacy requests in-process against the local platform: own requests by default, --org with
// privacy:admin (and a clear way to get it), masked subjects and batches, and every filter sent to the platform.
import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import PrivacyList from '../../commands/privacy/list.js'
import PrivacyStatus from '../../commands/privacy/status.js'
import { BatchResult, type BatchItem } from '../../src/core/contract/privacy.js'
import type { RequestView } from '../../src/core/privacy/requests.js'
import { connect, envFor, usePlatform } from '../support/platform.js'
import { runCommand } from '../support/terminal.js'

const DAY = 86_400_000

// Work never finishes, so deadlines run out on the virtual clock.
const platform = usePlatform({ rateLimit: null, privacy: { workMs: 1000 * DAY } })

const ids = { own: randomUUID(), grace: randomUUID(), katherine: randomUUID() }

beforeAll(async () => {
  const api = connect(platform())
  expect((await api.post('/v1/privacy/requests', { id: ids.own, type: 'access', regulation: 'gdpr' }, ids.own)).status).toBe(201)
  const requests: BatchItem[] = [
    { id: ids.grace, type: 'erasure', regulation: 'gdpr', subject: { email: 'grace.hopper@example.com' } },
    // Received by email ten days before it was entered: due 20 days from now (the 30-day promise runs from receipt).
    {
      id: ids.katherine,
      type: 'ccpa_know',
      regulation: 'ccpa',
      subject: { email: 'katherine.johnson@example.com' },
      received_at: new Date(Date.now() - 10 * DAY).toISOString(),
      channel: 'email',
    },
  ]
  const response = await api.post('/v1/privacy/requests:batch', {
    batch_id: 'offboarding-nov',
    attestation: { method: 'government_id', attested_by: 'privacy-desk@example.org' },
    requests,
  })
  expect(BatchResult.parse(await response.json()).results.every((r) => r.outcome === 'accepted')).toBe(true)
})

/** The ids listed, sorted: a batch's requests share their creation time, so their order among themselves is by id. */
async function listed(argv: string[], env = envFor(platform())): Promise<string[]> {
  const run = await runCommand(PrivacyList, [...argv, '--json'], { env, stdin: '' })
  expect(run.exitCode, run.stdout + run.stderr).toBe(0)
  return (JSON.parse(run.stdout) as RequestView[]).map((r) => r.id).sort()
}

const sorted = (...list: string[]) => [...list].sort()

describe('privacy list scoping', () => {
  it('lists only your own requests by default, never those made in bulk for other people', async () => {
    expect(await listed([])).toEqual([ids.own])
  })

  it('--org lists the organisation with whom each request is about (masked) and its batch', async () => {
    expect(await listed(['--org'])).toEqual(sorted(ids.katherine, ids.grace, ids.own))
    const run = await runCommand(PrivacyList, ['--org'], { env: envFor(platform()), stdin: '' })
    expect(run.stdout).toMatch(/SUBJECT/)
    expect(run.stdout).toMatch(/g\*\*\*@example\.com\s+erasure\s+GDPR\s+in_progress|g\*\*\*@example\.com\s+erasure\s+GDPR\s+received/)
    expect(run.stdout).toContain('offboarding-nov')
    expect(run.stdout).not.toContain('grace.hopper')
  })

  it('--org without privacy:admin: exit 4, naming the scope and the sign-in that grants it', async () => {
    const env = { ...envFor(platform()), CLOWDOPS_TOKEN: platform().issueToken(['privacy:read', 'privacy:write']) }
    const run = await runCommand(PrivacyList, ['--org'], { env, stdin: '' })
    expect(run.exitCode).toBe(4)
    expect(run.stderr).toContain('privacy:admin')
    expect(run.stderr).toMatch(/clowdops login --scopes \S*privacy:admin/)
    const json = await runCommand(PrivacyList, ['--org', '--json'], { env, stdin: '' })
    expect(json.exitCode).toBe(4)
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'insufficient_scope', exitCode: 4, status: 403 } })
    // The same token still lists its own requests.
    expect(await listed([], env)).toEqual([ids.own])
  })

  it('--batch and --subject need --org (exit 2)', async () => {
    const run = await runCommand(PrivacyList, ['--batch', 'offboarding-nov'], { env: envFor(platform()), stdin: '' })
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('--org')
  })
})

describe('privacy list --org filters', () => {
  it('by status, type, regulation, batch and subject', async () => {
    expect(await listed(['--org', '--status', 'pending_verification'])).toEqual([ids.own])
    expect(await listed(['--org', '--type', 'erasure', '--type', 'ccpa_know'])).toEqual(sorted(ids.katherine, ids.grace))
    expect(await listed(['--org', '--regulation', 'ccpa'])).toEqual([ids.katherine])
    expect(await listed(['--org', '--batch', 'offboarding-nov', '--regulation', 'gdpr'])).toEqual([ids.grace])
    expect(await listed(['--org', '--subject', 'Katherine.Johnson@EXAMPLE.COM'])).toEqual([])
    expect(await listed(['--org', '--subject', 'katherine.johnson@EXAMPLE.COM'])).toEqual([ids.katherine])
  })

  it('--due-within and --overdue on the platform clock', async () => {
    // Katherine's request is due in 20 days (received 10 days ago), Grace's in 30.
    platform().privacy.advance(15 * DAY)
    expect(await listed(['--org', '--due-within', '7d'])).toEqual([ids.katherine])
    expect(await listed(['--org', '--overdue'])).toEqual([])
    platform().privacy.advance(10 * DAY)
    expect(await listed(['--org', '--overdue'])).toEqual([ids.katherine])
    expect(await listed(['--org', '--due-within', '7d'])).toEqual(sorted(ids.katherine, ids.grace))
    expect(await listed(['--org', '--channel', 'email'])).toEqual([ids.katherine])
    const run = await runCommand(PrivacyList, ['--org', '--due-within', 'soon'], { env: envFor(platform()), stdin: '' })
    expect(run.exitCode).toBe(2)
  })
})

describe('privacy request dates in human output', () => {
  // Local time with its zone named and an age (or the days left, on the platform's clock); ISO 8601 is for --json.
  const LABELLED = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d (?:UTC|GMT[+-]?\d*|[A-Z]{3,4})`
  const RAW_ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d/

  it('status shows created, received and due with their zone and age; the next step names the zone too', async () => {
    const run = await runCommand(PrivacyStatus, [ids.grace], { env: envFor(platform()), stdin: '' })
    expect(run.exitCode, run.stderr).toBe(0)
    // Ages are on this machine's clock, which the platform's virtual clock has run ahead of: either direction is right.
    const AGE = String.raw`\((?:just now|in \d+ (?:min|h|days)|\d+ (?:min|h|days) ago)\)`
    expect(run.stdout).toMatch(new RegExp(`Created\\s+${LABELLED} ${AGE}`))
    expect(run.stdout).toMatch(new RegExp(`Received\\s+${LABELLED} ${AGE}`))
    expect(run.stdout).toMatch(new RegExp(`Due by ${LABELLED} \\(\\d+ days? (left|overdue)\\)`))
    expect(run.stdout).toMatch(new RegExp(`Due\\s+${LABELLED} \\(\\d+ days? (left|overdue)\\)`))
    expect(run.stdout).not.toMatch(RAW_ISO)
    const json = await runCommand(PrivacyStatus, [ids.grace, '--json'], { env: envFor(platform()), stdin: '' })
    expect(JSON.parse(json.stdout)).toMatchObject({ created_at: expect.stringMatching(RAW_ISO), due_at: expect.stringMatching(RAW_ISO) })
  })

  it('list shows when each request was created and is due, with the zone', async () => {
    const run = await runCommand(PrivacyList, ['--org'], { env: envFor(platform()), stdin: '' })
    expect(run.stdout).toMatch(new RegExp(`${LABELLED} \\((just now|in \\d+ (min|h|days)|\\d+ (min|h|days) ago)\\)`))
    expect(run.stdout).toMatch(new RegExp(`${LABELLED} \\(\\d+ days? (left|overdue)\\)`))
    expect(run.stdout).not.toMatch(RAW_ISO)
  })
})
