// `clowdops credentials recipe PROVIDER`: the least-privilege way to create a credential for each provider, as steps a
// person follows (where to click, what CLI to run, which scopes or roles) and, for AWS, the IAM documents themselves —
// rendered as JSON, a Terraform snippet or a CloudFormation template. Pure: no I/O.
import { z } from 'zod'
import { AwsTrust } from '../../contract/credentials.js'
import { UsageError } from '../../errors.js'
import { ASSUMED_ROLE_PROVIDERS } from '../aws-trust.js'
import { getProvider, PROVIDER_IDS } from '../catalog.js'
import type { Provider } from '../provider.js'
import {
  AWS_ROLES,
  type AwsRole,
  awsPermissions,
  bedrockInvokePolicy,
  EXTERNAL_ID_PLACEHOLDER,
  PRINCIPAL_PLACEHOLDER,
  trustPolicy,
} from './aws-policies.js'
import { OTHER_RECIPES } from './steps.js'

export { EXTERNAL_ID_PLACEHOLDER, PRINCIPAL_PLACEHOLDER } from './aws-policies.js'

export const RECIPE_ROLES = ['read-only', 'cost', 'security'] as const
export type RecipeRole = (typeof RECIPE_ROLES)[number]
export const RECIPE_FORMATS = ['text', 'json', 'terraform', 'cloudformation'] as const
export type RecipeFormat = (typeof RECIPE_FORMATS)[number]

const PolicyDocumentSchema = z.object({
  Version: z.literal('2012-10-17'),
  Statement: z.array(z.record(z.string(), z.unknown())).min(1),
})

export const RecipeDocument = z.object({
  /** File and policy name (`ClowdOpsDenyDataReads`, `trust`). */
  name: z.string(),
  kind: z.enum(['permissions', 'trust']),
  description: z.string(),
  document: PolicyDocumentSchema,
})
export type RecipeDocument = z.infer<typeof RecipeDocument>

export const RecipeStep = z.object({
  title: z.string(),
  detail: z.string().optional(),
  /** Commands to run, exactly (placeholders in <ANGLE_BRACKETS>). */
  commands: z.array(z.string()),
})
export type RecipeStep = z.infer<typeof RecipeStep>

export const Recipe = z.object({
  provider: z.string(),
  role: z.enum(RECIPE_ROLES),
  /** The roles this provider has a recipe for; read-only is the default. */
  roles: z.array(z.enum(RECIPE_ROLES)),
  title: z.string(),
  /** What to create, in one line. */
  identity: z.string(),
  /** What it is granted: roles, scopes, managed policies. */
  grants: z.array(z.string()),
  /** What not to use instead, and why. */
  avoid: z.array(z.string()),
  /** AWS managed policies to attach (AWS recipes). */
  managed_policy_arns: z.array(z.string()),
  /** IAM policy documents (AWS recipes); empty elsewhere. */
  documents: z.array(RecipeDocument),
  steps: z.array(RecipeStep),
  /** The command that registers the result with ClowdOps. */
  register: z.string(),
  references: z.array(z.string()),
  /** The --format values this recipe supports. */
  formats: z.array(z.enum(RECIPE_FORMATS)),
  /** Roles the platform assumes, signed in: the principal and external ID filled into the trust policy. */
  aws_trust: AwsTrust.optional(),
})
export type Recipe = z.infer<typeof Recipe>

/** What a provider-specific recipe module gives; the common parts (register command, formats) are added here. */
export interface RecipeSpec {
  roles: readonly RecipeRole[]
  build(role: RecipeRole, provider: Provider, trust: AwsTrust | undefined): Omit<Recipe, 'provider' | 'role' | 'roles' | 'register' | 'formats' | 'managed_policy_arns' | 'documents' | 'aws_trust'> & {
    managed_policy_arns?: string[]
    documents?: RecipeDocument[]
    /** Field values for the register command, beyond the provider's required fields. */
    registerFields?: Record<string, string>
  }
}

// ---------------------------------------------------------------------------------------------------------------
// AWS

