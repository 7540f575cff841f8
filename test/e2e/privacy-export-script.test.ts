// The scripted export, end to end as the README and --help show it: `privacy export` emails a code, then
// `privacy export --wait --code CODE` follows that same request to a verified download. Without a terminal, --wait
// with no code is refused before anything is created.
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ErrorOutput } from '../../src/core/errors.js'
import { ExportResult } from '../../src/core/privacy/exports.js'
import { Created } from '../../src/core/privacy/requests.js'
import { FAST_PRIVACY_SETTINGS } from '../platform/server.js'
import { freshConfigDir, runCli } from '../support/cli.js'
import { envFor, usePlatform } from '../support/platform.js'

const platform = usePlatform({ rateLimit: null, privacy: FAST_PRIVACY_SETTINGS })
const exportsOnPlatform = () => platform().privacy.requests().filter((r) => r.type === 'portability' && r.batch_id === null)

describe('privacy export from a script', () => {
  it('export, then export --wait --code: the same request is verified, followed and downloaded; one request in all', async () => {
    const env = envFor(platform(), { configDir: freshConfigDir() })
    const before = exportsOnPlatform().length
    const first = await runCli(['privacy', 'export', '--json'], env)
    expect(first.code, first.stderr).toBe(0)
    const { request } = Created.parse(JSON.parse(first.stdout))
    expect(request.status).toBe('pending_verification')

    const directory = mkdtempSync(join(tmpdir(), 'clowdops-export-script-'))
    const code = platform().privacy.lastCode(request.id) ?? ''
    const second = await runCli(['privacy', 'export', '--wait', '--code', code, '--output', `${directory}/`, '--json'], env)
    expect(second.code, second.stderr).toBe(0)
    const result = ExportResult.parse(JSON.parse(second.stdout))
    expect(result).toMatchObject({ request: { id: request.id, status: 'completed' }, replayed: true, wait: { outcome: 'completed' } })
    expect(result.download?.files).toHaveLength(1)
    expect(readdirSync(directory)).toHaveLength(1)
    expect(exportsOnPlatform().length).toBe(before + 1)
  })

  it('--wait without --code and without a terminal is exit 2 before anything is created', async () => {
    const before = exportsOnPlatform().length
    const result = await runCli(['privacy', 'export', '--wait', '--format', 'tar.gz', '--json'], envFor(platform()))
    expect(result.code).toBe(2)
    expect(ErrorOutput.parse(JSON.parse(result.stdout)).error.hint).toContain('--code')
    expect(exportsOnPlatform().length).toBe(before)
  })
})
