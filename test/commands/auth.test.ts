// auth commands in-process on a fake terminal (test/support/terminal.ts): the hidden token prompt of login --with-token
// and the profile picker of auth switch, answered, refused and interrupted, with the real adapters pointed at the
// local platform, a temporary config directory and the test keyring.
import { describe, expect, it } from 'vitest'
import AuthList from '../../commands/auth/list.js'
import AuthStatus from '../../commands/auth/status.js'
import AuthSwitch from '../../commands/auth/switch.js'
import ConfigSet from '../../commands/config/set.js'
import ConfigUnset from '../../commands/config/unset.js'
import Logout from '../../commands/logout.js'
import Login from '../../commands/login.js'
import { ProfileList } from '../../src/core/auth/profiles.js'
import { ErrorOutput } from '../../src/core/errors.js'
import { freshConfigDir } from '../support/cli.js'
import { usePlatform } from '../support/platform.js'
import { testKeyringReady } from '../support/keyring.js'
import { runCommand } from '../support/terminal.js'

const platform = usePlatform()

const profileName = () => `inproc-${Math.random().toString(36).slice(2, 10)}`

describe.skipIf(!testKeyringReady)('login --with-token', () => {
  it('on a terminal asks for the token at a hidden prompt, stores it, and shows it nowhere', async () => {
    const env = { CLOWDOPS_API_URL: platform().url, CLOWDOPS_CONFIG_DIR: freshConfigDir() }
    const token = platform().issueToken(['projects:read'])
    const profile = profileName()
    const login = await runCommand(Login, ['--with-token', '--profile', profile], { env, answers: [token] })
    expect(login.exitCode, login.stderr).toBe(0)
    expect(login.terminal.asked).toEqual([{ kind: 'secret', message: 'Personal access token' }])
    expect(login.stdout + login.stderr).not.toContain(token)
    const status = await runCommand(AuthStatus, ['--profile', profile, '--json'], { env, stdin: '' })
    expect(status.exitCode, status.stdout).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject({ active_profile: profile, profiles: [{ profile, source: 'keychain', signed_in: true }] })
  })

  it('piped: reads stdin and asks nothing', async () => {
    const env = { CLOWDOPS_API_URL: platform().url, CLOWDOPS_CONFIG_DIR: freshConfigDir() }
    const token = platform().issueToken(['projects:read'])
    const login = await runCommand(Login, ['--with-token', '--profile', profileName(), '--json'], { env, stdin: `${token}\n` })
    expect(login.exitCode, login.stdout).toBe(0)
    expect(login.terminal.asked).toEqual([])
    expect(login.stdout).not.toContain(token)
  })

  it('Ctrl-C at the prompt is exit 130 with the interrupted body, and nothing is stored', async () => {
    const env = { CLOWDOPS_API_URL: platform().url, CLOWDOPS_CONFIG_DIR: freshConfigDir() }
    const profile = profileName()
    const login = await runCommand(Login, ['--with-token', '--profile', profile], { env, answers: [{ interrupt: true }] })
    expect(login.exitCode).toBe(130)
    expect(login.stderr).toContain('Interrupted.')
    const status = await runCommand(AuthStatus, ['--profile', profile, '--json'], { env, stdin: '' })
    expect(status.exitCode).toBe(4)
  })
})

describe('login on a terminal where prompts are off', () => {
  it('--with-token under CI with stdin a terminal refuses at once (exit 2) instead of waiting', async () => {
    const env = { CLOWDOPS_API_URL: platform().url, CLOWDOPS_CONFIG_DIR: freshConfigDir(), CI: 'true' }
    const login = await runCommand(Login, ['--with-token', '--json'], { env })
    expect(login.exitCode).toBe(2)
    expect(login.terminal.asked).toEqual([])
    expect(ErrorOutput.parse(JSON.parse(login.stdout)).error.hint).toContain('--with-token')
  })
})

describe('auth switch', () => {
  async function twoProfiles(): Promise<Record<string, string>> {
    const env = { CLOWDOPS_CONFIG_DIR: freshConfigDir() }
    for (const profile of ['home', 'work']) {
      expect((await runCommand(ConfigSet, ['default_project', 'prj_1', '--profile', profile], { env, stdin: '' })).exitCode).toBe(0)
    }
    return env
  }
  const active = async (env: Record<string, string>) =>
    ProfileList.parse(JSON.parse((await runCommand(AuthList, ['--json'], { env, stdin: '' })).stdout)).find((p) => p.active)?.profile

  it('without a name, on a terminal, the person picks one of the known profiles', async () => {
    const env = await twoProfiles()
    const run = await runCommand(AuthSwitch, [], { env, answers: ['work'] })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.terminal.asked).toEqual([{ kind: 'select', message: 'Switch to which profile?' }])
    expect(await active(env)).toBe('work')
  })

  it('without a name and without a terminal: exit 2 naming the profiles to choose from', async () => {
    const env = await twoProfiles()
    const run = await runCommand(AuthSwitch, [], { env, stdin: '' })
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('home, work')
    expect(run.terminal.asked).toEqual([])
  })

  it('Ctrl-C at the picker: exit 130 and the active profile is unchanged', async () => {
    const env = await twoProfiles()
    const before = await active(env)
    const run = await runCommand(AuthSwitch, [], { env, answers: [{ interrupt: true }] })
    expect(run.exitCode).toBe(130)
    expect(await active(env)).toBe(before)
  })
})

describe('saying what happened when there was nothing to do', () => {
  it('config unset of a key that is not set says so, not "Removed"', async () => {
    const env = { CLOWDOPS_API_URL: platform().url, CLOWDOPS_CONFIG_DIR: freshConfigDir() }
    const set = await runCommand(ConfigSet, ['default_project', 'prj_abc12345'], { env, stdin: '' })
    expect(set.exitCode, set.stderr).toBe(0)
    const first = await runCommand(ConfigUnset, ['default_project'], { env, stdin: '' })
    expect(first.exitCode).toBe(0)
    expect(first.stderr).toMatch(/Removed default_project/)
    const second = await runCommand(ConfigUnset, ['default_project'], { env, stdin: '' })
    expect(second.exitCode).toBe(0)
    expect(second.stderr).not.toMatch(/Removed/)
    expect(second.stderr).toMatch(/default_project was not set in profile default; nothing to do/)
  })

  it('logout of a profile that is not signed in: exit 0, nothing to do', async () => {
    const env = { CLOWDOPS_API_URL: platform().url, CLOWDOPS_CONFIG_DIR: freshConfigDir() }
    const human = await runCommand(Logout, ['--profile', 'nobody'], { env, stdin: '' })
    expect(human.exitCode, human.stderr).toBe(0)
    expect(human.stdout).toMatch(/Profile nobody is not signed in; nothing to do\./)
    const json = await runCommand(Logout, ['--all', '--json'], { env, stdin: '' })
    expect(json.exitCode, json.stdout).toBe(0)
    expect(JSON.parse(json.stdout)).toEqual([])
  })
})