const ROLE_NAME: Record<AwsRole, string> = { 'read-only': 'ClowdOpsReadOnly', cost: 'ClowdOpsCost', security: 'ClowdOpsSecurityAudit' }
const USER_NAME: Record<AwsRole, string> = { 'read-only': 'clowdops-readonly', cost: 'clowdops-cost', security: 'clowdops-security-audit' }
const AWS_DOCS = [
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html#jf_view-only-user',
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html',
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html',
]
const AVOID_READONLY = 'ReadOnlyAccess: it reads data contents (s3:GetObject, ssm:GetParameter*, secretsmanager:GetSecretValue, dynamodb:Scan…), not just configuration.'
const AVOID_ADMIN = 'AdministratorAccess, PowerUserAccess or root keys: ClowdOps refuses them (policy.admin, aws.root-key).'

function permissionDocuments(role: AwsRole): { managed: string[]; documents: RecipeDocument[]; grants: string[] } {
  const permissions = awsPermissions(role)
  return {
    managed: permissions.managedPolicyArns,
    documents: permissions.inline.map((p) => ({ name: p.name, kind: 'permissions' as const, description: p.description, document: p.document })),
    grants: [
      ...permissions.managedPolicyArns.map((arn) => `AWS managed policy ${arn}`),
      ...permissions.inline.map((p) => `${p.name}: ${p.description}`),
    ],
  }
}

const TRUST_DOCUMENT = (trust: AwsTrust | undefined): RecipeDocument => ({
  name: 'trust',
  kind: 'trust',
  description: `Trust policy: only the ClowdOps platform's AWS principal (${trust?.principal_arn ?? PRINCIPAL_PLACEHOLDER}) may assume the role, and only with the external ID the platform issued${trust ? ' to your organisation' : ''}.`,
  document: trustPolicy(trust?.principal_arn, trust?.external_id),
})

/** The first step of a role recipe: the two values the trust policy needs, filled in when signed in. */
function trustStep(trust: AwsTrust | undefined): RecipeStep {
  if (trust) {
    return {
      title: "The platform's principal and your external ID (filled in)",
      detail: `From the platform (GET /v1/aws-trust): principal ${trust.principal_arn}, external ID ${trust.external_id}. They are in trust.json below, and the defaults of clowdops_principal_arn / clowdops_external_id (Terraform) or ClowdOpsPrincipalArn / ExternalId (CloudFormation). The external ID is your organisation's alone: use it for ClowdOps only.`,
      commands: [],
    }
  }
  return {
    title: "Get the platform's principal and external ID",
    detail: `Sign in (clowdops login) and run this recipe again to have them filled in, or replace ${PRINCIPAL_PLACEHOLDER} and ${EXTERNAL_ID_PLACEHOLDER} in trust.json with the values the platform gives (GET /v1/aws-trust). With --format terraform or cloudformation they are the variables clowdops_principal_arn and clowdops_external_id, or the parameters ClowdOpsPrincipalArn and ExternalId. Never reuse an external ID across customers or accounts.`,
    commands: [],
  }
}

function attachSteps(target: 'role' | 'user', name: string, managed: string[], documents: RecipeDocument[]): RecipeStep[] {
  const steps: RecipeStep[] = []
  if (managed.length > 0) {
    steps.push({
      title: `Attach the AWS managed polic${managed.length === 1 ? 'y' : 'ies'}`,
      commands: managed.map((arn) => `aws iam attach-${target}-policy --${target}-name ${name} --policy-arn ${arn}`),
    })
  }
  for (const doc of documents.filter((d) => d.kind === 'permissions')) {
    steps.push({
      title: `Create and attach ${doc.name}`,
      detail: `${doc.description} Save the document below as ${doc.name}.json.`,
      commands: [
        `aws iam create-policy --policy-name ${doc.name} --policy-document file://${doc.name}.json`,
        `aws iam attach-${target}-policy --${target}-name ${name} --policy-arn arn:aws:iam::<ACCOUNT_ID>:policy/${doc.name}`,
      ],
    })
  }
  return steps
}

/** The file an AWS managed policy is saved to for the offline check: its name (ViewOnlyAccess.json). */
export function managedPolicyFile(arn: string): string {
  return `${arn.slice(arn.lastIndexOf('/') + 1)}.json`
}

