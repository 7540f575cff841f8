// A private deployment behind its own CA: trusted through NODE_EXTRA_CA_CERTS, refused with a clear fix without it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DoctorReport } from '../../src/core/doctor.js'
import { ProjectList } from '../../src/core/projects/list.js'
import { runCli } from '../support/cli.js'
import { usePlatform } from '../support/platform.js'
import { makePrivateCa, startTlsFront, type PrivateCa } from '../support/tls.js'

const platform = usePlatform()
let front: Awaited<ReturnType<typeof startTlsFront>>
let ca: PrivateCa

beforeAll(async () => {
  ca = makePrivateCa()
  front = await startTlsFront(ca, platform().url)
})
afterAll(() => front.close())

describe('a private deployment over TLS', () => {
  it('works when NODE_EXTRA_CA_CERTS names its CA', async () => {
    const env = { CLOWDOPS_API_URL: front.url, CLOWDOPS_TOKEN: platform().token, NODE_EXTRA_CA_CERTS: ca.caFile }
    const projects = await runCli(['projects', 'list', '--json'], env)
    expect(projects.code).toBe(0)
    expect(ProjectList.parse(JSON.parse(projects.stdout)).length).toBeGreaterThan(0)
    const doctor = DoctorReport.parse(JSON.parse((await runCli(['doctor', '--json'], env)).stdout))
    expect(doctor.checks.find((c) => c.name === 'api')?.detail).toContain('TLS verified')
  })

  it('fails at once, without retrying, and points at NODE_EXTRA_CA_CERTS when the CA is unknown', async () => {
    const before = platform().stats.requests
    const result = await runCli(['projects', 'list', '--json'], { CLOWDOPS_API_URL: front.url, CLOWDOPS_TOKEN: platform().token })
    expect(result.code).toBe(7)
    const { error } = JSON.parse(result.stdout) as { error: { code: string; hint: string } }
    expect(error.code).toBe('tls_failed')
    expect(error.hint).toContain('NODE_EXTRA_CA_CERTS')
    expect(platform().stats.requests).toBe(before)
  })
})
