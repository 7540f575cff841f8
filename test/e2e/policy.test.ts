// `credentials lint --policy FILE` with the built CLI: the IAM policy lint refuses an escalation policy (exit 10, the
// finding in --json) and passes a read-only one, without signing in or a platform.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LintResult } from '../../src/core/credentials/register.js'
import { runCli } from '../support/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'clowdops-policy-'))
function policyFile(name: string, document: unknown): string {
  const path = join(dir, name)
  writeFileSync(path, JSON.stringify(document))
  return path
}

const ROLE = 'role_arn=arn:aws:iam::123456789012:role/ClowdOpsReadOnly'
const lint = (file: string, ...extra: string[]) => runCli(['credentials', 'lint', 'aws-role', '--field', ROLE, '--policy', file, '--json', ...extra])

describe('credentials lint --policy', () => {
  it('refuses iam:PassRole on * plus ec2:RunInstances with the escalation rule (exit 10)', async () => {
    const file = policyFile('escalation.json', {
      Version: '2012-10-17',
      Statement: [{ Sid: 'Launch', Effect: 'Allow', Action: ['iam:PassRole', 'ec2:RunInstances'], Resource: '*' }],
    })
    const result = await lint(file)
    expect(result.code, result.stderr).toBe(10)
    const output = LintResult.parse(JSON.parse(result.stdout))
    expect(output.refused).toBe(true)
    expect(output.findings).toContainEqual(expect.objectContaining({ rule: 'policy.privilege-escalation', severity: 'error' }))
  })

  it('passes a read-only policy (exit 0)', async () => {
    const file = policyFile('read-only.json', {
      Version: '2012-10-17',
      Statement: [{ Sid: 'Observe', Effect: 'Allow', Action: ['ec2:Describe*', 'cloudwatch:GetMetricData'], Resource: '*' }],
    })
    const result = await lint(file)
    expect(result.code, result.stderr).toBe(0)
    const output = LintResult.parse(JSON.parse(result.stdout))
    expect(output.refused).toBe(false)
    expect(output.findings.filter((f) => f.severity === 'error')).toEqual([])
  })

  it('--policy on a provider without IAM policies is a usage error (exit 2)', async () => {
    const file = policyFile('any.json', { Statement: [] })
    const result = await runCli(['credentials', 'lint', 'slack', '--field', 'channel=#ops', '--policy', file, '--json'])
    expect(result.code).toBe(2)
  })
})
