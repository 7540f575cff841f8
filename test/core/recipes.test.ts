// `credentials recipe`: every provider has one; every IAM document a recipe generates (all roles, permissions and
// trust) passes our own policy lint with no error, against the vendored AWS action metadata; the Terraform and
// CloudFormation renderings carry the same documents; and the built CLI serves them.
import { beforeAll, describe, expect, it } from 'vitest'
import { loadIamActions } from '../../src/adapters/iam-actions.js'
import { PROVIDER_IDS } from '../../src/core/credentials/catalog.js'
import { type IamActionCatalog, lintPolicy, policyServices } from '../../src/core/credentials/policy-lint.js'
import { DENIED_DATA_READS } from '../../src/core/credentials/recipes/aws-policies.js'
import {
  buildRecipe,
  CLOUDFORMATION_EXTERNAL_ID,
  CLOUDFORMATION_PRINCIPAL,
  EXTERNAL_ID_PLACEHOLDER,
  managedPolicyFile,
  PRINCIPAL_PLACEHOLDER,
  Recipe,
  RECIPE_ROLES,
  recipeProviders,
  renderRecipeDocuments,
  TERRAFORM_EXTERNAL_ID,
  TERRAFORM_PRINCIPAL,
} from '../../src/core/credentials/recipes/index.js'
import { checkTrustAgainstIssued } from '../../src/core/credentials/aws-trust.js'
import { runCli } from '../support/cli.js'

/** Every recipe of every provider, for each role it supports. */
const ALL: Recipe[] = PROVIDER_IDS.flatMap((id) => {
  const first = buildRecipe(id)
  return first.roles.map((role) => buildRecipe(id, role))
})
const WITH_DOCUMENTS = ALL.filter((r) => r.documents.length > 0)

let catalog: IamActionCatalog

beforeAll(async () => {
  const services = new Set<string>(DENIED_DATA_READS.map((a) => a.split(':')[0] as string))
  for (const recipe of WITH_DOCUMENTS) for (const doc of recipe.documents) for (const s of policyServices(doc.document)) services.add(s)
  catalog = await loadIamActions([...services])
})

