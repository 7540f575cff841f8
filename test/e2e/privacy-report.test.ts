// `privacy report --fail-if` as CI runs it: the built CLI's real exit code once a deadline is missed on the platform.
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { OrganisationReport } from '../../src/core/privacy/report.js'
import { runCli } from '../support/cli.js'
import { connect, envFor, usePlatform } from '../support/platform.js'

const DAY = 86_400_000

const platform = usePlatform({ rateLimit: null, privacy: { workMs: 1000 * DAY } })

describe('privacy report --fail-if overdue (built CLI)', () => {
  it('exits 0 while deadlines are ahead and 12 once one is missed, with the report on stdout either way', async () => {
    const id = randomUUID()
    const response = await connect(platform()).post('/v1/privacy/requests:batch', {
      batch_id: 'ci-check',
      attestation: { method: 'government_id', attested_by: 'privacy-desk@example.org' },
      requests: [{ id, type: 'access', regulation: 'gdpr', subject: { email: 'ci@example.com' } }],
    })
    expect(response.status).toBe(200)
    const env = envFor(platform())

    const ahead = await runCli(['privacy', 'report', '--fail-if', 'overdue'], env)
    expect(ahead.code, ahead.stderr).toBe(0)
    expect(ahead.stdout).toContain('✓ --fail-if overdue: no request overdue')

    platform().privacy.advance(40 * DAY)
    const late = await runCli(['privacy', 'report', '--fail-if', 'overdue'], env)
    expect(late.code, late.stderr).toBe(12)
    expect(late.stdout).toContain('1 request · 1 with a deadline running · 1 overdue')
    const json = await runCli(['privacy', 'report', '--fail-if', 'overdue', '--json'], env)
    expect(json.code).toBe(12)
    expect(OrganisationReport.parse(JSON.parse(json.stdout)).checks).toEqual([{ condition: 'overdue', count: 1, failed: true }])
  })
})
