// A rule with a shape, checked over generated policies: a document that contains an Allow of "*" on "*" — in any
// statement, whatever else it contains (other statements, Denies, conditions, Sids, a Principal) — is refused.
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadIamActions } from '../../src/adapters/iam-actions.js'
import { checkPolicies } from '../../src/core/credentials/policy-check.js'
import type { IamActionCatalog } from '../../src/core/credentials/policy-lint.js'
import { blockingFindings } from '../../src/core/credentials/provider.js'

const SERVICES = ['ec2', 'iam', 's3', 'sts', 'kms', 'cloudwatch']
let catalog: IamActionCatalog
beforeAll(async () => {
  catalog = await loadIamActions(SERVICES)
})

const action = fc.constantFrom<string>('ec2:DescribeInstances', 'ec2:Describe*', 's3:GetObject', 's3:ListBucket', 'iam:*', 'sts:AssumeRole', 'cloudwatch:GetMetricData', 'kms:Decrypt', '*')
const resource = fc.constantFrom('*', 'arn:aws:s3:::reports/*', 'arn:aws:iam::123456789012:role/Reader', 'arn:aws:ec2:*:*:instance/*')
const oneOrMany = <T>(item: fc.Arbitrary<T>) => fc.oneof(item, fc.array(item, { minLength: 1, maxLength: 3 }))
const principal = fc.constantFrom<unknown>('*', { AWS: 'arn:aws:iam::111122223333:role/ClowdOpsAgent' }, { Service: 'ec2.amazonaws.com' })
const condition = fc.constantFrom<unknown>(
  { StringEquals: { 'sts:ExternalId': 'cx-1' } },
  { Bool: { 'aws:SecureTransport': 'true' } },
  { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
  { StringLike: { 'aws:PrincipalArn': '*' } },
)
const sid = fc.constantFrom('Read', 'Admin', 'bad sid!', 'Read')

/** Any statement of the shapes a real policy has: Allow or Deny, optional Sid, Principal and Condition. */
const statement = fc.record(
  { Sid: sid, Effect: fc.constantFrom('Allow', 'Deny'), Action: oneOrMany(action), Resource: oneOrMany(resource), Principal: principal, Condition: condition },
  { requiredKeys: ['Effect', 'Action', 'Resource'] },
)

/** An Allow of "*" on "*", perhaps among other actions and resources, perhaps with a Sid, Principal or Condition. */
const adminStatement = fc.record(
  {
    Sid: sid,
    Effect: fc.constant('Allow'),
    Action: fc.oneof(fc.constant('*'), fc.array(action, { maxLength: 2 }).map((more) => [...more, '*'])),
    Resource: fc.oneof(fc.constant('*'), fc.array(resource, { maxLength: 2 }).map((more) => ['*', ...more])),
    Principal: principal,
    Condition: condition,
  },
  { requiredKeys: ['Effect', 'Action', 'Resource'] },
)

const policy = fc
  .tuple(fc.array(statement, { maxLength: 4 }), adminStatement, fc.nat(), fc.constantFrom<string | undefined>('2012-10-17', '2008-10-17', undefined))
  .map(([others, admin, at, Version]) => {
    const Statement: Array<Record<string, unknown>> = [...others]
    Statement.splice(at % (others.length + 1), 0, admin)
    return Version === undefined ? { Statement } : { Version, Statement }
  })

describe('Allow "*" on "*"', () => {
  it('is refused in any policy that contains it', async () => {
    await fc.assert(
      fc.asyncProperty(policy, async (document) => {
        const findings = await checkPolicies([{ name: 'generated.json', text: JSON.stringify(document) }], async () => catalog)
        expect(blockingFindings(findings).length).toBeGreaterThan(0)
      }),
      { numRuns: 300 },
    )
  })

  it('is refused as administrator access when it names no Principal, whatever the rest says', async () => {
    const identityAdmin = fc.tuple(fc.array(statement, { maxLength: 4 }), adminStatement).map(([others, admin]) => {
      const { Principal: _ignored, ...withoutPrincipal } = admin
      return { Version: '2012-10-17', Statement: [...others, withoutPrincipal] }
    })
    await fc.assert(
      fc.asyncProperty(identityAdmin, async (document) => {
        const findings = await checkPolicies([{ name: 'generated.json', text: JSON.stringify(document) }], async () => catalog)
        expect(blockingFindings(findings).map((f) => f.rule)).toContain('policy.admin')
      }),
      { numRuns: 300 },
    )
  })
})
