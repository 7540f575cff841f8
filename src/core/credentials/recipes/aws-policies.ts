// The IAM documents the AWS recipes generate (aws, aws-role, bedrock): AWS managed policies to attach, inline
// policies, and the trust policy of the role ClowdOps assumes. Every document here lints clean (no error) with
// lintPolicy — test/core/recipes.test.ts proves it against the vendored AWS action metadata.

/**
 * Placeholder for the platform's AWS principal, the one ARN a recipe role trusts. Never a made-up account: IAM refuses
 * a trust policy whose principal does not exist. The platform publishes the real one.
 */
export const PRINCIPAL_PLACEHOLDER = '<CLOWDOPS_PRINCIPAL_ARN>'
/** Placeholder for the external ID the platform issues (per organisation). */
export const EXTERNAL_ID_PLACEHOLDER = '<EXTERNAL_ID>'

export type AwsRole = 'read-only' | 'cost' | 'security'
export const AWS_ROLES: readonly AwsRole[] = ['read-only', 'cost', 'security']

/** A value in a document, or a CloudFormation template's reference to one (`{"Ref": "ExternalId"}`). */
export type TemplateValue = string | { readonly Ref: string }

export type PolicyStatement = {
  Sid: string
  Effect: 'Allow' | 'Deny'
  Action: string[]
  Resource?: string | string[]
  Condition?: Record<string, Record<string, TemplateValue | string[]>>
  Principal?: Record<string, TemplateValue | string[]>
}

export type PolicyDocument = {
  Version: '2012-10-17'
  Statement: PolicyStatement[]
}

const policy = (...statements: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements })

export const MANAGED_POLICY = {
  viewOnly: 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess',
  securityAudit: 'arn:aws:iam::aws:policy/SecurityAudit',
} as const

/**
 * Reads of data contents, and calls that return credentials, denied explicitly so that no other policy attached
 * later (or an AWS update of a managed policy) can grant them: an explicit Deny always wins.
 */
export const DENIED_DATA_READS: readonly string[] = [
  // object and item contents
  's3:GetObject',
  's3:GetObjectVersion',
  's3:GetObjectTorrent',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:GetRecords',
  'rds-data:ExecuteStatement',
  'rds-data:BatchExecuteStatement',
  'athena:GetQueryResults',
  'sqs:ReceiveMessage',
  'kinesis:GetRecords',
  'glacier:GetJobOutput',
  // parameters, secrets and keys
  'ssm:GetParameter',
  'ssm:GetParameters',
  'ssm:GetParametersByPath',
  'ssm:GetParameterHistory',
  'secretsmanager:GetSecretValue',
  'kms:Decrypt',
  'kms:GenerateDataKey',
  // code, images and credentials
  'ecr:GetAuthorizationToken',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr-public:GetAuthorizationToken',
  'codecommit:GitPull',
  'codeartifact:GetAuthorizationToken',
  'lambda:GetFunction',
  'ec2:GetPasswordData',
  'redshift:GetClusterCredentials',
  'sts:GetFederationToken',
]

export const DENY_DATA_READS: PolicyStatement = {
  Sid: 'DenyDataReads',
  Effect: 'Deny',
  Action: [...DENIED_DATA_READS],
  Resource: '*',
}

/** Cost and usage reads: Cost Explorer, CUR definitions, Budgets, Savings Plans, pricing, Compute Optimizer. */
export const COST_READ: PolicyStatement = {
  Sid: 'ReadCostAndUsage',
  Effect: 'Allow',
  Action: [
    'ce:Get*',
    'ce:Describe*',
    'ce:List*',
    'cur:DescribeReportDefinitions',
    'budgets:ViewBudget',
    'budgets:DescribeBudgetAction',
    'budgets:DescribeBudgetActionsForAccount',
    'budgets:DescribeBudgetActionsForBudget',
    'savingsplans:DescribeSavingsPlans',
    'savingsplans:DescribeSavingsPlanRates',
    'pricing:DescribeServices',
    'pricing:GetAttributeValues',
    'pricing:GetProducts',
    'compute-optimizer:GetEnrollmentStatus',
    'compute-optimizer:GetRecommendationSummaries',
    'compute-optimizer:GetEC2InstanceRecommendations',
    'organizations:DescribeOrganization',
    'organizations:ListAccounts',
  ],
  Resource: '*',
}

/** The documents one AWS role variant needs: managed policies to attach and inline policies (by name). */
export interface AwsPermissions {
  managedPolicyArns: string[]
  inline: Array<{ name: string; description: string; document: PolicyDocument }>
}

