// Each policy-lint rule alone, through its own check (no other rule runs): a statement that trips it and near misses
// that do not. Every row of the rule tables must have a case here. Then the runner that applies the tables.
import { describe, expect, it } from 'vitest'
import {
  type IamAction,
  DOCUMENT_RULES,
  type IamActionCatalog,
  type IamConditionKey,
  PERMISSIONS_POLICY_RULES,
  PERMISSIONS_RULES,
  type PolicyRule,
  readPermissions,
  readConditions,
  readDocument,
  CONDITION_RULES,
  readTrust,
  runRules,
  type StatementRule,
  TRUST_RULES,
} from '../../src/core/credentials/policy-lint.js'

const action = (service: string, name: string, accessLevel: string, takesResource: boolean, conditionKeys: string[] = []): IamAction => ({
  service,
  name,
  accessLevel,
  takesResource,
  conditionKeys,
})

/** A few actions with the metadata the rules read; `nosuchservice` is a prefix AWS does not have, others are not loaded. */
const LOADED: Record<string, IamAction[]> = {
  ec2: [action('ec2', 'DescribeInstances', 'List', false), action('ec2', 'RunInstances', 'Write', true)],
  s3: [
    action('s3', 'GetObject', 'Read', true, ['s3:ExistingObjectTag/<key>']),
    action('s3', 'ListBucket', 'List', true),
    action('s3', 'PutObject', 'Write', true),
    action('s3', 'PutBucketPolicy', 'Permissions management', true),
  ],
  sts: [action('sts', 'AssumeRole', 'Write', true), action('sts', 'GetSessionToken', 'Read', false)],
  // AWS's metadata files these under Permissions management: a read of who has access, and the write that changes it.
  quicksight: [
    action('quicksight', 'DescribeDashboardPermissions', 'Permissions management', true),
    action('quicksight', 'UpdateDashboardPermissions', 'Permissions management', true),
  ],
  datazone: [action('datazone', 'GetIamPortalLoginUrl', 'Permissions management', true)],
}
/** Condition keys with the types the AWS metadata gives them; `aws` holds the global keys. */
const KEYS: Record<string, IamConditionKey[]> = {
  aws: [
    { key: 'aws:SourceIp', type: 'IPAddress' },
    { key: 'aws:SecureTransport', type: 'Bool' },
    { key: 'aws:CurrentTime', type: 'Date' },
    { key: 'aws:MultiFactorAuthAge', type: 'Numeric' },
    { key: 'aws:PrincipalArn', type: 'ARN' },
    { key: 'aws:RequestTag/${TagKey}', type: 'String' },
    { key: 'aws:TagKeys', type: 'ArrayOfString' },
  ],
  s3: [
    { key: 's3:ExistingObjectTag/<key>', type: 'String' },
    { key: 's3:x-amz-acl', type: 'String' },
  ],
}
const CATALOG: IamActionCatalog = {
  actions: (service) => (service === 'nosuchservice' ? 'unknown' : LOADED[service]),
  conditionKeys: (service) => KEYS[service],
}

const BUCKET = 'arn:aws:s3:::bucket'
const ROLE = 'arn:aws:iam::123456789012:role/Reader'
const ACCOUNT = { AWS: 'arn:aws:iam::111122223333:role/ClowdOpsAgent' }
const allow = (Action: unknown, Resource: unknown = '*') => ({ Sid: 'Test', Effect: 'Allow', Action, Resource })

/** Statements that trip a rule, each with text its message must contain, and near misses it must let pass. */
interface Case {
  trips: Array<[statement: Record<string, unknown>, says: string]>
  nearMisses: Array<Record<string, unknown>>
}

const permission = (statement: Record<string, unknown>) => readPermissions({ Statement: [statement] }, CATALOG)[0]!
const trust = (statement: Record<string, unknown>) => readTrust({ Statement: [statement] })[0]!

function expectStatementRule<S>(rule: StatementRule<S>, read: (statement: Record<string, unknown>) => S, { trips, nearMisses }: Case) {
  for (const [statement, says] of trips) {
    expect(rule.check(read(statement))?.message, JSON.stringify(statement)).toContain(says)
  }
  for (const statement of nearMisses) expect(rule.check(read(statement)), JSON.stringify(statement)).toBeUndefined()
}

