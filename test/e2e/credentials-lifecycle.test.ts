// A registered credential over its life, with the built CLI against the local platform: attached to and detached from
// sandboxes, rotated under add's checks (refused before sending), and verified against the platform's probe fixtures.
import { beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AwsTrust, CredentialVerification } from '../../src/core/contract/credentials.js'
import { Credential } from '../../src/core/contract/index.js'
import { Rotation } from '../../src/core/credentials/lifecycle.js'
import { trustPolicy } from '../../src/core/credentials/recipes/aws-policies.js'
import { EXTERNAL_ID_PLACEHOLDER, Recipe } from '../../src/core/credentials/recipes/index.js'
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

async function verify(id: string) {
  const result = await runCli(['credentials', 'verify', id, '--json'], env)
  return { code: result.code, verification: CredentialVerification.parse(JSON.parse(result.stdout)) }
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
})

// The aws-role recipe followed end to end: the recipe (signed in) names the platform's principal and this
// organisation's external ID; the role is created with it in the simulated AWS account (as `aws iam create-role`
// would); `add --policy trust.json` checks the document against the issued values; `verify` assumes the role there.
describe('aws-role end to end', () => {
  let trust: AwsTrust
  let roles = 0
  const newRole = () => `arn:aws:iam::123456789012:role/ClowdOpsReadOnly${(roles += 1)}`

  beforeAll(async () => {
    const recipe = await runCli(['credentials', 'recipe', 'aws-role', '--json'], env)
    expect(recipe.code, recipe.stderr).toBe(0)
    trust = AwsTrust.parse(Recipe.parse(JSON.parse(recipe.stdout)).aws_trust)
  })

  async function trustFile(document: unknown): Promise<string> {
    const path = join(await mkdtemp(join(tmpdir(), 'clowdops-trust-')), 'trust.json')
    await writeFile(path, JSON.stringify(document))
    return path
  }

  async function addRole(label: string, roleArn: string, extra: string[] = []) {
    return runCli(['credentials', 'add', 'aws-role', '--label', label, '--project', projectId, '--field', `role_arn=${roleArn}`, ...extra, '--json'], env)
  }

  it("the signed-in recipe gives the platform's values, the same as GET /v1/aws-trust; --offline and signed out send nothing", async () => {
    const direct = AwsTrust.parse(await (await fetch(`${platform().url}/v1/aws-trust`, { headers: { authorization: `Bearer ${platform().token}` } })).json())
    expect(trust).toEqual(direct)
    const before = platform().stats.byRoute['aws-trust.get'] ?? 0
    for (const run of [
      runCli(['credentials', 'recipe', 'aws-role', '--json', '--offline'], env),
      runCli(['credentials', 'recipe', 'aws-role', '--json'], envFor(platform(), { withToken: false })),
    ]) {
      const result = await run
      expect(result.code, result.stderr).toBe(0)
      const recipe = Recipe.parse(JSON.parse(result.stdout))
      expect(recipe.aws_trust).toBeUndefined()
      expect(JSON.stringify(recipe.documents)).toContain(EXTERNAL_ID_PLACEHOLDER)
    }
    expect(platform().stats.byRoute['aws-trust.get'] ?? 0).toBe(before)
  })

  it('a role created from the recipe registers with its external ID and verifies A', async () => {
    const recipe = Recipe.parse(JSON.parse((await runCli(['credentials', 'recipe', 'aws-role', '--json'], env)).stdout))
    const document = recipe.documents.find((d) => d.kind === 'trust')!.document
    const roleArn = newRole()
    platform().aws.putRole(roleArn, document)
    const add = await addRole('role-read-only', roleArn, ['--policy', await trustFile(document)])
    expect(add.code, add.stderr + add.stdout).toBe(0)
    const { credential } = Registration.parse(JSON.parse(add.stdout))
    expect(credential.external_id).toBe(trust.external_id)
    const shown = await runCli(['credentials', 'show', credential.id], env)
    expect(shown.stdout).toContain(`external ID ${trust.external_id}`)
    const { code, verification } = await verify(credential.id)
    expect(code).toBe(0)
    expect(verification).toMatchObject({ grade: 'A', findings: [{ rule: 'probe.read-only' }] })
  })

  it('a trust document still holding the placeholder, or trusting another principal, is refused before sending', async () => {
    const before = platform().stats.byRoute['credentials.create'] ?? 0
    for (const [document, rule] of [
      [trustPolicy(trust.principal_arn), 'aws-role.trust-external-id'],
      [trustPolicy('arn:aws:iam::999900001111:role/Impostor', trust.external_id), 'aws-role.trust-principal'],
    ] as const) {
      const add = await addRole('refused-trust', newRole(), ['--policy', await trustFile(document)])
      expect(add.code, add.stdout).toBe(10)
      expect(ErrorOutput.parse(JSON.parse(add.stdout)).error).toMatchObject({ code: 'check_failed', message: expect.stringContaining(rule) })
    }
    expect(platform().stats.byRoute['credentials.create'] ?? 0).toBe(before)
  })

  it('grades C a role its trust policy lets the platform assume without the external ID (confused deputy)', async () => {
    const roleArn = newRole()
    const { Condition: _condition, ...open } = trustPolicy(trust.principal_arn, trust.external_id).Statement[0]!
    // Over the admin route the README documents, as a manual run would.
    const put = await fetch(`${platform().url}/_admin/aws/roles`, {
      method: 'PUT',
      headers: { 'x-admin-key': platform().adminKey, 'content-type': 'application/json' },
      body: JSON.stringify({ role_arn: roleArn, trust_policy: { Version: '2012-10-17', Statement: [open] } }),
    })
    expect(put.status).toBe(200)
    const add = await addRole('no-external-id', roleArn)
    expect(add.code, add.stderr + add.stdout).toBe(0)
    const { code, verification } = await verify(Registration.parse(JSON.parse(add.stdout)).credential.id)
    expect(code).toBe(0)
    expect(verification).toMatchObject({ grade: 'C', findings: [{ rule: 'probe.external-id-not-enforced' }] })
  })

  it('grades F (exit 10) a role that does not exist or trusts another external ID, as STS would deny it', async () => {
    const foreign = newRole()
    platform().aws.putRole(foreign, trustPolicy(trust.principal_arn, 'another-organisations-id'))
    for (const [index, roleArn] of [newRole(), foreign].entries()) {
      const add = await addRole(`denied-${index}`, roleArn)
      expect(add.code, add.stderr + add.stdout).toBe(0)
      const { code, verification } = await verify(Registration.parse(JSON.parse(add.stdout)).credential.id)
      expect(code).toBe(10)
      expect(verification).toMatchObject({ grade: 'F', findings: [{ rule: 'probe.assume-role-denied' }] })
    }
  })
})
