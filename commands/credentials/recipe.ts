import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { renderRecipe } from '../../src/cli/render.js'
import { ASSUMED_ROLE_PROVIDERS, awsTrustIfSignedIn } from '../../src/core/credentials/aws-trust.js'
import { buildRecipe, RECIPE_FORMATS, RECIPE_ROLES, Recipe, renderRecipeDocuments } from '../../src/core/credentials/recipes/index.js'

export default class CredentialsRecipe extends BaseCommand<Recipe> {
  static override get resultSchema() { return Recipe }
  static override summary = 'Show the least-privilege way to create a credential: exact steps and, for AWS, the IAM documents.'
  static override description =
    'AWS recipes (aws-role, aws, bedrock) come with policy documents that pass `clowdops credentials lint`, ' +
    'rendered as JSON, a Terraform snippet or a CloudFormation template; other providers have steps only (--format text or json). ' +
    "Signed in, the role recipes (aws-role, bedrock) fill in the platform's principal and your organisation's external ID " +
    '(one GET /v1/aws-trust); otherwise, or with --offline, nothing is sent and they stay placeholders, variables or parameters.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> aws-role',
    '<%= config.bin %> <%= command.id %> aws-role --role security --format terraform > clowdops.tf',
    '<%= config.bin %> <%= command.id %> aws-role --format cloudformation > clowdops.template.json',
    '<%= config.bin %> <%= command.id %> github --json',
  ]
  static override args = { provider: Args.string({ description: 'provider id (clowdops credentials providers)', required: true }) }
  static override flags = {
    role: Flags.string({ summary: 'What the credential is for.', options: [...RECIPE_ROLES], default: 'read-only' }),
    format: Flags.string({
      summary: 'text: the steps; json: the IAM documents (AWS) or the steps; terraform / cloudformation: the IAM resources (AWS only).',
      options: [...RECIPE_FORMATS],
      default: 'text',
    }),
    offline: Flags.boolean({ summary: "Send nothing: leave the platform's principal and external ID as placeholders even when signed in." }),
  }

  async run(): Promise<Recipe> {
    const { args, flags } = await this.parse(CredentialsRecipe)
    const role = flags.role as (typeof RECIPE_ROLES)[number]
    buildRecipe(args.provider, role) // an unknown provider or role is a usage error before anything is sent
    const trust = ASSUMED_ROLE_PROVIDERS.includes(args.provider) && !flags.offline ? await awsTrustIfSignedIn(this.deps) : undefined
    const recipe = buildRecipe(args.provider, role, trust)
    const format = flags.format as (typeof RECIPE_FORMATS)[number]
    // Rendered even with --json, so that an unsupported format is the same usage error either way.
    const output = format === 'text' ? renderRecipe(recipe, this.colors) : renderRecipeDocuments(recipe, format)
    this.log(output)
    return recipe
  }
}