const PERMISSIONS_CASES: Record<string, Case> = {
  'allow-not-action': {
    trips: [[{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }, 'allows every action except iam:* (NotAction with Allow)']],
    nearMisses: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }],
  },
  'allow-not-resource': {
    trips: [[{ Effect: 'Allow', Action: 'ec2:DescribeInstances', NotResource: 'arn:aws:ec2:*:*:instance/i-1' }, 'every resource except arn:aws:ec2:*:*:instance/i-1']],
    nearMisses: [{ Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: 'arn:aws:ec2:*:*:instance/i-1' }],
  },
  admin: {
    trips: [[allow('*'), '"*" on "*": full administrator access']],
    nearMisses: [allow('*', BUCKET), allow('s3:*')],
  },
  'wildcard-action': {
    trips: [
      [allow('s3:*', BUCKET), 'every action of a service (s3:*)'],
      [allow('*', BUCKET), 'every action ("*")'],
    ],
    // `*` on `*` is policy.admin's.
    nearMisses: [allow('s3:Get*'), allow('*')],
  },
  'unknown-action': {
    trips: [
      [allow(['ec2:DescribeInstances', 'ec2:DescribeInstancez']), 'names actions AWS does not have: ec2:DescribeInstancez.'],
      [allow('nosuchservice:Get'), 'nosuchservice:Get'],
      [allow('noprefix'), 'noprefix'],
    ],
    // A service whose metadata is not loaded cannot be judged.
    nearMisses: [allow(['ec2:DescribeInstances', 'ec2:Describe*', 's3:?ut*', '*']), allow('notloaded:Anything')],
  },
  'resource-exposure': {
    trips: [
      [allow('s3:Put*', BUCKET), 'can change who may access resources: s3:PutBucketPolicy.'],
      [allow('quicksight:*DashboardPermissions', BUCKET), 'quicksight:UpdateDashboardPermissions.'],
      // A read that hands out a sign-in URL gives access.
      [allow('datazone:GetIamPortalLoginUrl', BUCKET), 'datazone:GetIamPortalLoginUrl.'],
    ],
    // A plain write; a read AWS files under Permissions management (it changes no access); "*", which policy.admin or
    // policy.wildcard-action reports; and an action an unconditional Deny on * removes.
    nearMisses: [
      allow('s3:PutObject', BUCKET),
      allow('quicksight:DescribeDashboardPermissions', BUCKET),
      allow(['*', 's3:PutBucketPolicy'], BUCKET),
    ],
  },
  'credential-exposure': {
    trips: [
      [allow('sts:GetSessionToken', BUCKET), 'return credentials: sts:GetSessionToken.'],
      [allow('sts:AssumeRole'), 'sts:AssumeRole'],
    ],
    // Assuming one named role is what roles are for.
    nearMisses: [allow('sts:AssumeRole', ROLE), allow('s3:GetObject'), allow('*', BUCKET)],
  },
  'data-exfiltration': {
    trips: [
      [allow('s3:GetObject'), 'reading data contents on every resource: s3:GetObject.'],
      [allow('s3:Get*', 'arn:aws:s3:::*/*'), 's3:GetObject, s3:GetObjectVersion'],
    ],
    nearMisses: [allow('s3:GetObject', 'arn:aws:s3:::reports/*'), allow('s3:ListBucket'), allow('*')],
  },
  'resource-star': {
    trips: [[allow(['s3:ListBucket', 'ec2:DescribeInstances']), 'that can be limited to specific resources: s3:ListBucket.']],
    // Named resources; an action that takes none; wildcards (policy.admin's and policy.wildcard-action's).
    nearMisses: [allow('s3:ListBucket', BUCKET), allow('ec2:DescribeInstances'), allow(['s3:*', 's3:ListBucket']), allow(['*', 's3:ListBucket'])],
  },
}

