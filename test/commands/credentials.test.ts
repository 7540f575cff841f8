// credentials and keychain commands in-process on a fake terminal: the removal confirmation and the hidden prompt of
// keychain set, each answered, refused and interrupted, against the local platform and the test keyring.
import { randomBytes } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import ConfigSet from '../../commands/config/set.js'
import CredentialsAdd from '../../commands/credentials/add.js'
import CredentialsAttach from '../../commands/credentials/attach.js'
import CredentialsDetach from '../../commands/credentials/detach.js'
import CredentialsRemove from '../../commands/credentials/remove.js'
import CredentialsRotate from '../../commands/credentials/rotate.js'
import CredentialsShow from '../../commands/credentials/show.js'
import KeychainSet from '../../commands/keychain/set.js'
import { createKeychainStore } from '../../src/adapters/keychain.js'
import { Registration } from '../../src/core/credentials/register.js'
import { ProjectList, SandboxList } from '../../src/core/projects/list.js'
import ProjectsList from '../../commands/projects/list.js'
import SandboxesList from '../../commands/sandboxes/list.js'
import { Credential } from '../../src/core/contract/index.js'
import { freshConfigDir } from '../support/cli.js'
import { envFor, usePlatform } from '../support/platform.js'
import { fake } from '../support/credential-fakes.js'
import { testKeyringReady } from '../support/keyring.js'
import { runCommand } from '../support/terminal.js'

const platform = usePlatform({ seed: { projects: 1, sandboxesPerProject: 1 } })
let projectId: string
beforeAll(async () => {
  const projects = await runCommand(ProjectsList, ['--json'], { env: envFor(platform()), stdin: '' })
  projectId = ProjectList.parse(JSON.parse(projects.stdout))[0]!.id
})


describe('credentials remove', () => {
  async function registered(env: Record<string, string>): Promise<string> {
    const label = `rm-${randomBytes(4).toString('hex')}`
    const add = await runCommand(CredentialsAdd, ['openai', '--label', label, '--project', projectId, '--field', 'api_key=env:KEY', '--json'], {
      env: { ...env, KEY: fake.openaiServiceAccount },
      stdin: '',
    })
    expect(add.exitCode, add.stdout).toBe(0)
    return Registration.parse(JSON.parse(add.stdout)).credential.id
  }
  const exists = async (env: Record<string, string>, id: string) => (await runCommand(CredentialsShow, [id, '--json'], { env, stdin: '' })).exitCode === 0

  it('on a terminal asks first; yes removes it', async () => {
    const env = envFor(platform())
    const id = await registered(env)
    const run = await runCommand(CredentialsRemove, [id], { env, answers: [true] })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.terminal.asked).toEqual([{ kind: 'confirm', message: expect.stringMatching(/^Remove rm-[0-9a-f]{8} \(openai, .+\)\?$/) }])
    expect(await exists(env, id)).toBe(false)
  })

  it('no keeps it (exit 3)', async () => {
    const env = envFor(platform())
    const id = await registered(env)
    const run = await runCommand(CredentialsRemove, [id], { env, answers: [false] })
    expect(run.exitCode).toBe(3)
    expect(await exists(env, id)).toBe(true)
  })

  it('Ctrl-C at the question keeps it (exit 130)', async () => {
    const env = envFor(platform())
    const id = await registered(env)
    const run = await runCommand(CredentialsRemove, [id], { env, answers: [{ interrupt: true }] })
    expect(run.exitCode).toBe(130)
    expect(await exists(env, id)).toBe(true)
  })

  it('--json on a terminal asks nothing and wants --yes (exit 2)', async () => {
    const env = envFor(platform())
    const id = await registered(env)
    const run = await runCommand(CredentialsRemove, [id, '--json'], { env })
    expect(run.exitCode).toBe(2)
    expect(run.terminal.asked).toEqual([])
    expect(await exists(env, id)).toBe(true)
  })
})

