// The built CLI against a keychain that is locked, stopped or missing: a keyring of this file's own
// (startPrivateKeyring), locked through the Secret Service API and stopped with SIGSTOP, so that the keyring every
// other test file shares is never touched.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DeviceStep } from '../../src/core/auth/login.js'
import { AuthStatus, LogoutResult } from '../../src/core/auth/profiles.js'
import { DoctorReport } from '../../src/core/doctor.js'
import { ErrorOutput } from '../../src/core/errors.js'
import { ProjectList } from '../../src/core/projects/list.js'
import { freshConfigDir, runCli, startCli } from '../support/cli.js'
import { keytarAttributes, secretTool, startPrivateBus, startPrivateKeyring, testKeyringReady, type PrivateKeyring } from '../support/keyring.js'
import { approveDeviceFlow } from '../support/oauth.js'
import { envFor, usePlatform } from '../support/platform.js'

const LOCKED = 'the keychain is locked; unlock it and retry'

const platform = usePlatform()
afterEach(() => platform().oauth.reset())

/** The sign-in choices that need no keychain, as login must offer them. */
function expectChoicesWithoutKeychain(hint: string | undefined): void {
  expect(hint).toContain('--insecure-storage')
  expect(hint).toContain('--with-token')
  expect(hint).toContain('CLOWDOPS_TOKEN')
}

