// `auth ci-check` in-process against the local platform: for each claim a rule checks (iss, aud, sub, repository, ref,
// environment, exp) and for both GitHub subject formats (names, and the 2026 immutable ids), its verdict is the one the
// platform's real token exchange gives the same token through `login --ci`, and it names the claim and the fix.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import AuthCiCheck from '../../commands/auth/ci-check.js'
import Login from '../../commands/login.js'
import { CiCheck } from '../../src/core/auth/ci-check.js'
import type { CiTrustPolicy } from '../platform/oauth.js'
import { type ActionsTokenService, GITHUB_CLAIMS, startActionsTokenService } from '../support/ci-provider.js'
import { freshConfigDir } from '../support/cli.js'
import { usePlatform } from '../support/platform.js'
import { runCommand } from '../support/terminal.js'

const platform = usePlatform()
let actions: ActionsTokenService
let claims: Record<string, unknown> = { ...GITHUB_CLAIMS }

beforeAll(async () => {
  actions = await startActionsTokenService(platform().ciIssuer, () => claims)
})
afterAll(() => actions.close())
afterEach(() => platform().oauth.reset())

type Format = 'names' | 'ids'

/** The same job's claims with GitHub's immutable subject: `repo:OWNER@OWNER_ID/REPO@REPO_ID:…`. */
function inFormat(format: Format, job: Record<string, unknown>): Record<string, unknown> {
  if (format === 'names') return job
  const sub = String(job.sub).replace(/^repo:([^/]+)\/([^:]+):/, `repo:$1@${job.repository_owner_id}/$2@${job.repository_id}:`)
  return { ...job, sub }
}

async function run(command: typeof AuthCiCheck | typeof Login, argv: string[], extraEnv: Record<string, string> = {}) {
  const env = { CLOWDOPS_API_URL: platform().url, CLOWDOPS_CONFIG_DIR: freshConfigDir(), ...actions.env(), ...extraEnv }
  return runCommand(command, argv, { env, stdin: '' })
}

/** ci-check's verdict, and the exchange's for the same job (login --ci --json), side by side. */
async function verdicts(argv: string[] = []) {
  const check = await run(AuthCiCheck, ['--json', ...argv])
  const login = await run(Login, ['--ci', '--json', ...argv])
  return { check: CiCheck.parse(JSON.parse(check.stdout)), checkExit: check.exitCode, loginExit: login.exitCode, text: check }
}

const BASE_RULE: CiTrustPolicy = { name: 'deploy', audience: 'clowdops', subject: 'repo:acme/payments:ref:refs/heads/main', scopes: ['projects:read'] }
const now = () => Math.floor(Date.now() / 1000)

interface Case {
  claim: string
  rule: CiTrustPolicy
  job: Record<string, unknown>
  argv?: string[]
  fix: RegExp
}

const CASES: Case[] = [
  { claim: 'iss', rule: BASE_RULE, job: { ...GITHUB_CLAIMS, iss: 'https://token.actions.githubusercontent.com' }, fix: /Set the issuer of rule "deploy" to https:\/\/token\.actions/ },
  { claim: 'aud', rule: BASE_RULE, job: GITHUB_CLAIMS, argv: ['--audience', 'someone-else'], fix: /clowdops login --ci --audience clowdops/ },
  {
    claim: 'sub',
    rule: BASE_RULE,
    job: { ...GITHUB_CLAIMS, sub: 'repo:acme/payments:environment:production', environment: 'production' },
    fix: /Set the subject of rule "deploy" to repo:acme\/payments:environment:production/,
  },
  {
    claim: 'repository',
    rule: { ...BASE_RULE, subject: 'repo:acme/*', repository: 'acme/payments' },
    job: { ...GITHUB_CLAIMS, sub: 'repo:acme/payments-v2:ref:refs/heads/main', repository: 'acme/payments-v2' },
    fix: /Run the workflow from acme\/payments\./,
  },
  {
    claim: 'ref',
    rule: { ...BASE_RULE, subject: 'repo:acme/payments:*', ref: 'refs/heads/main' },
    job: { ...GITHUB_CLAIMS, sub: 'repo:acme/payments:ref:refs/heads/feature', ref: 'refs/heads/feature' },
    fix: /Set the ref of rule "deploy" to refs\/heads\/feature/,
  },
  {
    claim: 'environment',
    rule: { ...BASE_RULE, subject: 'repo:acme/payments:*', environment: 'production' },
    job: GITHUB_CLAIMS,
    fix: /give the job `environment: production`/,
  },
]

