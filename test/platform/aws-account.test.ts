// The simulated AWS account decides sts:AssumeRole as AWS documents it. Each case is written from a documented fact,
// cited beside it; none is taken from a policy simulator's own tests.
import { describe, expect, it } from 'vitest'
import { SimulatedAwsAccount } from './aws-account.js'

const ROLE = 'arn:aws:iam::123456789012:role/ClowdOpsReadOnly'
const PLATFORM = 'arn:aws:iam::555500001111:role/ClowdOpsPlatform'
const EXTERNAL_ID = 'clowdops-issued-id-0001'

function trust(...statements: object[]) {
  return { Version: '2012-10-17', Statement: statements }
}
const allow = (extra: object = {}) => ({ Effect: 'Allow', Principal: { AWS: PLATFORM }, Action: 'sts:AssumeRole', ...extra })
const exactId = { Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } } }

function decide(policy: object, request: { principalArn?: string; externalId?: string; roleArn?: string } = {}) {
  const account = new SimulatedAwsAccount()
  account.putRole(ROLE, policy)
  return account.assumeRole({ roleArn: request.roleArn ?? ROLE, principalArn: request.principalArn ?? PLATFORM, externalId: request.externalId }).allowed
}

describe('sts:AssumeRole against a trust policy', () => {
  // IAM User Guide, "Access to AWS accounts owned by third parties": the role requires the exact external ID.
  it('with StringEquals sts:ExternalId: the issued ID is allowed, another ID and no ID are denied', () => {
    const policy = trust(allow(exactId))
    expect(decide(policy, { externalId: EXTERNAL_ID })).toBe(true)
    expect(decide(policy, { externalId: 'someone-elses-id' })).toBe(false)
    expect(decide(policy)).toBe(false)
  })

  // Condition operators: "If the key that you specify in a policy condition is not present in the request context,
  // the values do not match" — so without any condition the role is open to the principal with or without an ID.
  it('without a condition the principal may assume it with no external ID (the confused deputy)', () => {
    expect(decide(trust(allow()))).toBe(true)
  })

  // StringLike `*` needs the key present but matches any value; Null "false" needs it present.
  it('StringLike "*" and Null false accept any external ID, but still need one', () => {
    for (const condition of [{ StringLike: { 'sts:ExternalId': '*' } }, { Null: { 'sts:ExternalId': 'false' } }, { Null: { 'sts:ExternalId': false } }]) {
      const policy = trust(allow({ Condition: condition }))
      expect(decide(policy, { externalId: 'anything-at-all' }), JSON.stringify(condition)).toBe(true)
      expect(decide(policy), JSON.stringify(condition)).toBe(false)
    }
  })

  // "...IfExists": "If the policy key is present in the context of the request, process the key as specified in the
  // policy. If the key is not present, evaluate the condition element as true."
  it('StringEqualsIfExists lets a call with no external ID through', () => {
    const policy = trust(allow({ Condition: { StringEqualsIfExists: { 'sts:ExternalId': EXTERNAL_ID } } }))
    expect(decide(policy)).toBe(true)
    expect(decide(policy, { externalId: 'wrong-id' })).toBe(false)
  })

  // Policy evaluation logic: an explicit deny overrides any allow. A negated operator is true for a missing key.
  it('an explicit Deny on StringNotEquals beats a broad Allow, for a wrong and a missing ID', () => {
    const policy = trust(allow(), { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringNotEquals: { 'sts:ExternalId': EXTERNAL_ID } } })
    expect(decide(policy, { externalId: EXTERNAL_ID })).toBe(true)
    expect(decide(policy, { externalId: 'wrong-id' })).toBe(false)
    expect(decide(policy)).toBe(false)
  })

  // Principal element: an account id or its root ARN trusts every principal of that account; another account's
  // principal, a service principal, or a role of another name does not match.
  it('matches the principal exactly, or by its account', () => {
    const byAccount = (aws: string) => trust({ ...allow(exactId), Principal: { AWS: aws } })
    expect(decide(byAccount('555500001111'), { externalId: EXTERNAL_ID })).toBe(true)
    expect(decide(byAccount('arn:aws:iam::555500001111:root'), { externalId: EXTERNAL_ID })).toBe(true)
    expect(decide(byAccount('arn:aws:iam::999900001111:root'), { externalId: EXTERNAL_ID })).toBe(false)
    expect(decide(byAccount('arn:aws:iam::555500001111:role/SomeoneElse'), { externalId: EXTERNAL_ID })).toBe(false)
    expect(decide(trust({ ...allow(exactId), Principal: { Service: 'ec2.amazonaws.com' } }), { externalId: EXTERNAL_ID })).toBe(false)
    expect(decide(trust({ ...allow(exactId), Principal: '*' }), { externalId: EXTERNAL_ID })).toBe(true)
  })

  // Action: wildcards, case-insensitive ("action names are not case-sensitive"); NotAction matches what it does not list.
  it('matches actions with wildcards and without regard to case, and honours NotAction', () => {
    expect(decide(trust(allow({ ...exactId, Action: 'sts:*' })), { externalId: EXTERNAL_ID })).toBe(true)
    expect(decide(trust(allow({ ...exactId, Action: ['STS:assumerole'] })), { externalId: EXTERNAL_ID })).toBe(true)
    expect(decide(trust(allow({ ...exactId, Action: 'sts:AssumeRoleWithSAML' })), { externalId: EXTERNAL_ID })).toBe(false)
    const { Action: _action, ...withoutAction } = allow(exactId)
    expect(decide(trust({ ...withoutAction, NotAction: 'sts:TagSession' }), { externalId: EXTERNAL_ID })).toBe(true)
  })

  // Condition keys are case-insensitive; values of StringEquals are case-sensitive, of StringEqualsIgnoreCase not.
  it('reads condition keys case-insensitively and values case-sensitively', () => {
    expect(decide(trust(allow({ Condition: { StringEquals: { 'STS:EXTERNALID': EXTERNAL_ID } } })), { externalId: EXTERNAL_ID })).toBe(true)
    expect(decide(trust(allow(exactId)), { externalId: EXTERNAL_ID.toUpperCase() })).toBe(false)
    expect(decide(trust(allow({ Condition: { StringEqualsIgnoreCase: { 'sts:ExternalId': EXTERNAL_ID } } })), { externalId: EXTERNAL_ID.toUpperCase() })).toBe(true)
  })

  // Several values of one key are ORed; several keys and operators are ANDed.
  it('ORs the values of a key and ANDs the keys', () => {
    const either = trust(allow({ Condition: { StringEquals: { 'sts:ExternalId': ['other-id', EXTERNAL_ID] } } }))
    expect(decide(either, { externalId: EXTERNAL_ID })).toBe(true)
    const both = trust(allow({ Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID, 'aws:PrincipalAccount': '999900001111' } } }))
    expect(decide(both, { externalId: EXTERNAL_ID })).toBe(false)
  })

  // AssumeRole API: a role that does not exist is AccessDenied, like one whose trust policy says no.
  it('denies a role the account does not have', () => {
    expect(decide(trust(allow(exactId)), { externalId: EXTERNAL_ID, roleArn: 'arn:aws:iam::123456789012:role/Missing' })).toBe(false)
  })
})