const TRUST_CASES: Record<string, Case> = {
  'allow-not-principal': {
    trips: [[{ Sid: 'T', Effect: 'Allow', NotPrincipal: ACCOUNT, Action: 'sts:AssumeRole' }, 'trusts every principal except those named']],
    nearMisses: [{ Effect: 'Allow', Principal: ACCOUNT, Action: 'sts:AssumeRole' }],
  },
  'allow-not-action': {
    trips: [[{ Effect: 'Allow', Principal: ACCOUNT, NotAction: 'sts:TagSession' }, 'allows every action except sts:TagSession']],
    nearMisses: [{ Effect: 'Allow', Principal: ACCOUNT, Action: 'sts:AssumeRole' }],
  },
  'trust-action': {
    trips: [
      [{ Effect: 'Allow', Principal: ACCOUNT, Action: '*' }, 'names a Principal and allows *'],
      [{ Effect: 'Allow', Principal: ACCOUNT, Action: ['sts:AssumeRole', 's3:GetObject'] }, 'allows s3:GetObject'],
      [{ Effect: 'Allow', Principal: ACCOUNT, Action: 'sts:*' }, 'allows sts:*'],
    ],
    nearMisses: [
      { Effect: 'Allow', Principal: ACCOUNT, Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] },
      { Effect: 'Allow', Principal: { Federated: 'cognito-identity.amazonaws.com' }, Action: 'sts:AssumeRoleWithWebIdentity' },
    ],
  },
  'public-principal': {
    trips: [
      [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }, 'trusts "*"'],
      [{ Effect: 'Allow', Principal: { AWS: [ACCOUNT.AWS, '*'] }, Action: 'sts:AssumeRole' }, 'anyone in any AWS account'],
    ],
    nearMisses: [
      { Effect: 'Allow', Principal: ACCOUNT, Action: 'sts:AssumeRole' },
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  },
  'missing-external-id': {
    trips: [
      [{ Effect: 'Allow', Principal: ACCOUNT, Action: 'sts:AssumeRole' }, 'without an sts:ExternalId condition'],
      [{ Effect: 'Allow', Principal: ACCOUNT, Action: 'sts:*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } }, 'confused deputy'],
    ],
    nearMisses: [
      { Effect: 'Allow', Principal: ACCOUNT, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'cx-1234' } } },
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      { Effect: 'Allow', Principal: ACCOUNT, Action: 'sts:TagSession' },
    ],
  },
}

const TRUST_STATEMENT = { Sid: 'Trust', Effect: 'Allow', Principal: ACCOUNT, Action: 'sts:AssumeRole' }

const DOCUMENT_CASES: Record<string, Case> = {
  'mixed-kinds': {
    trips: [[{ Statement: [allow('*'), TRUST_STATEMENT] }, 'statement "Trust" (#2) names a Principal']],
    nearMisses: [{ Statement: [allow('s3:GetObject'), allow('s3:ListBucket')] }, { Statement: [TRUST_STATEMENT] }],
  },
  // AWS IAM User Guide, Version element: without it, policy variables are literal text.
  'missing-version': {
    trips: [[{ Statement: [allow('s3:GetObject')] }, 'has no Version']],
    nearMisses: [{ Version: '2012-10-17', Statement: [allow('s3:GetObject')] }],
  },
  'old-version': {
    trips: [[{ Version: '2008-10-17', Statement: [allow('s3:GetObject')] }, 'old Version "2008-10-17"']],
    nearMisses: [{ Version: '2012-10-17', Statement: [allow('s3:GetObject')] }],
  },
  // AWS IAM User Guide, Sid element: IAM accepts ASCII letters and digits.
  'invalid-sid': {
    trips: [
      [{ Statement: [{ ...allow('s3:GetObject'), Sid: 'read-objects' }] }, 'statement "read-objects" (#1) has a Sid IAM does not accept'],
      [{ Statement: [{ ...allow('s3:GetObject'), Sid: 7 }] }, 'statement #1 has a Sid'],
    ],
    nearMisses: [{ Statement: [{ ...allow('s3:GetObject'), Sid: 'ReadObjects2' }] }, { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }],
  },
  'duplicate-sid': {
    trips: [[{ Statement: [allow('s3:GetObject'), allow('s3:ListBucket')] }, 'share the Sid "Test"']],
    nearMisses: [{ Statement: [allow('s3:GetObject'), { ...allow('s3:ListBucket'), Sid: 'Other' }] }],
  },
}

