// privacy commands in-process on a fake terminal: the typed email that confirms an erasure, the verification code
// (mistyped, then right), each answered, refused and interrupted, against the local platform.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import PrivacyDelete from '../../commands/privacy/delete.js'
import PrivacyVerify from '../../commands/privacy/verify.js'
import PrivacyRequest from '../../commands/privacy/request.js'
import { FAST_PRIVACY_SETTINGS, type Platform, startPlatform } from '../platform/server.js'
import { freshConfigDir } from '../support/cli.js'
import { runCommand } from '../support/terminal.js'

let platform: Platform
beforeAll(async () => {
  platform = await startPlatform({ rateLimit: null, privacy: FAST_PRIVACY_SETTINGS })
})
afterAll(() => platform.close())

const envFor = () => ({ CLOWDOPS_API_URL: platform.url, CLOWDOPS_TOKEN: platform.token, CLOWDOPS_CONFIG_DIR: freshConfigDir() })
const newestCode = () => {
  const email = platform.privacy.outbox().at(-1)
  if (!email) throw new Error('no verification email sent')
  return email.code
}
const erasures = () => platform.privacy.requests().filter((r) => r.type === 'erasure').length

describe('privacy delete', () => {
  it('explains what is lost, takes the typed email and then the code', async () => {
    const run = await runCommand(PrivacyDelete, [], { env: envFor(), answers: ['ADA@example.com ', newestCode] })
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
    const run = await runCommand(PrivacyDelete, [], { env: envFor(), answers: ['someone@example.org'] })
    expect(run.exitCode).toBe(3)
    expect(run.stderr).toContain('nothing was requested')
    expect(erasures()).toBe(before)
  })

  it('Ctrl-C at the confirmation: exit 130 and nothing requested', async () => {
    const before = erasures()
    const run = await runCommand(PrivacyDelete, [], { env: envFor(), answers: [{ interrupt: true }] })
    expect(run.exitCode).toBe(130)
    expect(erasures()).toBe(before)
  })

  it('without a terminal it asks nothing and wants --yes --confirm-email (exit 2)', async () => {
    const run = await runCommand(PrivacyDelete, [], { env: envFor(), stdin: '' })
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
    const env = envFor()
    const id = await pendingRequest(env)
    const code = platform.privacy.lastCode(id) ?? ''
    const wrong = code === '000000' ? '111111' : '000000'
    const run = await runCommand(PrivacyVerify, [id], { env, answers: [wrong, code] })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.terminal.asked).toHaveLength(2)
    expect(run.stderr).toMatch(/That code is not right; 4 attempt\(s\) left/)
    expect(run.stdout).toMatch(/Status\s+(received|in_progress)/)
  })

  it('Ctrl-C at the code: exit 130, the request still waits for its code', async () => {
    const env = envFor()
    const id = await pendingRequest(env)
    const run = await runCommand(PrivacyVerify, [id], { env, answers: [{ interrupt: true }] })
    expect(run.exitCode).toBe(130)
    expect(platform.privacy.requests().find((r) => r.id === id)?.status).toBe('pending_verification')
  })
})