/**
 * "Check the documents offline": the documents the recipe writes and the AWS managed policies it attaches, all linted
 * by `credentials lint --policy` (core: checkPolicies). The managed policies' current versions are read first with
 * the AWS CLI, since AWS updates them; the lint itself sends nothing anywhere.
 */
function checkStep(lint: string, managed: readonly string[], documents: readonly RecipeDocument[]): RecipeStep {
  const files = [...documents.map((d) => `${d.name}.json`), ...managed.map(managedPolicyFile)]
  const fetch = managed.map(
    (arn) =>
      `aws iam get-policy-version --policy-arn ${arn} --version-id "$(aws iam get-policy --policy-arn ${arn} --query Policy.DefaultVersionId --output text)" --query PolicyVersion.Document --output json > ${managedPolicyFile(arn)}`,
  )
  return {
    title: 'Check the documents offline',
    ...(managed.length > 0 ? { detail: 'Save the current version of each AWS managed policy it attaches, then lint them with the documents above.' } : {}),
    commands: [...fetch, `${lint} ${files.map((file) => `--policy ${file}`).join(' ')}`],
  }
}

const awsRoleSpec: RecipeSpec = {
  roles: AWS_ROLES,
  build(role, _provider, trust) {
    const name = ROLE_NAME[role as AwsRole]
    const { managed, documents, grants } = permissionDocuments(role as AwsRole)
    const all = [TRUST_DOCUMENT(trust), ...documents]
    const roleArn = `arn:aws:iam::<ACCOUNT_ID>:role/${name}`
    return {
      title: `AWS IAM role ${name} that ClowdOps assumes (${role})`,
      identity: `IAM role ${name}, trusting the ClowdOps platform principal with sts:ExternalId`,
      grants,
      avoid: ['Long-term access keys (the aws provider): a role leaves no static key to leak.', AVOID_READONLY, AVOID_ADMIN],
      managed_policy_arns: managed,
      documents: all,
      steps: [
        trustStep(trust),
        {
          title: `Create the role ${name} with the trust policy`,
          detail: 'Save the trust document below as trust.json. Sessions last at most one hour.',
          commands: [`aws iam create-role --role-name ${name} --assume-role-policy-document file://trust.json --max-session-duration 3600`],
        },
        ...attachSteps('role', name, managed, documents),
        checkStep(`clowdops credentials lint aws-role --field role_arn=${roleArn}`, managed, all),
      ],
      registerFields: { role_arn: roleArn },
      references: AWS_DOCS,
    }
  },
}