/** Condition blocks that trip a condition rule (on an s3:GetObject statement), and near misses. */
const conditioned = (Condition: unknown, Action: unknown = 's3:GetObject') => ({ ...allow(Action, BUCKET), Condition })
const CONDITION_CASES: Record<string, Case> = {
  // AWS IAM User Guide, condition operators: the operator names, IfExists, ForAnyValue:/ForAllValues:.
  'unknown-operator': {
    trips: [
      [conditioned({ StringEqual: { 's3:ExistingObjectTag/env': 'prod' } }), '"StringEqual"'],
      [conditioned({ NullIfExists: { 'aws:SourceIp': 'true' } }), '"NullIfExists"'],
      [conditioned({ StringEquals: 'prod' }), 'a block that is not {"key": value}'],
    ],
    nearMisses: [
      conditioned({ StringEqualsIfExists: { 's3:ExistingObjectTag/env': 'prod' } }),
      conditioned({ 'ForAnyValue:StringLike': { 'aws:TagKeys': 'team*' } }),
      conditioned({ Null: { 'aws:SourceIp': 'false' } }),
    ],
  },
  // parliament MISMATCHED_TYPE: an operator of another type than the key, or a value the operator cannot compare.
  'operator-type-mismatch': {
    trips: [
      [conditioned({ Bool: { 'aws:SecureTransport': 'yes' } }), 'Bool on aws:SecureTransport with "yes"'],
      [conditioned({ Null: { 'aws:SourceIp': 'maybe' } }), 'Null on aws:SourceIp with "maybe"'],
      [conditioned({ DateGreaterThan: { 'aws:CurrentTime': 'tomorrow' } }), 'with "tomorrow"'],
      [conditioned({ NumericLessThan: { 'aws:MultiFactorAuthAge': 'an hour' } }), 'with "an hour"'],
      [conditioned({ IpAddress: { 'aws:SourceIp': 'office' } }), 'with "office"'],
      [conditioned({ StringEquals: { 'aws:SourceIp': '203.0.113.0/24' } }), 'StringEquals on aws:SourceIp, a IPAddress key'],
      [conditioned({ ArnLike: { 's3:ExistingObjectTag/env': 'arn:aws:s3:::*' } }), 'ArnLike on s3:ExistingObjectTag/env, a String key'],
    ],
    nearMisses: [
      conditioned({ Bool: { 'aws:SecureTransport': 'true' } }),
      conditioned({ Bool: { 'aws:SecureTransport': true } }),
      conditioned({ IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } }),
      conditioned({ DateGreaterThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' } }),
      conditioned({ NumericLessThan: { 'aws:MultiFactorAuthAge': 3600 } }),
      conditioned({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/*' } }),
      conditioned({ StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/*' } }),
    ],
  },
  // parliament UNKNOWN_CONDITION_FOR_ACTION: a service key the action does not support never matches.
  'unknown-condition-key': {
    trips: [
      [conditioned({ StringEquals: { 's3:x-amz-acl': 'private' } }), '"s3:x-amz-acl"'],
      [conditioned({ StringEquals: { 'aws:SourceAddress': '203.0.113.7' } }), '"aws:SourceAddress"'],
    ],
    nearMisses: [
      conditioned({ StringEquals: { 's3:ExistingObjectTag/env': 'prod' } }),
      conditioned({ StringEquals: { 'aws:RequestTag/env': 'prod' } }),
      // Condition key names are not case-sensitive (AWS IAM User Guide, Condition element).
      conditioned({ IpAddress: { 'aws:SOURCEIP': '203.0.113.7' } }),
      // Not loaded: nothing to judge by.
      conditioned({ StringEquals: { 'notloaded:Key': 'x' } }, 'notloaded:Get'),
    ],
  },
}

describe('permissions rules', () => {
  it('have one case each, in table order', () => {
    expect(Object.keys(PERMISSIONS_CASES)).toEqual(PERMISSIONS_RULES.map((rule) => rule.id))
  })

  it.each(PERMISSIONS_RULES.map((rule) => [rule.id, rule] as const))('%s trips on its case and not on its near misses', (id, rule) => {
    expectStatementRule(rule, permission, PERMISSIONS_CASES[id]!)
  })

  it('data-exfiltration says when it reports reads we added to cloudsplaining list', () => {
    const rule = PERMISSIONS_RULES.find((r) => r.id === 'data-exfiltration')!
    expect(rule.check(permission(allow('s3:GetObject')))?.sourceDetail).toBeUndefined()
    expect(rule.check(permission(allow(['s3:GetObject', 'kms:Decrypt'])))?.sourceDetail).toBe(' (extended by clowdops)')
  })
})

describe('privilege-escalation (a policy rule: the actions of a set may come from several statements)', () => {
  const [rule] = PERMISSIONS_POLICY_RULES as [PolicyRule<ReturnType<typeof permission>>]
  const check = (...statements: Array<Record<string, unknown>>) => rule.check(readPermissions({ Statement: statements }, CATALOG))

  it('is the only policy rule', () => {
    expect(PERMISSIONS_POLICY_RULES.map((r) => r.id)).toEqual(['privilege-escalation'])
  })

  it('trips on a whole set across statements, naming them, the set and the method', () => {
    const hits = check({ Sid: 'Pass', Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }, { Sid: 'Run', Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*' })
    expect(hits).toEqual([
      {
        message: 'statement "Pass" (#1) and statement "Run" (#2) allow iam:PassRole + ec2:RunInstances: privilege escalation (CreateEC2WithExistingIP).',
        fix: 'Remove iam:PassRole, or limit it to the one role ARN it needs with an iam:PassedToService condition; the agent needs neither.',
        sourceDetail: ' (CreateEC2WithExistingIP); IAM Access Analyzer: PASS_ROLE_WITH_STAR_IN_RESOURCE',
      },
    ])
    expect(check(allow('iam:CreateAccessKey', BUCKET)).map((h) => h.message)).toEqual([
      'statement "Test" (#1) allows iam:CreateAccessKey: privilege escalation (CreateAccessKey).',
    ])
  })

  it('lets pass a set not wholly allowed, a role named exactly, and "*" (policy.admin or wildcard-action report that)', () => {
    expect(check(allow('iam:PassRole'))).toEqual([])
    expect(check(allow('iam:PassRole', ROLE), allow('ec2:RunInstances'))).toEqual([])
    expect(check(allow('*'))).toEqual([])
  })
})

describe('trust rules', () => {
  it('have one case each, in table order', () => {
    expect(Object.keys(TRUST_CASES)).toEqual(TRUST_RULES.map((rule) => rule.id))
  })

  it.each(TRUST_RULES.map((rule) => [rule.id, rule] as const))('%s trips on its case and not on its near misses', (id, rule) => {
    expectStatementRule(rule, trust, TRUST_CASES[id]!)
  })
})

describe.each([
  ['document', DOCUMENT_RULES, DOCUMENT_CASES, (d: Record<string, unknown>) => readDocument(d)],
  ['condition', CONDITION_RULES, CONDITION_CASES, (s: Record<string, unknown>) => readConditions({ Statement: [s] }, CATALOG)[0]!],
] as const)('%s rules', (_, rules, cases, read) => {
  it('have one case each, in table order', () => {
    expect(Object.keys(cases)).toEqual(rules.map((rule) => rule.id))
  })

  it.each(rules.map((rule) => [rule.id, rule] as const))('%s trips on its case and not on its near misses', (id, rule) => {
    expectStatementRule(rule as StatementRule<unknown>, read, cases[id]!)
  })
})

describe('runRules', () => {
  const hit = (message: string) => ({ message, fix: 'do this' })
  const long: StatementRule<string> = { id: 'long', severity: 'warning', source: 'ref L', check: (s) => (s.length > 3 ? hit(`${s} is long`) : undefined) }
  const stop: StatementRule<string> = { id: 'stop', severity: 'error', source: 'ref S', exclusive: true, check: (s) => (s.startsWith('x') ? hit(`${s} stops`) : undefined) }
  const seen: PolicyRule<string> = { id: 'seen', severity: 'error', source: 'ref P', check: (all) => [{ ...hit(all.join(',')), sourceDetail: ' (detail)' }] }

  it('gives findings statement by statement in table order, then the policy rules, sources extended by the detail', () => {
    expect(runRules(['abcd', 'ab'], [long, stop], [seen])).toEqual([
      { rule: 'policy.long', severity: 'warning', message: 'abcd is long', fix: 'do this', source: 'ref L' },
      { rule: 'policy.seen', severity: 'error', message: 'abcd,ab', fix: 'do this', source: 'ref P (detail)' },
    ])
  })

  it('stops at an exclusive rule and keeps its statement out of the policy rules', () => {
    expect(runRules(['xyzzy', 'abcd'], [stop, long], [seen]).map((f) => f.message)).toEqual(['xyzzy stops', 'abcd is long', 'abcd'])
    // Rules before the exclusive one still report.
    expect(runRules(['xyzzy'], [long, stop], [seen]).map((f) => f.message)).toEqual(['xyzzy is long', 'xyzzy stops', ''])
  })
})

describe('rule tables', () => {
  it.each([
    ['permissions', [...PERMISSIONS_RULES, ...PERMISSIONS_POLICY_RULES]],
    ['trust', TRUST_RULES],
    ['document', DOCUMENT_RULES],
    ['condition', CONDITION_RULES],
  ] as const)('%s: ids are unique kebab-case and every rule names its source', (_, rules) => {
    const ids = rules.map((rule) => rule.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const rule of rules) {
      expect(rule.id).toMatch(/^[a-z]+(-[a-z]+)*$/)
      expect(rule.source).toMatch(/^(cloudsplaining|parliament|IAM Access Analyzer|AWS IAM User Guide): /)
    }
  })
})
