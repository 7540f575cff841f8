// The --insecure-storage warning as users meet it: on the first command after sign-in, not on the next one the same
// day, and always in auth status and doctor. (A day later it is due again: test/core/insecure-storage.test.ts, where
// the clock can be moved.)
import { describe, expect, it } from 'vitest'
import { SignIn } from '../../src/core/auth/login.js'
import { AuthStatus } from '../../src/core/auth/profiles.js'
import { DoctorReport } from '../../src/core/doctor.js'
import { freshConfigDir, runCli } from '../support/cli.js'
import { envFor, usePlatform } from '../support/platform.js'

const platform = usePlatform()
const WARNING = 'is in a plaintext file (--insecure-storage)'

describe('the --insecure-storage warning', () => {
  it('is printed once a day per profile, and auth status and doctor always show it', async () => {
    const env = envFor(platform(), { configDir: freshConfigDir(), withToken: false })
    const login = await runCli(['login', '--with-token', '--insecure-storage', '--json'], env, platform().issueToken(['projects:read']))
    expect(SignIn.parse(JSON.parse(login.stdout)).stored_in).toBe('file')

    const first = await runCli(['projects', 'list'], env)
    expect(first.code).toBe(0)
    expect(first.stderr).toContain(`profile default ${WARNING}`)
    for (const args of [['projects', 'list'], ['projects', 'list', '--json']]) {
      const again = await runCli(args, env)
      expect(again.code).toBe(0)
      expect(again.stderr).not.toContain(WARNING)
    }

    const status = await runCli(['auth', 'status'], env)
    expect(status.code).toBe(0)
    expect(status.stdout).toContain('token in a plaintext file (--insecure-storage)')
    expect(status.stdout).toContain('Sign in again without --insecure-storage')
    const statusJson = await runCli(['auth', 'status', '--json'], env)
    expect(AuthStatus.parse(JSON.parse(statusJson.stdout)).profiles.find((p) => p.active)?.source).toBe('file')

    const doctor = await runCli(['doctor', '--json'], env)
    const token = DoctorReport.parse(JSON.parse(doctor.stdout)).checks.find((check) => check.name === 'token')
    expect(token).toMatchObject({ status: 'warn', detail: expect.stringContaining('plaintext file (--insecure-storage)'), fix: expect.stringContaining('without --insecure-storage') })
  })
})