const awsUserSpec: RecipeSpec = {
  roles: AWS_ROLES,
  build(role) {
    const name = USER_NAME[role as AwsRole]
    const { managed, documents, grants } = permissionDocuments(role as AwsRole)
    return {
      title: `AWS IAM user ${name} with an access key (${role}); prefer aws-role`,
      identity: `IAM user ${name}, programmatic access only (no console password)`,
      grants,
      avoid: ['This recipe itself, when you can: aws-role needs no long-term key (clowdops credentials recipe aws-role).', AVOID_READONLY, AVOID_ADMIN],
      managed_policy_arns: managed,
      documents,
      steps: [
        { title: `Create the user ${name}`, detail: 'No login profile: the user never signs in to the console.', commands: [`aws iam create-user --user-name ${name}`] },
        ...attachSteps('user', name, managed, documents),
        {
          title: 'Create an access key and put it in the keychain',
          detail: 'The key is shown once. Store both halves with clowdops keychain (from stdin or a hidden prompt), never on the command line; rotate it every 90 days.',
          commands: [
            `aws iam create-access-key --user-name ${name}`,
            'clowdops keychain set clowdops/aws-access-key-id',
            'clowdops keychain set clowdops/aws-secret-access-key',
          ],
        },
        checkStep(
          'clowdops credentials lint aws --field access_key_id=keychain:clowdops/aws-access-key-id --field secret_access_key=keychain:clowdops/aws-secret-access-key --field region=us-east-1',
          managed,
          documents,
        ),
      ],
      references: [AWS_DOCS[0] as string, 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html'],
    }
  },
}

// Claude Sonnet 4 through its US cross-region inference profile (it has no on-demand throughput on the bare model id);
// Titan Text Embeddings V2 on demand, directly.
const BEDROCK_MODELS = ['us.anthropic.claude-sonnet-4-20250514-v1:0', 'amazon.titan-embed-text-v2:0']

const bedrockSpec: RecipeSpec = {
  roles: ['read-only'],
  build(_role, _provider, trust) {
    const name = 'ClowdOpsBedrock'
    const invoke: RecipeDocument = {
      name: 'ClowdOpsBedrockInvoke',
      kind: 'permissions',
      description: 'Invoke (and stream) only the listed models: plain model ids directly, inference-profile ids (us.…) through their profile only; edit the list to the ids you allow.',
      document: bedrockInvokePolicy(BEDROCK_MODELS),
    }
    const all = [TRUST_DOCUMENT(trust), invoke]
    const roleArn = `arn:aws:iam::<ACCOUNT_ID>:role/${name}`
    return {
      title: `Amazon Bedrock: IAM role ${name}, invoke-only on the allowed models`,
      identity: `IAM role ${name}, trusting the ClowdOps platform principal with sts:ExternalId`,
      grants: [`${invoke.name}: bedrock:InvokeModel and bedrock:InvokeModelWithResponseStream on ${BEDROCK_MODELS.join(', ')}`],
      avoid: [
        'AmazonBedrockFullAccess: it manages models, agents, guardrails and provisioned throughput.',
        'bedrock:* or foundation-model/*: any model, including the most expensive (bedrock.all-models).',
        'Long-term Bedrock API keys (ABSK…): they belong to an IAM user.',
      ],
      documents: all,
      steps: [
        { title: 'Enable model access', detail: 'Bedrock console → Model access: request access to exactly the models ClowdOps should use, in your region.', commands: [] },
        trustStep(trust),
        {
          title: `Create the role ${name} with the trust policy`,
          detail: 'Save the trust document below as trust.json.',
          commands: [`aws iam create-role --role-name ${name} --assume-role-policy-document file://trust.json --max-session-duration 3600`],
        },
        ...attachSteps('role', name, [], [invoke]),
        checkStep(`clowdops credentials lint bedrock --field role_arn=${roleArn} --field region=us-east-1 --field allowed_model_ids=${BEDROCK_MODELS.join(',')}`, [], all),
      ],
      registerFields: { role_arn: roleArn, allowed_model_ids: BEDROCK_MODELS.join(',') },
      references: [
        'https://docs.aws.amazon.com/bedrock/latest/userguide/security_iam_id-based-policy-examples.html',
        'https://docs.aws.amazon.com/bedrock/latest/userguide/model-access.html',
        'https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html',
      ],
    }
  },
}

const SPECS: Readonly<Record<string, RecipeSpec>> = { 'aws-role': awsRoleSpec, aws: awsUserSpec, bedrock: bedrockSpec, ...OTHER_RECIPES }

// ---------------------------------------------------------------------------------------------------------------
// Building

function registerCommand(provider: Provider, extra: Record<string, string> = {}): string {
  const parts = [`clowdops credentials add ${provider.id} --label <LABEL>`]
  for (const field of provider.fields) {
    const given = extra[field.name]
    if (given !== undefined) parts.push(`--field ${field.name}=${given}`)
    else if (!field.required) continue
    else if (field.secret) parts.push(`--field ${field.name}=keychain:clowdops/${provider.id}-${field.name.replace(/_/g, '-')}`)
    else parts.push(`--field ${field.name}=${field.example ?? `<${field.name.toUpperCase()}>`}`)
  }
  return parts.join(' ')
}

/**
 * The recipe for a provider and role; `trust` (signed in, for ASSUMED_ROLE_PROVIDERS) fills the platform's principal and
 * the external ID in. UsageError (exit 2) for an unknown provider or a role it has no recipe for.
 */
export function buildRecipe(providerId: string, role: RecipeRole = 'read-only', trust?: AwsTrust): Recipe {
  const provider = getProvider(providerId)
  const spec = SPECS[provider.id]
  if (!spec) throw new Error(`No recipe for provider ${provider.id}.`) // a test proves every provider has one
  if (!spec.roles.includes(role)) {
    throw new UsageError(`${provider.id} has no ${role} recipe.`, {
      code: 'unsupported_role',
      hint: `Roles for ${provider.id}: ${spec.roles.join(', ')}.`,
    })
  }
  const filled = ASSUMED_ROLE_PROVIDERS.includes(provider.id) ? trust : undefined
  const { registerFields, managed_policy_arns, documents, ...rest } = spec.build(role, provider, filled)
  const docs = documents ?? []
  return Recipe.parse({
    provider: provider.id,
    role,
    roles: [...spec.roles],
    ...rest,
    managed_policy_arns: managed_policy_arns ?? [],
    documents: docs,
    register: registerCommand(provider, registerFields),
    formats: docs.length > 0 ? [...RECIPE_FORMATS] : ['text', 'json'],
    ...(filled ? { aws_trust: filled } : {}),
  })
}

/** Every provider id that has a recipe (all of them; the test checks). */
export function recipeProviders(): string[] {
  return PROVIDER_IDS.filter((id) => SPECS[id] !== undefined)
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering the documents

/** `--format json|terraform|cloudformation`. Text is rendered by the CLI (src/cli/render.ts). */
export function renderRecipeDocuments(recipe: Recipe, format: Exclude<RecipeFormat, 'text'>): string {
  if (!recipe.formats.includes(format)) {
    throw new UsageError(`${recipe.provider} has no IAM documents to render as ${format}.`, {
      code: 'unsupported_format',
      hint: `Formats for ${recipe.provider}: ${recipe.formats.join(', ')}.`,
    })
  }
  switch (format) {
    case 'json':
      return recipe.documents.length > 0
        ? JSON.stringify({ managed_policy_arns: recipe.managed_policy_arns, documents: recipe.documents }, null, 2)
        : JSON.stringify(recipe, null, 2)
    case 'terraform':
      return terraform(recipe)
    case 'cloudformation':
      return JSON.stringify(cloudFormation(recipe), null, 2)
  }
}

export const TERRAFORM_EXTERNAL_ID = '${var.clowdops_external_id}'
export const TERRAFORM_PRINCIPAL = '${var.clowdops_principal_arn}'
export const CLOUDFORMATION_EXTERNAL_ID = { Ref: 'ExternalId' } as const
export const CLOUDFORMATION_PRINCIPAL = { Ref: 'ClowdOpsPrincipalArn' } as const

function isRole(recipe: Recipe): boolean {
  return recipe.documents.some((d) => d.kind === 'trust')
}

/** The IAM name the recipe creates: the role or user name from its identity line. */
function principalName(recipe: Recipe): string {
  const match = /^IAM (?:role|user) ([A-Za-z0-9+=.@_-]+)/.exec(recipe.identity)
  return match?.[1] ?? 'ClowdOps'
}

function snake(name: string): string {
  return name.replace(/^ClowdOps/, 'Clowdops').replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toLowerCase()
}

function heredoc(document: unknown): string {
  return `<<-EOT\n${JSON.stringify(document, null, 2)}\nEOT`
}

/** A string variable; with the value the platform gave as its default when signed in. */
function terraformVariable(name: string, description: string, value: string | undefined): string {
  return [
    `variable "${name}" {`,
    `  description = ${JSON.stringify(description)}`,
    '  type        = string',
    ...(value === undefined ? [] : [`  default     = ${JSON.stringify(value)}`]),
    '}',
  ].join('\n')
}

function terraform(recipe: Recipe): string {
  const role = isRole(recipe)
  const kind = role ? 'role' : 'user'
  const self = `aws_iam_${kind}.clowdops`
  const blocks: string[] = [`# clowdops credentials recipe ${recipe.provider} --role ${recipe.role} --format terraform`]
  if (role) {
    blocks.push(
      terraformVariable('clowdops_principal_arn', 'The AWS principal of the ClowdOps platform, which assumes this role (GET /v1/aws-trust).', recipe.aws_trust?.principal_arn),
      terraformVariable('clowdops_external_id', 'The external ID the ClowdOps platform issued for your organisation (GET /v1/aws-trust).', recipe.aws_trust?.external_id),
      [
        'resource "aws_iam_role" "clowdops" {',
        `  name                 = "${principalName(recipe)}"`,
        '  max_session_duration = 3600',
        `  assume_role_policy   = ${heredoc(trustPolicy(TERRAFORM_PRINCIPAL, TERRAFORM_EXTERNAL_ID))}`,
        '}',
      ].join('\n'),
    )
  } else {
    blocks.push(
      [
        'resource "aws_iam_user" "clowdops" {',
        `  name = "${principalName(recipe)}"`,
        '}',
        '',
        '# Create the access key with the AWS CLI, not here: an aws_iam_access_key keeps the secret in the Terraform state.',
      ].join('\n'),
    )
  }
  recipe.managed_policy_arns.forEach((arn, index) => {
    blocks.push(
      [
        `resource "aws_iam_${kind}_policy_attachment" "clowdops_managed_${index}" {`,
        `  ${kind}       = ${self}.name`,
        `  policy_arn = "${arn}"`,
        '}',
      ].join('\n'),
    )
  })
  for (const doc of recipe.documents.filter((d) => d.kind === 'permissions')) {
    const id = snake(doc.name)
    blocks.push(
      [
        `resource "aws_iam_policy" "${id}" {`,
        `  name        = "${doc.name}"`,
        `  description = ${JSON.stringify(doc.description)}`,
        `  policy      = ${heredoc(doc.document)}`,
        '}',
      ].join('\n'),
      [
        `resource "aws_iam_${kind}_policy_attachment" "${id}" {`,
        `  ${kind}       = ${self}.name`,
        `  policy_arn = aws_iam_policy.${id}.arn`,
        '}',
      ].join('\n'),
    )
  }
  blocks.push(
    role
      ? 'output "clowdops_role_arn" {\n  value = aws_iam_role.clowdops.arn\n}'
      : 'output "clowdops_user_name" {\n  value = aws_iam_user.clowdops.name\n}',
  )
  return `${blocks.join('\n\n')}\n`
}

function cloudFormation(recipe: Recipe): Record<string, unknown> {
  const role = isRole(recipe)
  const logical = role ? 'ClowdOpsRole' : 'ClowdOpsUser'
  const resources: Record<string, unknown> = {
    [logical]: role
      ? {
          Type: 'AWS::IAM::Role',
          Properties: {
            RoleName: principalName(recipe),
            MaxSessionDuration: 3600,
            AssumeRolePolicyDocument: trustPolicy(CLOUDFORMATION_PRINCIPAL, CLOUDFORMATION_EXTERNAL_ID),
            ManagedPolicyArns: recipe.managed_policy_arns,
          },
        }
      : { Type: 'AWS::IAM::User', Properties: { UserName: principalName(recipe), ManagedPolicyArns: recipe.managed_policy_arns } },
  }
  for (const doc of recipe.documents.filter((d) => d.kind === 'permissions')) {
    resources[doc.name.replace(/[^A-Za-z0-9]/g, '')] = {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        ManagedPolicyName: doc.name,
        Description: doc.description,
        PolicyDocument: doc.document,
        [role ? 'Roles' : 'Users']: [{ Ref: logical }],
      },
    }
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `ClowdOps least-privilege ${role ? 'role' : 'user'} (${recipe.provider}, ${recipe.role}). Deploy with --capabilities CAPABILITY_NAMED_IAM.${role ? '' : ' Create the access key with the AWS CLI afterwards, not in the template.'}`,
    ...(role
      ? {
          Parameters: {
            ClowdOpsPrincipalArn: {
              Type: 'String',
              AllowedPattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:(?:root|role/.+|user/.+)$',
              Description: 'The AWS principal of the ClowdOps platform, which assumes this role (GET /v1/aws-trust).',
              ...(recipe.aws_trust ? { Default: recipe.aws_trust.principal_arn } : {}),
            },
            ExternalId: {
              Type: 'String',
              NoEcho: true,
              MinLength: 2,
              MaxLength: 1224,
              Description: 'The external ID the ClowdOps platform issued for your organisation (GET /v1/aws-trust).',
              ...(recipe.aws_trust ? { Default: recipe.aws_trust.external_id } : {}),
            },
          },
        }
      : {}),
    Resources: resources,
    Outputs: role
      ? { RoleArn: { Value: { 'Fn::GetAtt': [logical, 'Arn'] } } }
      : { UserName: { Value: { Ref: logical } } },
  }
}