describe('credentials attach and detach', () => {
  it('take the sandbox from the profile setting default_sandbox when --sandbox is left out', async () => {
    const env = envFor(platform())
    const add = await runCommand(CredentialsAdd, ['openai', '--label', `attach-${randomBytes(4).toString('hex')}`, '--project', projectId, '--field', 'api_key=env:KEY', '--json'], {
      env: { ...env, KEY: fake.openaiServiceAccount },
      stdin: '',
    })
    const { id } = Registration.parse(JSON.parse(add.stdout)).credential
    const sandbox = SandboxList.parse(JSON.parse((await runCommand(SandboxesList, ['--project', projectId, '--json'], { env, stdin: '' })).stdout))[0]!.id

    const none = await runCommand(CredentialsAttach, [id], { env, stdin: '' })
    expect(none.exitCode).toBe(2)
    expect(none.stderr).toContain('config set default_sandbox')

    expect((await runCommand(ConfigSet, ['default_sandbox', sandbox], { env, stdin: '' })).exitCode).toBe(0)
    const attached = await runCommand(CredentialsAttach, [id, '--json'], { env, stdin: '' })
    expect(attached.exitCode, attached.stdout).toBe(0)
    expect(Credential.parse(JSON.parse(attached.stdout)).sandboxes).toEqual([sandbox])
    const detached = await runCommand(CredentialsDetach, [id, '--json'], { env, stdin: '' })
    expect(Credential.parse(JSON.parse(detached.stdout)).sandboxes).toEqual([])
  })
})

describe.skipIf(!testKeyringReady)('keychain set', () => {
  const name = () => `clowdops-inproc-${randomBytes(4).toString('hex')}/prod`
  const canary = () => `CANARY-${randomBytes(12).toString('base64url')}`
  const stored = (entry: string) => createKeychainStore().get(...(entry.split('/') as [string, string]))

  it('asks for the secret at a hidden prompt, stores it, and shows it nowhere', async () => {
    const entry = name()
    const value = canary()
    const run = await runCommand(KeychainSet, [entry], { env: { CLOWDOPS_CONFIG_DIR: freshConfigDir() }, answers: [value] })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.terminal.asked).toEqual([{ kind: 'secret', message: `Secret to store as ${entry}` }])
    expect(run.stdout + run.stderr).not.toContain(value)
    expect((await stored(entry))?.reveal()).toBe(value)
  })

  it('Ctrl-C at the prompt stores nothing (exit 130)', async () => {
    const entry = name()
    const run = await runCommand(KeychainSet, [entry], { env: { CLOWDOPS_CONFIG_DIR: freshConfigDir() }, answers: [{ interrupt: true }] })
    expect(run.exitCode).toBe(130)
    expect(await stored(entry)).toBeUndefined()
  })

  it('under CI with stdin a terminal, refuses at once (exit 2) and stores nothing', async () => {
    const entry = name()
    const run = await runCommand(KeychainSet, [entry], { env: { CLOWDOPS_CONFIG_DIR: freshConfigDir(), CI: 'true' } })
    expect(run.exitCode).toBe(2)
    expect(run.terminal.asked).toEqual([])
    expect(await stored(entry)).toBeUndefined()
  })
})

describe('credentials add and rotate on a terminal', () => {
  const adminKey = () => `sk-admin-FAKEfakeFAKEfakeFAKEfake${randomBytes(6).toString('hex')}`
  const serviceKey = () => `sk-svcacct-FAKEfakeFAKEfakeFAKEfake${randomBytes(6).toString('hex')}`

  it('a risk accepted with --allow is shown as accepted, not as an error', async () => {
    const label = `allow-${randomBytes(4).toString('hex')}`
    const run = await runCommand(CredentialsAdd, ['openai', '--label', label, '--project', projectId, '--field', 'api_key=env:KEY', '--allow', 'openai.admin-key'], {
      env: { ...envFor(platform()), KEY: adminKey() },
      stdin: '',
    })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/accepted\s+openai\.admin-key/)
    expect(run.stdout).not.toContain('✗ error')
  })

  it('rotate says it replaced the secrets, so it does not read as a new credential', async () => {
    const env = { ...envFor(platform()), KEY: serviceKey(), NEXT: serviceKey() }
    const label = `rot-${randomBytes(4).toString('hex')}`
    const add = await runCommand(CredentialsAdd, ['openai', '--label', label, '--project', projectId, '--field', 'api_key=env:KEY'], { env, stdin: '' })
    expect(add.exitCode, add.stderr).toBe(0)
    expect(add.stdout).toMatch(new RegExp(`Added ${label}`))
    const id = /cred_[A-Za-z0-9]+/.exec(add.stdout)![0]
    const rotate = await runCommand(CredentialsRotate, [id, '--field', 'api_key=env:NEXT'], { env, stdin: '' })
    expect(rotate.exitCode, rotate.stderr).toBe(0)
    expect(rotate.stdout).toMatch(new RegExp(`Rotated ${label} ${id}: new api_key sealed`))
    expect(rotate.stdout).not.toMatch(/Added/)
  })
})