describe('recipes', () => {
  it('exist for every provider in the catalog, and parse as Recipe', () => {
    expect(recipeProviders()).toEqual([...PROVIDER_IDS])
    for (const recipe of ALL) {
      expect(Recipe.parse(recipe)).toEqual(recipe)
      expect(recipe.steps.length, recipe.provider).toBeGreaterThan(0)
      expect(recipe.register).toMatch(new RegExp(`^clowdops credentials add ${recipe.provider} `))
    }
  })

  it('come with IAM documents for aws, aws-role and bedrock, in every AWS role', () => {
    expect([...new Set(WITH_DOCUMENTS.map((r) => r.provider))].sort()).toEqual(['aws', 'aws-role', 'bedrock'])
    for (const id of ['aws', 'aws-role']) expect(ALL.filter((r) => r.provider === id).map((r) => r.role)).toEqual([...RECIPE_ROLES])
  })

  it('every generated IAM policy passes lintPolicy with no error', () => {
    let linted = 0
    for (const recipe of WITH_DOCUMENTS) {
      for (const doc of recipe.documents) {
        const errors = lintPolicy(doc.document, doc.kind, catalog).filter((f) => f.severity === 'error')
        expect(errors, `${recipe.provider} --role ${recipe.role}: ${doc.name}`).toEqual([])
        linted += 1
      }
    }
    expect(linted).toBeGreaterThanOrEqual(10)
  })

  it('denies only actions AWS has (a misspelt Deny would deny nothing)', () => {
    for (const action of DENIED_DATA_READS) {
      const [service, name] = action.split(':') as [string, string]
      const actions = catalog.actions(service)
      expect(Array.isArray(actions), action).toBe(true)
      expect((actions as ReadonlyArray<{ name: string }>).some((a) => a.name.toLowerCase() === name.toLowerCase()), action).toBe(true)
    }
  })

  it('read-only and security start from ViewOnlyAccess / SecurityAudit with the explicit Deny, never ReadOnlyAccess', () => {
    const readOnly = buildRecipe('aws-role', 'read-only')
    expect(readOnly.managed_policy_arns).toEqual(['arn:aws:iam::aws:policy/job-function/ViewOnlyAccess'])
    expect(buildRecipe('aws', 'security').managed_policy_arns).toEqual(['arn:aws:iam::aws:policy/SecurityAudit'])
    for (const recipe of WITH_DOCUMENTS) expect(recipe.managed_policy_arns.join()).not.toMatch(/ReadOnlyAccess/)
    const deny = readOnly.documents.find((d) => d.name === 'ClowdOpsDenyDataReads')?.document.Statement[0]
    expect(deny).toMatchObject({ Effect: 'Deny', Resource: '*' })
    for (const action of ['s3:GetObject', 'ssm:GetParameter', 'secretsmanager:GetSecretValue', 'kms:Decrypt', 'ecr:GetAuthorizationToken']) {
      expect(deny?.Action).toContain(action)
    }
  })

  it('the role variants trust the one ClowdOps principal with sts:ExternalId', () => {
    for (const recipe of WITH_DOCUMENTS.filter((r) => r.provider !== 'aws')) {
      const trust = recipe.documents.find((d) => d.kind === 'trust')
      expect(trust?.document.Statement).toEqual([
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { AWS: PRINCIPAL_PLACEHOLDER },
          Action: ['sts:AssumeRole'],
          Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID_PLACEHOLDER } },
        }),
      ])
    }
    // Without the condition the lint would refuse it: the test above is not vacuous.
    const trust = buildRecipe('aws-role').documents.find((d) => d.kind === 'trust')?.document
    const unconditioned = { ...trust, Statement: trust?.Statement.map(({ Condition: _, ...rest }) => rest) }
    expect(lintPolicy(unconditioned, 'trust', catalog).map((f) => f.rule)).toContain('policy.missing-external-id')
  })

  it('check offline every document they write and every AWS managed policy they attach', () => {
    for (const recipe of WITH_DOCUMENTS) {
      const step = recipe.steps.find((candidate) => candidate.title === 'Check the documents offline')
      const lint = step?.commands.find((command) => command.startsWith('clowdops credentials lint '))
      const linted = [...(lint ?? '').matchAll(/--policy (\S+)/g)].map((match) => match[1])
      const expected = [...recipe.documents.map((d) => `${d.name}.json`), ...recipe.managed_policy_arns.map(managedPolicyFile)]
      expect(linted, `${recipe.provider} --role ${recipe.role}`).toEqual(expected)
      // each managed policy is saved, from its ARN, to the file the lint reads, before the lint runs
      for (const arn of recipe.managed_policy_arns) {
        const save = step?.commands.findIndex((command) => command.includes(`--policy-arn ${arn} `) && command.endsWith(`> ${managedPolicyFile(arn)}`))
        expect(save, `${recipe.provider} saves ${arn}`).toBeGreaterThanOrEqual(0)
        expect(save).toBeLessThan(step?.commands.indexOf(lint ?? '') ?? -1)
      }
    }
    expect(WITH_DOCUMENTS.some((recipe) => recipe.managed_policy_arns.length > 0)).toBe(true)
  })

  it('bedrock allows invoke only, on named model ARNs', () => {
    const statements = buildRecipe('bedrock').documents.find((d) => d.kind === 'permissions')?.document.Statement ?? []
    expect(statements.length).toBeGreaterThan(0)
    for (const statement of statements) {
      expect(statement.Action).toEqual(['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'])
      for (const arn of statement.Resource as string[]) {
        expect(arn).toMatch(/^arn:aws:bedrock:[a-z*-]+:(?:|\$\{aws:PrincipalAccount\}):(?:foundation-model|inference-profile)\/[a-z0-9][^*]+$/)
      }
    }
  })

  // Amazon Bedrock User Guide, "Prerequisites for inference profiles": Claude Sonnet 4 has no on-demand throughput on
  // its foundation model; it is invoked through a cross-region inference profile (us.anthropic.…), and the policy
  // must allow the profile's ARN and the foundation model it routes to, in the profile's regions.
  it('bedrock grants Claude Sonnet 4 through its inference profile, and the model only through that profile', () => {
    const recipe = buildRecipe('bedrock')
    const statements = recipe.documents.find((d) => d.kind === 'permissions')?.document.Statement ?? []
    const profile = 'us.anthropic.claude-sonnet-4-20250514-v1:0'
    const profileArn = `arn:aws:bedrock:*:\${aws:PrincipalAccount}:inference-profile/${profile}`
    const resources = statements.flatMap((statement) => statement.Resource as string[])
    expect(resources).toContain(profileArn)
    const routed = statements.find((statement) => (statement.Resource as string[]).includes('arn:aws:bedrock:us-*::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0'))
    expect(routed?.Condition).toEqual({ ArnLike: { 'bedrock:InferenceProfileArn': profileArn } })
    // No more than needed: the bare model is never granted outside the profile, nor in another geography.
    const unconditioned = statements.filter((statement) => !statement.Condition).flatMap((statement) => statement.Resource as string[])
    expect(unconditioned.filter((arn) => arn.includes('foundation-model/anthropic.claude-sonnet-4'))).toEqual([])
    expect(recipe.register).toContain(profile)
  })
})

