// Sign-in as users and pipelines do it, against the local platform and the real OS keychain (scripts/with-keyring.sh).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createKeychainStore } from '../../src/adapters/keychain.js'
import { SignIn } from '../../src/core/auth/login.js'
import { AuthStatus } from '../../src/core/auth/profiles.js'
import { KEYCHAIN_SERVICE, StoredTokens } from '../../src/core/auth/tokens.js'
import { ErrorOutput } from '../../src/core/errors.js'
import { ProjectList } from '../../src/core/projects/list.js'
import { freshConfigDir, runCli } from '../support/cli.js'
import { testKeyringReady } from '../support/keyring.js'
import { envFor, usePlatform } from '../support/platform.js'

const platform = usePlatform()

/** Every file under a directory, read as text: where a leaked token would show. */
function allFiles(directory: string): { path: string; text: string }[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name)
      return { path, text: readFileSync(path, 'utf8') }
    })
}

describe('login without a keychain or a terminal', () => {
  it('fails at once with the flags to use when stdin is not a terminal and no --with-token is given', async () => {
    const started = Date.now()
    const result = await runCli(['login'], { CLOWDOPS_API_URL: platform().url })
    expect(result.code).toBe(2)
    expect(Date.now() - started).toBeLessThan(2000)
    expect(result.stderr).toContain('--with-token')
    expect(result.stderr).toContain('CLOWDOPS_TOKEN')
  })

  it('exits 9 when no keychain is reachable, stores nothing, and offers --insecure-storage', async () => {
    const configDir = freshConfigDir()
    const token = platform().issueToken(['projects:read'])
    const result = await runCli(
      ['login', '--with-token'],
      { ...envFor(platform(), { configDir, withToken: false }), DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' },
      token,
    )
    expect(result.code).toBe(9)
    expect(result.stderr).toContain('--insecure-storage')
    expect(result.stderr).toContain('CLOWDOPS_TOKEN')
    for (const file of allFiles(configDir)) expect(file.text, file.path).not.toContain(token)
    expect(allFiles(configDir).some((f) => f.path.endsWith('config.json') && f.text.includes('token_storage'))).toBe(false)
  })

  it('--insecure-storage keeps the token in a 0600 file and warns on the next use', async () => {
    const configDir = freshConfigDir()
    const env = { ...envFor(platform(), { configDir, withToken: false }), DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' }
    const token = platform().issueToken(['projects:read'])
    const login = await runCli(['login', '--with-token', '--insecure-storage', '--json'], env, token)
    expect(SignIn.parse(JSON.parse(login.stdout)).stored_in).toBe('file')
    const file = join(configDir, 'tokens', 'default.json')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const list = await runCli(['projects', 'list', '--json'], env)
    expect(ProjectList.parse(JSON.parse(list.stdout)).length).toBeGreaterThan(0)
    expect(list.stderr).toContain('plaintext file')
    expect(readFileSync(join(configDir, 'config.json'), 'utf8')).not.toContain(token)
  })
})

describe.skipIf(!testKeyringReady)('login with the real keychain', () => {
  it('stores a --with-token token in the keychain only, and every command then uses it', async () => {
    const configDir = freshConfigDir()
    const env = envFor(platform(), { configDir, withToken: false })
    const canary = platform().issueToken(['projects:read', 'projects:write'])

    const login = await runCli(['login', '--with-token', '--json'], env, `${canary}\n`)
    expect(login.code).toBe(0)
    expect(SignIn.parse(JSON.parse(login.stdout))).toMatchObject({ account: 'ada@example.com', stored_in: 'keychain' })

    const stored = await createKeychainStore().get(KEYCHAIN_SERVICE, 'default')
    expect(StoredTokens.parse(JSON.parse(stored!.reveal())).access_token).toBe(canary)
    for (const file of allFiles(configDir)) expect(file.text, file.path).not.toContain(canary)

    const status = await runCli(['auth', 'status', '--verify', '--json'], env)
    expect(status.code).toBe(0)
    const active = AuthStatus.parse(JSON.parse(status.stdout)).profiles.find((p) => p.active)
    expect(active).toMatchObject({ source: 'keychain', account: 'ada@example.com', verified: true })
    expect(status.stdout).not.toContain(canary)

    const projects = await runCli(['projects', 'list', '--json'], env)
    expect(ProjectList.parse(JSON.parse(projects.stdout)).length).toBeGreaterThan(0)

    const token = await runCli(['auth', 'token'], env)
    expect(token.stdout.trim()).toBe(canary)

    const logout = await runCli(['logout'], env)
    expect(logout.code).toBe(0)
    expect(await createKeychainStore().get(KEYCHAIN_SERVICE, 'default')).toBeUndefined()
    const after = await runCli(['auth', 'status', '--json'], env)
    expect(after.code).toBe(4)
    expect(AuthStatus.parse(JSON.parse(after.stdout)).profiles[0]?.signed_in).toBe(false)
  })

  it('CLOWDOPS_TOKEN wins over the keychain, and auth status says so', async () => {
    const configDir = freshConfigDir()
    const env = envFor(platform(), { configDir, withToken: false })
    await runCli(['login', '--with-token'], env, platform().issueToken(['projects:read']))
    const status = await runCli(['whoami', '--json'], { ...env, CLOWDOPS_TOKEN: platform().token })
    expect(AuthStatus.parse(JSON.parse(status.stdout)).profiles[0]?.source).toBe('env')
    await runCli(['logout'], env)
  })

  it('keeps one sign-in per profile; switch changes the active one', async () => {
    const configDir = freshConfigDir()
    const env = envFor(platform(), { configDir, withToken: false })
    await runCli(['login', '--with-token', '--profile', 'work'], env, platform().issueToken(['projects:read']))
    await runCli(['login', '--with-token', '--profile', 'home'], env, platform().issueToken(['projects:read']))
    const switched = await runCli(['auth', 'switch', 'work'], env)
    expect(switched.code).toBe(0)
    const status = AuthStatus.parse(JSON.parse((await runCli(['auth', 'status', '--json'], env)).stdout))
    expect(status.active_profile).toBe('work')
    expect(status.profiles.filter((p) => p.signed_in).map((p) => p.profile).sort()).toEqual(['home', 'work'])
    const missing = await runCli(['auth', 'switch', 'nope', '--json'], env)
    expect(missing.code).toBe(5)
    expect(ErrorOutput.parse(JSON.parse(missing.stdout)).error.hint).toContain('home, work')
    expect((await runCli(['logout', '--all'], env)).code).toBe(0)
  })

  it('a rejected token is not stored', async () => {
    const configDir = freshConfigDir()
    const env = envFor(platform(), { configDir, withToken: false })
    const result = await runCli(['login', '--with-token'], env, 'cop_notAValidTokenAtAllxxxxxxxxxxxxxxxx')
    expect(result.code).toBe(4)
    expect(await createKeychainStore().get(KEYCHAIN_SERVICE, 'default')).toBeUndefined()
  })
})
