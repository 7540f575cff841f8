// A registered credential over its life, with the built CLI against the local platform: attached to and detached from
// sandboxes, rotated under add's checks (refused before sending), and verified against the platform's probe fixtures.
import { beforeAll, describe, expect, it } from 'vitest'
import { CredentialVerification } from '../../src/core/contract/credentials.js'
import { Credential } from '../../src/core/contract/index.js'
import { Rotation } from '../../src/core/credentials/lifecycle.js'
import { Registration } from '../../src/core/credentials/register.js'
import { ErrorOutput } from '../../src/core/errors.js'
import { storedState } from '../platform/server.js'
import { runCli } from '../support/cli.js'
import { envFor, usePlatform } from '../support/platform.js'

const platform = usePlatform()
let projectId: string
let ownSandboxes: string[]
let otherSandbox: string
let env: Record<string, string>

/** Obviously fake OpenAI keys of each shape, unique per call (so are their fingerprints and last four characters). */
let serial = 0
const fakeKey = (prefix: 'sk-svcacct-' | 'sk-admin-') => `${prefix}FAKEfakeFAKEfakeFAKEfake${Date.now()}x${String((serial += 1)).padStart(4, '0')}`

beforeAll(() => {
  const { sandboxes } = storedState(platform())
  const [own, other] = Object.entries(sandboxes).filter(([, list]) => list.length > 0)
  projectId = own![0]
  ownSandboxes = own![1].map((s) => s.id)
  otherSandbox = other![1][0]!.id
  env = envFor(platform())
})

async function addOpenAi(label: string, key: string, extra: string[] = []): Promise<Credential> {
  const result = await runCli(['credentials', 'add', 'openai', '--label', label, '--project', projectId, '--field', 'api_key=env:KEY', ...extra, '--json'], { ...env, KEY: key })
  expect(result.code, result.stderr + result.stdout).toBe(0)
  return Registration.parse(JSON.parse(result.stdout)).credential
}

describe('attach and detach', () => {
  it('round-trips a sandbox, and attaching or detaching twice changes nothing', async () => {
    const credential = await addOpenAi('attachable', fakeKey('sk-svcacct-'))
    const sandbox = ownSandboxes[0]!
    const attach = () => runCli(['credentials', 'attach', credential.id, '--sandbox', sandbox, '--json'], env)
    const detach = () => runCli(['credentials', 'detach', credential.id, '--sandbox', sandbox, '--json'], env)

    const attached = await attach()
    expect(attached.code, attached.stderr).toBe(0)
    expect(Credential.parse(JSON.parse(attached.stdout)).sandboxes).toEqual([sandbox])
    expect(Credential.parse(JSON.parse((await attach()).stdout)).sandboxes).toEqual([sandbox])

    const detached = await detach()
    expect(detached.code, detached.stderr).toBe(0)
    expect(Credential.parse(JSON.parse(detached.stdout)).sandboxes).toEqual([])
    expect(Credential.parse(JSON.parse((await detach()).stdout)).sandboxes).toEqual([])

    const text = await runCli(['credentials', 'attach', credential.id, '--sandbox', sandbox], env)
    expect(text.stdout).toContain(`sandboxes ${sandbox}`)
  })

  it("refuses a sandbox of another project (exit 2), and an unknown credential or sandbox is not found (exit 5)", async () => {
    const credential = await addOpenAi('cross-project', fakeKey('sk-svcacct-'))
    const cross = await runCli(['credentials', 'attach', credential.id, '--sandbox', otherSandbox, '--json'], env)
    expect(cross.code).toBe(2)
    expect(ErrorOutput.parse(JSON.parse(cross.stdout)).error.message).toContain('another project')

    expect((await runCli(['credentials', 'attach', credential.id, '--sandbox', 'sbx_doesnotexist'], env)).code).toBe(5)
    expect((await runCli(['credentials', 'detach', 'cred_doesnotexist', '--sandbox', ownSandboxes[0]!], env)).code).toBe(5)
    const stored = storedState(platform()).credentials.find((c) => c.id === credential.id)
    expect(stored?.sandboxes).toEqual([])
  })
})

