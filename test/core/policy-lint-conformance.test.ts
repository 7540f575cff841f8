// Conformance: our own table of policies, each with the verdict a public reference gives it, and whether the lint
// agrees. The policies are composed here from the documented rules (none is copied from the references' suites);
// each row cites the rule it follows:
//   cloudsplaining (salesforce/cloudsplaining, shared/constants.py as of 2026): PRIVILEGE_ESCALATION_METHODS with the
//     pathfinding.cloud path ids, ACTIONS_THAT_RETURN_CREDENTIALS, READ_ONLY_DATA_EXFILTRATION_ACTIONS, ServiceWildcard,
//     ResourceExposure (access level "Permissions management"), AssumableByAnyPrincipal.
//   parliament (duo-labs/parliament, config.yaml finding ids as of 2026).
// A row says which of our rules stands for the reference's finding and whether the reference reports it.
import { beforeAll, describe, expect, it } from 'vitest'
import { loadIamActions } from '../../src/adapters/iam-actions.js'
import { lintPolicy, lintPolicyText, policyKind, policyServices } from '../../src/core/credentials/policy-lint.js'

interface Row {
  reference: string
  document: unknown
  rule: string
  reported: boolean
}

const V = '2012-10-17'
const onStar = (...Action: string[]) => ({ Version: V, Statement: [{ Effect: 'Allow', Action, Resource: '*' }] })
const on = (Resource: string, ...Action: string[]) => ({ Version: V, Statement: [{ Effect: 'Allow', Action, Resource }] })
const trust = (Principal: unknown, Condition?: unknown) => ({
  Version: V,
  Statement: [{ Effect: 'Allow', Principal, Action: 'sts:AssumeRole', ...(Condition ? { Condition } : {}) }],
})
const conditioned = (Condition: unknown) => ({ Version: V, Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*', Condition }] })
const ACCOUNT = { AWS: 'arn:aws:iam::111122223333:role/ClowdOpsAgent' }

const ESCALATION = 'policy.privilege-escalation'
const ROWS: Row[] = [
  // cloudsplaining PrivilegeEscalation: every action of a method allowed escalates; a method short of one action does not.
  { reference: 'cloudsplaining PrivilegeEscalation CreateAccessKey (iam-002)', document: onStar('iam:CreateAccessKey'), rule: ESCALATION, reported: true },
  { reference: 'cloudsplaining PrivilegeEscalation AttachRolePolicy (iam-009), no sts:AssumeRole', document: onStar('iam:AttachRolePolicy'), rule: ESCALATION, reported: true },
  { reference: 'cloudsplaining PrivilegeEscalation UpdateRolePolicyToAssumeIt (iam-012)', document: onStar('iam:UpdateAssumeRolePolicy'), rule: ESCALATION, reported: true },
  { reference: 'cloudsplaining PrivilegeEscalation CreateEC2WithExistingIP (ec2-001)', document: onStar('iam:PassRole', 'ec2:RunInstances'), rule: ESCALATION, reported: true },
  { reference: 'cloudsplaining PrivilegeEscalation PassExistingRoleToNewEC2SpotInstance (ec2-003)', document: onStar('iam:PassRole', 'ec2:RequestSpotInstances'), rule: ESCALATION, reported: true },
  { reference: 'cloudsplaining PrivilegeEscalation PassExistingRoleToNewECSTaskViaStartTask (ecs-005)', document: onStar('iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:StartTask'), rule: ESCALATION, reported: true },
  { reference: 'cloudsplaining PrivilegeEscalation PassExistingRoleToNewCodeBuildProjectThenBuildBatch (codebuild-004)', document: onStar('iam:PassRole', 'codebuild:CreateProject', 'codebuild:StartBuildBatch'), rule: ESCALATION, reported: true },
  { reference: 'cloudsplaining PrivilegeEscalation PassExistingRoleToNewSageMakerProcessingJob (sagemaker-003)', document: onStar('iam:PassRole', 'sagemaker:CreateProcessingJob'), rule: ESCALATION, reported: true },
  { reference: 'cloudsplaining PrivilegeEscalation CreatePresignedSageMakerNotebookUrl (sagemaker-004)', document: onStar('sagemaker:CreatePresignedNotebookInstanceUrl'), rule: ESCALATION, reported: true },
  { reference: 'cloudsplaining PrivilegeEscalation ExecuteCloudFormationChangeSet (cloudformation-005)', document: onStar('cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet'), rule: ESCALATION, reported: true },
  { reference: 'cloudsplaining PrivilegeEscalation ModifyExistingEC2LaunchTemplate (ec2-004)', document: onStar('ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate'), rule: ESCALATION, reported: true },
  { reference: 'cloudsplaining PrivilegeEscalation UpdateLambdaFunctionAndAddPermission (lambda-005)', document: onStar('lambda:UpdateFunctionCode', 'lambda:AddPermission'), rule: ESCALATION, reported: true },
  { reference: 'cloudsplaining PrivilegeEscalation PassExistingRoleToNewBedrockCodeInterpreter (bedrock-001)', document: onStar('iam:PassRole', 'bedrock-agentcore:CreateCodeInterpreter', 'bedrock-agentcore:StartCodeInterpreterSession', 'bedrock-agentcore:InvokeCodeInterpreter'), rule: ESCALATION, reported: true },
  { reference: 'cloudsplaining PrivilegeEscalation: an ECS method short of RunTask/StartTask/CreateService', document: onStar('iam:PassRole', 'ecs:RegisterTaskDefinition'), rule: ESCALATION, reported: false },
  { reference: 'cloudsplaining PrivilegeEscalation: ec2:StopInstances + StartInstances without ModifyInstanceAttribute', document: onStar('ec2:StopInstances', 'ec2:StartInstances'), rule: ESCALATION, reported: false },
  { reference: 'cloudsplaining PrivilegeEscalation: read-only IAM', document: onStar('iam:GetRole', 'iam:ListRoles'), rule: ESCALATION, reported: false },

  // cloudsplaining CredentialsExposure (ACTIONS_THAT_RETURN_CREDENTIALS).
  { reference: 'cloudsplaining CredentialsExposure ecr:GetAuthorizationToken', document: onStar('ecr:GetAuthorizationToken'), rule: 'policy.credential-exposure', reported: true },
  { reference: 'cloudsplaining CredentialsExposure license-manager:GetAccessToken', document: onStar('license-manager:GetAccessToken'), rule: 'policy.credential-exposure', reported: true },
  { reference: 'cloudsplaining CredentialsExposure redshift:GetClusterCredentials', document: onStar('redshift:GetClusterCredentials'), rule: 'policy.credential-exposure', reported: true },
  { reference: 'cloudsplaining CredentialsExposure: ecr:DescribeRepositories returns none', document: onStar('ecr:DescribeRepositories'), rule: 'policy.credential-exposure', reported: false },

  // cloudsplaining DataExfiltration (READ_ONLY_DATA_EXFILTRATION_ACTIONS, unconstrained).
  { reference: 'cloudsplaining DataExfiltration s3:GetObject', document: onStar('s3:GetObject'), rule: 'policy.data-exfiltration', reported: true },
  { reference: 'cloudsplaining DataExfiltration secretsmanager:GetSecretValue', document: onStar('secretsmanager:GetSecretValue'), rule: 'policy.data-exfiltration', reported: true },
  { reference: 'cloudsplaining DataExfiltration: s3:GetObject on one bucket is constrained', document: on('arn:aws:s3:::reports/*', 's3:GetObject'), rule: 'policy.data-exfiltration', reported: false },

  // cloudsplaining ServiceWildcard.
  { reference: 'cloudsplaining ServiceWildcard s3:*', document: on('arn:aws:s3:::reports', 's3:*'), rule: 'policy.wildcard-action', reported: true },
  { reference: 'cloudsplaining ServiceWildcard: s3:Get* is not a service wildcard', document: on('arn:aws:s3:::reports/*', 's3:Get*'), rule: 'policy.wildcard-action', reported: false },

  // cloudsplaining ResourceExposure (Permissions management that changes access).
  { reference: 'cloudsplaining ResourceExposure s3:PutBucketPolicy', document: onStar('s3:PutBucketPolicy'), rule: 'policy.resource-exposure', reported: true },
  { reference: 'cloudsplaining ResourceExposure kms:PutKeyPolicy', document: onStar('kms:PutKeyPolicy'), rule: 'policy.resource-exposure', reported: true },
  { reference: 'cloudsplaining ResourceExposure: s3:PutObject is a plain write', document: on('arn:aws:s3:::reports/*', 's3:PutObject'), rule: 'policy.resource-exposure', reported: false },

  // cloudsplaining AssumableByAnyPrincipal.
  { reference: 'cloudsplaining AssumableByAnyPrincipal Principal "*"', document: trust('*'), rule: 'policy.public-principal', reported: true },
  { reference: 'cloudsplaining AssumableByAnyPrincipal: one named role', document: trust(ACCOUNT, { StringEquals: { 'sts:ExternalId': 'cx-1' } }), rule: 'policy.public-principal', reported: false },

  // parliament.
  { reference: 'parliament RESOURCE_STAR s3:ListBucket on *', document: onStar('s3:ListBucket'), rule: 'policy.resource-star', reported: true },
  { reference: 'parliament RESOURCE_STAR: ec2:DescribeInstances takes no resource', document: onStar('ec2:DescribeInstances'), rule: 'policy.resource-star', reported: false },
  { reference: 'parliament UNKNOWN_ACTION s3:GetObjekt', document: on('arn:aws:s3:::reports/*', 's3:GetObjekt'), rule: 'policy.unknown-action', reported: true },
  { reference: 'parliament UNKNOWN_PREFIX s4:GetObject', document: on('arn:aws:s3:::reports/*', 's4:GetObject'), rule: 'policy.unknown-action', reported: true },
  { reference: 'parliament NO_VERSION', document: { Statement: [{ Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' }] }, rule: 'policy.missing-version', reported: true },
  { reference: 'parliament OLD_VERSION', document: { Version: '2008-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' }] }, rule: 'policy.old-version', reported: true },
  { reference: 'parliament NO_VERSION/OLD_VERSION: 2012-10-17', document: onStar('ec2:DescribeInstances'), rule: 'policy.old-version', reported: false },
  { reference: 'parliament INVALID_VERSION is malformed', document: { Version: '2024-01-01', Statement: [{ Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' }] }, rule: 'policy.invalid', reported: true },
  { reference: 'parliament MALFORMED: no Effect', document: { Version: V, Statement: [{ Action: 'ec2:DescribeInstances', Resource: '*' }] }, rule: 'policy.invalid', reported: true },
  { reference: 'parliament INVALID_SID (letters and digits only)', document: { Version: V, Statement: [{ Sid: 'read_all', Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' }] }, rule: 'policy.invalid-sid', reported: true },
  { reference: 'parliament DUPLICATE_SID', document: { Version: V, Statement: [{ Sid: 'A', Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' }, { Sid: 'A', Effect: 'Allow', Action: 'ec2:DescribeVolumes', Resource: '*' }] }, rule: 'policy.duplicate-sid', reported: true },
  { reference: 'parliament MISMATCHED_TYPE DateGreaterThan on aws:SourceIp', document: conditioned({ DateGreaterThan: { 'aws:SourceIp': '2026-01-01' } }), rule: 'policy.operator-type-mismatch', reported: true },
  { reference: 'parliament MISMATCHED_TYPE_OPERATION_TO_NULL', document: conditioned({ Null: { 'aws:SourceIp': 'yes' } }), rule: 'policy.operator-type-mismatch', reported: true },
  { reference: 'parliament MISMATCHED_TYPE: IpAddress on aws:SourceIp fits', document: conditioned({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }), rule: 'policy.operator-type-mismatch', reported: false },
  { reference: 'parliament UNKNOWN_CONDITION_FOR_ACTION s3:x-amz-acl on s3:GetObject', document: conditioned({ StringEquals: { 's3:x-amz-acl': 'private' } }), rule: 'policy.unknown-condition-key', reported: true },
  { reference: 'parliament UNKNOWN_CONDITION_FOR_ACTION: s3:ExistingObjectTag/<key> on s3:GetObject', document: conditioned({ StringEquals: { 's3:ExistingObjectTag/team': 'ops' } }), rule: 'policy.unknown-condition-key', reported: false },
]

/** Findings for a row through the public entry point, with the metadata of every service the document names. */
async function lintRow({ document }: Row): Promise<string[]> {
  const catalog = await loadIamActions(policyServices(document))
  return lintPolicy(document, policyKind(document), catalog).map((f) => f.rule)
}

describe('IAM policy lint conformance', () => {
  const verdicts: Array<{ row: Row; agrees: boolean; rules: string[] }> = []

  beforeAll(async () => {
    for (const row of ROWS) {
      const rules = await lintRow(row)
      verdicts.push({ row, rules, agrees: rules.includes(row.rule) === row.reported })
    }
    const agreeing = verdicts.filter((v) => v.agrees).length
    // The number this test exists to print; any disagreement fails below, naming the row.
    console.log(`IAM: ${agreeing}/${ROWS.length} cases as cloudsplaining/parliament decide`)
  })

  it('agrees with the reference on every case', () => {
    const disagreements = verdicts.filter((v) => !v.agrees).map((v) => `${v.row.reference}: expected ${v.row.rule} ${v.row.reported ? 'reported' : 'absent'}, got [${v.rules.join(', ')}]`)
    expect(disagreements).toEqual([])
  })

  it('covers both verdicts of cloudsplaining and parliament', () => {
    for (const tool of ['cloudsplaining', 'parliament']) {
      const rows = ROWS.filter((r) => r.reference.startsWith(tool))
      expect(rows.some((r) => r.reported), tool).toBe(true)
      expect(rows.some((r) => !r.reported), tool).toBe(true)
    }
  })

  it('text that is not JSON is parliament MALFORMED_JSON', () => {
    expect(lintPolicyText('{"Version": "2012-10-17", ', 'permissions').map((f) => f.source)).toEqual(['parliament: MALFORMED_JSON'])
  })
})