/** Replaces every occurrence of `from` (deep-equal) by `to`. */
function replaceDeep(value: unknown, from: unknown, to: unknown): unknown {
  if (JSON.stringify(value) === JSON.stringify(from)) return to
  if (Array.isArray(value)) return value.map((item) => replaceDeep(item, from, to))
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceDeep(v, from, to)]))
  return value
}

describe('renderings', () => {
  // IAM refuses a trust policy whose principal does not exist: a recipe must never name a made-up account. Offline,
  // the platform's principal is a Terraform variable / CloudFormation parameter, like the external ID.
  it('never name a made-up platform account; the principal is a variable or parameter', () => {
    for (const recipe of WITH_DOCUMENTS.filter((r) => r.documents.some((d) => d.kind === 'trust'))) {
      for (const format of ['json', 'terraform', 'cloudformation'] as const) {
        expect(renderRecipeDocuments(recipe, format), `${recipe.provider} ${format}`).not.toMatch(/arn:aws:iam::0{12}:/)
      }
      expect(JSON.stringify(recipe)).not.toMatch(/arn:aws:iam::0{12}:/)
      const hcl = renderRecipeDocuments(recipe, 'terraform')
      expect(hcl).toContain('variable "clowdops_principal_arn" {')
      expect(hcl).toContain(`"AWS": "${TERRAFORM_PRINCIPAL}"`)
      const template = JSON.parse(renderRecipeDocuments(recipe, 'cloudformation')) as {
        Parameters: Record<string, { Type: string; AllowedPattern?: string }>
        Resources: { ClowdOpsRole: { Properties: { AssumeRolePolicyDocument: { Statement: Array<{ Principal: unknown }> } } } }
      }
      expect(template.Parameters.ClowdOpsPrincipalArn?.Type).toBe('String')
      expect(template.Resources.ClowdOpsRole.Properties.AssumeRolePolicyDocument.Statement[0]?.Principal).toEqual({ AWS: CLOUDFORMATION_PRINCIPAL })
    }
  })

  it('--format json gives the documents', () => {
    for (const recipe of WITH_DOCUMENTS) {
      const parsed = JSON.parse(renderRecipeDocuments(recipe, 'json')) as { managed_policy_arns: string[]; documents: unknown[] }
      expect(parsed).toEqual({ managed_policy_arns: recipe.managed_policy_arns, documents: recipe.documents })
    }
  })

  it('terraform carries the same policy JSON in its heredocs', () => {
    for (const recipe of WITH_DOCUMENTS) {
      const hcl = renderRecipeDocuments(recipe, 'terraform')
      const heredocs = [...hcl.matchAll(/<<-EOT\n([\s\S]*?)\nEOT/g)].map((m) => JSON.parse((m[1] as string).replaceAll(TERRAFORM_EXTERNAL_ID, EXTERNAL_ID_PLACEHOLDER).replaceAll(TERRAFORM_PRINCIPAL, PRINCIPAL_PLACEHOLDER)) as unknown)
      expect(heredocs, `${recipe.provider} ${recipe.role}`).toEqual(recipe.documents.map((d) => d.document))
      for (const arn of recipe.managed_policy_arns) expect(hcl).toContain(`policy_arn = "${arn}"`)
      expect(hcl).toMatch(recipe.documents.some((d) => d.kind === 'trust') ? /resource "aws_iam_role" "clowdops"/ : /resource "aws_iam_user" "clowdops"/)
      expect(hcl).not.toMatch(/resource "aws_iam_access_key"/)
      expect(hcl).toMatch(/^ {2}name += "(ClowdOps(ReadOnly|Cost|SecurityAudit|Bedrock)|clowdops-(readonly|cost|security-audit))"$/m)
    }
  })

  it('cloudformation (JSON) carries the same documents, the external ID as a NoEcho parameter', () => {
    for (const recipe of WITH_DOCUMENTS) {
      const template = JSON.parse(renderRecipeDocuments(recipe, 'cloudformation')) as {
        Parameters?: { ExternalId: { NoEcho: boolean } }
        Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>
      }
      const resources = Object.values(template.Resources)
      const role = resources.find((r) => r.Type === 'AWS::IAM::Role')
      const trust = recipe.documents.find((d) => d.kind === 'trust')
      if (trust) {
        expect(template.Parameters?.ExternalId.NoEcho).toBe(true)
        expect(replaceDeep(replaceDeep(role?.Properties.AssumeRolePolicyDocument, CLOUDFORMATION_EXTERNAL_ID, EXTERNAL_ID_PLACEHOLDER), CLOUDFORMATION_PRINCIPAL, PRINCIPAL_PLACEHOLDER)).toEqual(trust.document)
        expect(role?.Properties.ManagedPolicyArns).toEqual(recipe.managed_policy_arns)
      } else {
        expect(resources.find((r) => r.Type === 'AWS::IAM::User')?.Properties.ManagedPolicyArns).toEqual(recipe.managed_policy_arns)
      }
      const policies = resources.filter((r) => r.Type === 'AWS::IAM::ManagedPolicy').map((r) => r.Properties.PolicyDocument)
      expect(policies).toEqual(recipe.documents.filter((d) => d.kind === 'permissions').map((d) => d.document))
    }
  })

  it('providers without documents refuse terraform and cloudformation with a usage error', () => {
    for (const recipe of ALL.filter((r) => r.documents.length === 0)) {
      expect(recipe.formats).toEqual(['text', 'json'])
      expect(() => renderRecipeDocuments(recipe, 'terraform')).toThrow(expect.objectContaining({ exitCode: 2 }))
    }
  })

  it('an unknown provider or a role a provider lacks is a usage error', () => {
    expect(() => buildRecipe('nope')).toThrow(expect.objectContaining({ exitCode: 2 }))
    expect(() => buildRecipe('slack', 'cost')).toThrow(expect.objectContaining({ exitCode: 2 }))
  })
})