describe.each<Format>(['names', 'ids'])('auth ci-check with GitHub subjects in the %s format', (format) => {
  it('passes (exit 0) where the exchange accepts the token, with a rule written with names', async () => {
    platform().oauth.trustCiIssuer(BASE_RULE)
    claims = inFormat(format, GITHUB_CLAIMS)
    const { check, checkExit, loginExit, text } = await verdicts()
    expect(loginExit).toBe(0)
    expect(checkExit, text.stderr).toBe(0)
    expect(check).toMatchObject({ passes: true, matched_rule: 'deploy', token: { subject_format: `github_${format}` } })
  })

  it.each(CASES)('a $claim that does not match: named with its fix, exit 4, as the exchange refuses it', async ({ claim, rule, job, argv, fix }) => {
    platform().oauth.trustCiIssuer(rule)
    claims = inFormat(format, job)
    const { check, checkExit, loginExit } = await verdicts(argv)
    expect(loginExit).toBe(4)
    expect(checkExit).toBe(4)
    expect(check.passes).toBe(false)
    expect(check.closest_rule).toBe('deploy')
    const mismatches = check.rules[0]?.mismatches ?? []
    expect(mismatches.map((m) => m.claim)).toEqual([claim])
    expect(mismatches[0]?.fixes.map((f) => f.change).join('\n')).toMatch(fix)
  })

  it('an expired token: exp named, exit 4, as the exchange refuses it', async () => {
    platform().oauth.trustCiIssuer(BASE_RULE)
    claims = inFormat(format, { ...GITHUB_CLAIMS, iat: now() - 900, exp: now() - 300 })
    const { check, checkExit, loginExit } = await verdicts()
    expect([checkExit, loginExit]).toEqual([4, 4])
    expect(check.expired).toMatchObject({ claim: 'exp' })
    expect(check.rules[0]?.passes).toBe(true)
  })
})

describe('auth ci-check and immutable ids', () => {
  const WITH_IDS = 'repo:acme@123456/payments@456789:ref:refs/heads/main'

  it('a rule written with ids accepts the same repository’s token with names', async () => {
    platform().oauth.trustCiIssuer({ ...BASE_RULE, subject: WITH_IDS })
    claims = { ...GITHUB_CLAIMS }
    const { check, checkExit, loginExit } = await verdicts()
    expect([checkExit, loginExit]).toEqual([0, 0])
    expect(check.matched_rule).toBe('deploy')
  })

  it('a rule written with ids refuses a recycled name, says the ids differ, and suggests the subject with the new ids', async () => {
    platform().oauth.trustCiIssuer({ ...BASE_RULE, subject: WITH_IDS })
    claims = { ...GITHUB_CLAIMS, repository_id: '999999', sub: 'repo:acme@123456/payments@999999:ref:refs/heads/main' }
    const { check, checkExit, loginExit, text } = await verdicts()
    expect([checkExit, loginExit]).toEqual([4, 4])
    const [mismatch] = check.rules[0]?.mismatches ?? []
    expect(mismatch?.claim).toBe('sub')
    expect(mismatch?.explanation).toMatch(/ids that differ/)
    expect(mismatch?.fixes[0]?.change).toBe('Set the subject of rule "deploy" to repo:acme@123456/payments@999999:ref:refs/heads/main')
    expect(text.stdout).not.toContain(actions.issued.at(-1))
  })
})

describe('auth ci-check output', () => {
  it('as text: the verdict, the claim, the fix; never the token itself', async () => {
    platform().oauth.trustCiIssuer({ ...BASE_RULE, subject: 'repo:acme/payments:*', environment: 'production' })
    claims = { ...GITHUB_CLAIMS }
    const result = await run(AuthCiCheck, [])
    expect(result.exitCode).toBe(4)
    expect(result.stdout).toContain('The platform would refuse this token.')
    expect(result.stdout).toContain('environment: expected production, token has (none)')
    expect(result.stdout).toContain('fix in the workflow: In the workflow, give the job `environment: production`.')
    for (const secret of [actions.requestToken, ...actions.issued]) expect(result.stdout + result.stderr).not.toContain(secret)
  })

  it('with no rules: says the platform trusts no CI identity, exit 4', async () => {
    claims = { ...GITHUB_CLAIMS }
    const result = await run(AuthCiCheck, [])
    expect(result.exitCode).toBe(4)
    expect(result.stdout).toContain('trusts no CI identity')
  })

  it('GitLab CI: checks the id_tokens variable, and a token that is not a JWT is a usage error', async () => {
    platform().oauth.trustCiIssuer(BASE_RULE)
    const gitlab = { GITHUB_ACTIONS: '', GITLAB_CI: 'true' }
    const idToken = await platform().ciIssuer.sign({ aud: 'gitlab', sub: 'project_path:acme/payments:ref_type:branch:ref:main' })
    const checked = await run(AuthCiCheck, ['--json'], { ...gitlab, CLOWDOPS_ID_TOKEN: idToken })
    expect(checked.exitCode).toBe(4)
    const check = CiCheck.parse(JSON.parse(checked.stdout))
    expect(check.source).toBe('gitlab_ci')
    const aud = check.rules[0]?.mismatches.find((m) => m.claim === 'aud')
    expect(aud?.fixes[0]?.change).toBe('In .gitlab-ci.yml: id_tokens: { CLOWDOPS_ID_TOKEN: { aud: clowdops } }')
    const garbage = await run(AuthCiCheck, ['--json'], { ...gitlab, CLOWDOPS_ID_TOKEN: 'not-a-jwt' })
    expect(garbage.exitCode).toBe(2)
  })
})