export function awsPermissions(role: AwsRole): AwsPermissions {
  const deny = {
    name: 'ClowdOpsDenyDataReads',
    description: 'Explicit Deny on reads of data contents and calls that return credentials.',
    document: policy(DENY_DATA_READS),
  }
  switch (role) {
    case 'read-only':
      return { managedPolicyArns: [MANAGED_POLICY.viewOnly], inline: [deny] }
    case 'security':
      return { managedPolicyArns: [MANAGED_POLICY.securityAudit], inline: [deny] }
    case 'cost':
      return {
        managedPolicyArns: [],
        inline: [{ name: 'ClowdOpsCostRead', description: 'Read-only access to cost, usage, budgets and pricing.', document: policy(COST_READ) }],
      }
  }
}

/**
 * The trust policy of the role ClowdOps assumes: the one platform principal, with the external ID it issued. The
 * values are strings, or a template's references to them (Terraform `${var…}`, CloudFormation `{Ref}`).
 */
export function trustPolicy(principalArn: TemplateValue = PRINCIPAL_PLACEHOLDER, externalId: TemplateValue = EXTERNAL_ID_PLACEHOLDER): PolicyDocument {
  return policy({
    Sid: 'TrustClowdOpsWithExternalId',
    Effect: 'Allow',
    Principal: { AWS: principalArn },
    Action: ['sts:AssumeRole'],
    Condition: { StringEquals: { 'sts:ExternalId': externalId } },
  })
}

const INVOKE_ACTIONS = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream']

// A cross-region inference profile id is a model id led by its geography (us.anthropic.claude-sonnet-4-…): models
// such as Claude Sonnet 4 are only invoked on demand through one. The profile routes each request to the foundation
// model in one of its geography's regions, so a policy needs both ARNs (Amazon Bedrock User Guide: Prerequisites for
// inference profiles). The region patterns below are the geography's regions, no more; an unknown geography gets '*'.
const PROFILE_REGIONS: Readonly<Record<string, string>> = {
  us: 'us-*',
  eu: 'eu-*',
  apac: 'ap-*',
  jp: 'ap-northeast-*',
  au: 'ap-southeast-*',
  ca: 'ca-*',
  global: '*',
}
const PROFILE_ID = /^([a-z]+)\.([a-z0-9-]+\..+)$/

/** The inference profile's geography and the foundation model it routes to, or undefined for a plain model id. */
export function inferenceProfile(id: string): { geography: string; modelId: string } | undefined {
  const [, geography, modelId] = PROFILE_ID.exec(id) ?? []
  if (geography === undefined || modelId === undefined || !Object.hasOwn(PROFILE_REGIONS, geography)) return undefined
  return { geography, modelId }
}

/** The ARN of a system-defined inference profile in the caller's own account, in any region it is called from. */
const profileArn = (id: string) => `arn:aws:bedrock:*:\${aws:PrincipalAccount}:inference-profile/${id}`

/**
 * Invoke-only on the listed models: a plain model id on its foundation-model ARN (any region: on-demand models are
 * invoked where the role calls them); an inference-profile id on the profile's ARN, plus its foundation model in the
 * profile's regions only when called through that profile (bedrock:InferenceProfileArn).
 */
export function bedrockInvokePolicy(modelIds: readonly string[]): PolicyDocument {
  const statements: PolicyStatement[] = []
  const plain = modelIds.filter((id) => !inferenceProfile(id))
  if (plain.length > 0) {
    statements.push({
      Sid: 'InvokeAllowedModelsOnly',
      Effect: 'Allow',
      Action: [...INVOKE_ACTIONS],
      Resource: plain.map((id) => `arn:aws:bedrock:*::foundation-model/${id}`),
    })
  }
  modelIds.forEach((id, index) => {
    const profile = inferenceProfile(id)
    if (!profile) return
    statements.push(
      { Sid: `InvokeInferenceProfile${index}`, Effect: 'Allow', Action: [...INVOKE_ACTIONS], Resource: [profileArn(id)] },
      {
        Sid: `InvokeModelThroughProfile${index}`,
        Effect: 'Allow',
        Action: [...INVOKE_ACTIONS],
        Resource: [`arn:aws:bedrock:${PROFILE_REGIONS[profile.geography] as string}::foundation-model/${profile.modelId}`],
        Condition: { ArnLike: { 'bedrock:InferenceProfileArn': profileArn(id) } },
      },
    )
  })
  return policy(...statements)
}