describe('rotate', () => {
  it('replaces the sealed secret: the fingerprint and hint change, non-secret state stays', async () => {
    const credential = await addOpenAi('rotating', fakeKey('sk-svcacct-'), ['--sandbox', ownSandboxes[0]!])
    const next = fakeKey('sk-svcacct-')
    const result = await runCli(['credentials', 'rotate', credential.id, '--field', 'api_key=env:NEXT', '--json'], { ...env, NEXT: next })
    expect(result.code, result.stderr + result.stdout).toBe(0)
    const rotated = Rotation.parse(JSON.parse(result.stdout)).credential
    expect(rotated.secrets.api_key!.fingerprint).not.toBe(credential.secrets.api_key!.fingerprint)
    expect(rotated.hint).toContain(next.slice(-4))
    expect(credential.hint).not.toContain(next.slice(-4))
    expect(rotated).toMatchObject({ id: credential.id, label: 'rotating', sandboxes: credential.sandboxes, created_at: credential.created_at })
    expect(rotated.updated_at).not.toBe(credential.updated_at)
    expect(result.stdout).not.toContain(next)
  })

  it('refuses an admin key with exit 10, and only the read of the credential reached the platform', async () => {
    const credential = await addOpenAi('rotate-to-admin', fakeKey('sk-svcacct-'))
    const before = { requests: platform().stats.requests, get: platform().stats.byRoute['credentials.get'] ?? 0, rotate: platform().stats.byRoute['credentials.rotate'] ?? 0 }
    const result = await runCli(['credentials', 'rotate', credential.id, '--field', 'api_key=env:ADMIN', '--json'], { ...env, ADMIN: fakeKey('sk-admin-') })
    expect(result.code).toBe(10)
    expect(ErrorOutput.parse(JSON.parse(result.stdout)).error.message).toContain('openai.admin-key')
    expect(platform().stats.requests - before.requests).toBe(1)
    expect((platform().stats.byRoute['credentials.get'] ?? 0) - before.get).toBe(1)
    expect(platform().stats.byRoute['credentials.rotate'] ?? 0).toBe(before.rotate)
    const stored = storedState(platform()).credentials.find((c) => c.id === credential.id)
    expect(stored?.secrets.api_key?.fingerprint).toBe(credential.secrets.api_key!.fingerprint)
  })

  it('refuses a non-secret or literal value with exit 2', async () => {
    const credential = await addOpenAi('rotate-usage', fakeKey('sk-svcacct-'))
    const literal = fakeKey('sk-svcacct-')
    const result = await runCli(['credentials', 'rotate', credential.id, '--field', `api_key=${literal}`], env)
    expect(result.code).toBe(2)
    expect(result.stdout + result.stderr).not.toContain(literal)
    expect((await runCli(['credentials', 'rotate', credential.id], env)).code).toBe(2)
  })
})

describe('verify', () => {
  const verify = async (id: string) => {
    const result = await runCli(['credentials', 'verify', id, '--json'], env)
    return { code: result.code, verification: CredentialVerification.parse(JSON.parse(result.stdout)) }
  }

  it('grades a read-only credential A (exit 0)', async () => {
    const { code, verification } = await verify((await addOpenAi('prod-read-only', fakeKey('sk-svcacct-'))).id)
    expect(code).toBe(0)
    expect(verification.grade).toBe('A')
    expect(verification.findings.map((f) => f.rule)).toEqual(['probe.read-only'])
  })

  it('grades an admin credential F with exit 10, the report still printed', async () => {
    const { code, verification } = await verify((await addOpenAi('admin-key', fakeKey('sk-svcacct-'))).id)
    expect(code).toBe(10)
    expect(verification.grade).toBe('F')
    expect(verification.findings[0]).toMatchObject({ rule: 'probe.admin-key', severity: 'error' })

    const text = await runCli(['credentials', 'verify', verification.credential_id], env)
    expect(text.code).toBe(10)
    expect(text.stdout).toContain('grade F')
  })

  it('judges what it opened: an admin-class key accepted with --allow grades F, and rotating to a service key lifts it', async () => {
    const credential = await addOpenAi('accepted-admin', fakeKey('sk-admin-'), ['--allow', 'openai.admin-key'])
    expect((await verify(credential.id)).verification.grade).toBe('F')
    const rotated = await runCli(['credentials', 'rotate', credential.id, '--field', 'api_key=env:NEXT', '--json'], { ...env, NEXT: fakeKey('sk-svcacct-') })
    expect(rotated.code, rotated.stderr + rotated.stdout).toBe(0)
    expect((await verify(credential.id)).verification.grade).toBe('B')
  })

  it('grades an aws-role whose trust policy skips the external ID C', async () => {
    const add = await runCli(
      ['credentials', 'add', 'aws-role', '--label', 'external-id-not-enforced', '--project', projectId, '--field', 'role_arn=arn:aws:iam::123456789012:role/ClowdOpsReadOnly', '--json'],
      env,
    )
    expect(add.code, add.stderr + add.stdout).toBe(0)
    const { code, verification } = await verify(Registration.parse(JSON.parse(add.stdout)).credential.id)
    expect(code).toBe(0)
    expect(verification).toMatchObject({ grade: 'C', findings: [{ rule: 'probe.external-id-not-enforced' }] })
  })
})