// The tools of scripts/with-keyring.sh (dbus-daemon, gnome-keyring) are what these need too.
describe.skipIf(!testKeyringReady)('a locked or stopped keychain', () => {
  let keyring: PrivateKeyring
  let projectId: string

  beforeAll(async () => {
    keyring = await startPrivateKeyring()
    const projects = await runCli(['projects', 'list', '--json'], envFor(platform()))
    projectId = ProjectList.parse(JSON.parse(projects.stdout))[0]!.id
  })
  afterAll(async () => keyring?.stop())
  // Whatever a test did to it, the next one starts with a running, unlocked keyring.
  afterEach(async () => {
    keyring.resume()
    if (await keyring.locked()) await keyring.unlock()
  })

  /** A profile signed in with a personal access token kept in this file's keyring. */
  async function signedIn(): Promise<Record<string, string>> {
    const env = { ...envFor(platform(), { withToken: false }), ...keyring.env }
    const login = await runCli(['login', '--with-token'], env, platform().issueToken(['projects:read']))
    expect(login.code, login.stderr).toBe(0)
    return env
  }

  it('auth status exits 9 saying the keychain is locked, not that nobody is signed in', async () => {
    const env = await signedIn()
    await keyring.lock()

    const text = await runCli(['auth', 'status'], env)
    expect(text.code, text.stderr).toBe(9)
    expect(text.stderr).toContain(LOCKED)
    const json = await runCli(['auth', 'status', '--json'], env)
    expect(json.code).toBe(9)
    expect(ErrorOutput.parse(JSON.parse(json.stdout)).error).toMatchObject({ code: 'keychain_locked', exitCode: 9 })

    await keyring.unlock()
    const after = await runCli(['auth', 'status', '--json'], env)
    expect(after.code).toBe(0)
    expect(AuthStatus.parse(JSON.parse(after.stdout)).profiles[0]).toMatchObject({ signed_in: true, source: 'keychain' })
  })

  it('a keychain: reference exits 9 saying the keychain is locked, not that the entry is missing (5)', async () => {
    await secretTool(['store', '--label', 'clowdops test', ...keytarAttributes('clowdops-test', 'openai')], 'sk-svcacct-FAKEfakeFAKEfakeFAKEfake0001', keyring.env)
    await keyring.lock()
    const add = await runCli(
      ['credentials', 'add', 'openai', '--label', 'locked', '--project', projectId, '--field', 'api_key=keychain:clowdops-test/openai', '--json'],
      { ...envFor(platform()), ...keyring.env },
    )
    expect(add.code, add.stderr).toBe(9)
    const { error } = ErrorOutput.parse(JSON.parse(add.stdout))
    expect(error.message).toContain(LOCKED)
    expect(error.hint).toContain('keychain:clowdops-test/openai')
  })

  it('keychain list and doctor exit 9 instead of crashing, and doctor reports the keychain as locked', async () => {
    const env = await signedIn()
    await keyring.lock()

    const list = await runCli(['keychain', 'list', 'clowdops'], env)
    expect(list.code, list.stderr).toBe(9)
    expect(list.stderr).toContain(LOCKED)

    const doctor = await runCli(['doctor', '--json'], env)
    expect(doctor.code, doctor.stderr).toBe(9)
    const keychain = DoctorReport.parse(JSON.parse(doctor.stdout)).checks.find((check) => check.name === 'keychain')
    expect(keychain).toMatchObject({ status: 'fail', detail: expect.stringContaining(LOCKED) })
  })

  it('logout keeps the profile and its tokens, revokes nothing and exits 9; once unlocked it signs out', async () => {
    platform().oauth.setPollInterval(1)
    const configDir = freshConfigDir()
    const env = { ...envFor(platform(), { configDir, withToken: false }), ...keyring.env }
    const login = startCli(['login', '--json', '--no-browser'], env)
    const step = DeviceStep.parse(JSON.parse(await login.line(/user_code/)))
    await approveDeviceFlow(step.verification_uri_complete ?? step.verification_uri, { ...platform().user, decision: 'approve' })
    expect((await login.done).code).toBe(0)
    await keyring.lock()
    const revocations = platform().stats.oauth.revocations

    const locked = await runCli(['logout', '--json'], env)
    expect(locked.code, locked.stderr).toBe(9)
    expect(ErrorOutput.parse(JSON.parse(locked.stdout)).error.message).toContain(LOCKED)
    expect(platform().stats.oauth.revocations).toBe(revocations)
    expect(JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')).profiles.default).toMatchObject({ token_storage: 'keychain' })

    await keyring.unlock()
    const unlocked = await runCli(['logout', '--json'], env)
    expect(unlocked.code, unlocked.stderr).toBe(0)
    expect(LogoutResult.parse(JSON.parse(unlocked.stdout))).toEqual([{ profile: 'default', revoked: true, removed: true }])
    expect(platform().stats.oauth.revocations).toBe(revocations + 2) // refresh token, then access token
  })

  it('login on a locked keychain says so before any device code, and asks the platform for none', async () => {
    await keyring.lock()
    const before = platform().stats.oauth.deviceAuthorizations
    const login = await runCli(['login', '--json', '--no-browser'], { ...envFor(platform(), { withToken: false }), ...keyring.env })
    expect(login.code, login.stderr).toBe(9)
    const { error } = ErrorOutput.parse(JSON.parse(login.stdout)) // the whole of stdout: no device step came first
    expect(error.message).toContain(LOCKED)
    expectChoicesWithoutKeychain(error.hint)
    expect(platform().stats.oauth.deviceAuthorizations).toBe(before)
  })

  it(
    'a stopped Secret Service: the command ends with exit 9 soon after the 3 s timeout, not after D-Bus timeouts',
    async () => {
      const env = await signedIn()
      keyring.pause()
      const started = Date.now()
      const status = await runCli(['auth', 'status'], env) // resolves when the process has ended
      const elapsedMs = Date.now() - started
      console.log(`auth status against a stopped Secret Service ended after ${elapsedMs} ms`)
      expect(status.code, status.stderr).toBe(9)
      expect(status.stderr).toContain('did not answer within 3000 ms')
      // libsecret's D-Bus calls time out after 25 s each; a process still bound to one would end after that.
      expect(elapsedMs).toBeLessThan(10_000)
    },
    70_000,
  )
})

describe.skipIf(!testKeyringReady)('login where there is no Secret Service', () => {
  it('says so before any device code, offers the ways without a keychain, and asks the platform for none', async () => {
    platform().oauth.setDeviceCodeTtl(2) // were a code shown, the run would end soon after, not hang the test
    const bus = await startPrivateBus()
    try {
      for (const address of [bus.address, 'unix:path=/nonexistent']) {
        const before = platform().stats.oauth.deviceAuthorizations
        const env = { ...envFor(platform(), { withToken: false }), DBUS_SESSION_BUS_ADDRESS: address }
        const login = await runCli(['login', '--json', '--no-browser'], env)
        expect(login.code, `${address}: ${login.stdout}`).toBe(9)
        const { error } = ErrorOutput.parse(JSON.parse(login.stdout)) // the whole of stdout: no device step came first
        expect(error.message).toMatch(/Secret Service|D-Bus/)
        expectChoicesWithoutKeychain(error.hint)
        expect(platform().stats.oauth.deviceAuthorizations).toBe(before)
      }
    } finally {
      await bus.stop()
    }
  })
})
