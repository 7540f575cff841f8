import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { credentialFieldFlags, policyFlags, startsEmpty } from '../../src/cli/credential-flags.js'
import { renderFindings, renderRegistration } from '../../src/cli/render.js'
import { Registration, registerCredential } from '../../src/core/credentials/register.js'

export default class CredentialsAdd extends BaseCommand<Registration> {
  static override get resultSchema() { return Registration }
  static override summary = 'Register a credential: checked offline, sealed on this machine, then uploaded.'
  static override description =
    'Secret fields take references, never values. Admin-class or misplaced keys are refused (exit 10) before anything is sent; --allow RULE accepts a reported risk.'
  static override examples = [
    'clowdops keychain set openai/agent && <%= config.bin %> <%= command.id %> openai --label agent --field api_key=keychain:openai/agent',
    '<%= config.bin %> <%= command.id %> aws-role --label prod --project prj_8f3k2 --field role_arn=arn:aws:iam::123456789012:role/ClowdOpsReadOnly',
  ]
  static override args = { provider: Args.string({ description: 'provider id (clowdops credentials providers)', required: true }) }
  static override flags = {
    ...credentialFieldFlags,
    ...policyFlags,
    label: Flags.string({ summary: 'A name for the credential, unique in the project.', required: true }),
    project: Flags.string({ summary: 'Project id (default: the profile setting default_project).', helpValue: '<prj_id>' }),
    sandbox: Flags.string({ summary: 'Attach to this sandbox (repeatable).', multiple: true, ...startsEmpty, helpValue: '<sbx_id>' }),
  }

  async run(): Promise<Registration> {
    const { args, flags } = await this.parse(CredentialsAdd)
    const registration = await registerCredential(
      {
        provider: args.provider,
        label: flags.label,
        project: flags.project,
        sandboxes: flags.sandbox,
        fields: flags.field,
        allow: flags.allow,
        allowInsecureFile: flags['allow-insecure-file'],
        policies: await this.deps.files.readPolicies(flags.policy),
      },
      this.deps,
    )
    const { credential } = registration
    if (registration.findings.length > 0) this.log(renderFindings(registration.findings, credential.hint, this.colors, credential.accepted_risks))
    this.log(renderRegistration(credential, this.colors, 'Added'))
    return registration
  }
}