describe('clowdops credentials recipe (built CLI)', () => {
  it('aws-role --format json --json returns the recipe (exit 0)', async () => {
    const result = await runCli(['credentials', 'recipe', 'aws-role', '--format', 'json', '--json'])
    expect(result.code, result.stderr).toBe(0)
    const recipe = Recipe.parse(JSON.parse(result.stdout))
    expect(recipe).toEqual(buildRecipe('aws-role'))
  })

  it('prints the documents with --format json', async () => {
    const result = await runCli(['credentials', 'recipe', 'aws-role', '--role', 'cost', '--format', 'json'])
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(renderRecipeDocuments(buildRecipe('aws-role', 'cost'), 'json')))
  })

  it('openai --format terraform is a usage error (exit 2)', async () => {
    const result = await runCli(['credentials', 'recipe', 'openai', '--format', 'terraform'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/openai has no IAM documents/)
  })
})

describe('role recipes with the values the platform issued (signed in)', () => {
  const trust = { principal_arn: 'arn:aws:iam::555500001111:role/ClowdOpsPlatform', external_id: 'clowdops-issued-0123456789' }

  it('fill the principal and external ID into the trust document, which then passes the lint and the issued-value check', async () => {
    for (const provider of ['aws-role', 'bedrock']) {
      const recipe = buildRecipe(provider, 'read-only', trust)
      expect(recipe.aws_trust).toEqual(trust)
      const document = recipe.documents.find((d) => d.kind === 'trust')!
      expect(document.document.Statement[0]).toMatchObject({ Principal: { AWS: trust.principal_arn }, Condition: { StringEquals: { 'sts:ExternalId': trust.external_id } } })
      expect(JSON.stringify(recipe)).not.toContain(EXTERNAL_ID_PLACEHOLDER)
      expect(JSON.stringify(recipe)).not.toContain(PRINCIPAL_PLACEHOLDER)
      expect(lintPolicy(document.document, 'trust', catalog).filter((f) => f.severity === 'error')).toEqual([])
      expect(checkTrustAgainstIssued([{ name: 'trust.json', text: JSON.stringify(document.document) }], trust)).toEqual([])
    }
  })

  it('keep Terraform variables and CloudFormation parameters, with the issued values as their defaults', () => {
    const recipe = buildRecipe('aws-role', 'read-only', trust)
    const hcl = renderRecipeDocuments(recipe, 'terraform')
    expect(hcl).toContain(`"AWS": "${TERRAFORM_PRINCIPAL}"`)
    expect(hcl).toContain(`default     = "${trust.principal_arn}"`)
    expect(hcl).toContain(`default     = "${trust.external_id}"`)
    const template = JSON.parse(renderRecipeDocuments(recipe, 'cloudformation')) as { Parameters: Record<string, { Default?: string }> }
    expect(template.Parameters.ClowdOpsPrincipalArn?.Default).toBe(trust.principal_arn)
    expect(template.Parameters.ExternalId?.Default).toBe(trust.external_id)
    // Offline there are no defaults: a template never carries a made-up value.
    expect(renderRecipeDocuments(buildRecipe('aws-role'), 'terraform')).not.toContain('default')
  })

  it('are not affected for providers that are not roles', () => {
    expect(buildRecipe('aws', 'read-only', trust)).toEqual(buildRecipe('aws'))
  })
})

describe('a trust document checked against the issued values (credentials add --policy)', () => {
  const trust = { principal_arn: 'arn:aws:iam::555500001111:role/ClowdOpsPlatform', external_id: 'clowdops-issued-0123456789' }
  const doc = (principal: string, externalId: string) => ({
    name: 'trust.json',
    text: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': externalId } } }] }),
  })

  it('names a placeholder or another external ID, and a principal other than the platform', () => {
    expect(checkTrustAgainstIssued([doc(trust.principal_arn, EXTERNAL_ID_PLACEHOLDER)], trust).map((f) => f.rule)).toEqual(['aws-role.trust-external-id'])
    expect(checkTrustAgainstIssued([doc('arn:aws:iam::999900001111:role/Other', trust.external_id)], trust).map((f) => f.rule)).toEqual(['aws-role.trust-principal'])
    expect(checkTrustAgainstIssued([doc(trust.principal_arn, trust.external_id)], trust)).toEqual([])
  })

  it('leaves permissions documents alone', () => {
    const permissions = { name: 'p.json', text: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }] }) }
    expect(checkTrustAgainstIssued([permissions], trust)).toEqual([])
  })
})
