import { Args } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { credentialFieldFlags, policyFlags } from '../../src/cli/credential-flags.js'
import { renderFindings } from '../../src/cli/render.js'
import { LintResult, lintCredential } from '../../src/core/credentials/register.js'
import { ExitCode } from '../../src/core/errors.js'

export default class CredentialsLint extends BaseCommand<LintResult> {
  static override get resultSchema() { return LintResult }
  static override summary = 'Run every offline least-privilege check on a credential, without signing in or sending anything.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> openai --field api_key=env:OPENAI_API_KEY',
    '<%= config.bin %> <%= command.id %> aws --field access_key_id=env:AWS_ACCESS_KEY_ID --field secret_access_key=keychain:aws/prod --json',
    '<%= config.bin %> <%= command.id %> aws-role --field role_arn=arn:aws:iam::123456789012:role/ClowdOpsReadOnly --policy policy.json --policy trust.json',
  ]
  static override args = { provider: Args.string({ description: 'provider id (clowdops credentials providers)', required: true }) }
  static override flags = { ...credentialFieldFlags, ...policyFlags }

  async run(): Promise<LintResult> {
    const { args, flags } = await this.parse(CredentialsLint)
    const result = await lintCredential(
      {
        provider: args.provider,
        fields: flags.field,
        allow: flags.allow,
        allowInsecureFile: flags['allow-insecure-file'],
        policies: await this.deps.files.readPolicies(flags.policy),
      },
      this.deps,
    )
    this.log(renderFindings(result.findings, result.hint, this.colors))
    if (result.refused) this.exitAfterOutput(ExitCode.refused)
    return result
  }
}
