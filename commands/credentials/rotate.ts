import { BaseCommand } from '../../src/cli/base-command.js'
import { credentialArg } from '../../src/cli/credential-args.js'
import { credentialFieldFlags } from '../../src/cli/credential-flags.js'
import { renderFindings, renderRotation } from '../../src/cli/render.js'
import { Rotation, rotateCredential } from '../../src/core/credentials/lifecycle.js'
import { credentialIdFor } from '../../src/core/credentials/manage.js'

export default class CredentialsRotate extends BaseCommand<Rotation> {
  static override get resultSchema() { return Rotation }
  static override summary = "Replace a credential's secret fields: the same offline checks as add, sealed on this machine."
  static override description =
    'Give the new secrets as references; fields not given keep their stored values. Admin-class or misplaced keys are refused (exit 10) before anything is sent; risks accepted for the old values do not carry over.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> cred_4kq9 --field api_key=keychain:openai/agent-2',
    '<%= config.bin %> <%= command.id %> cred_4kq9 --field access_key_id=env:AWS_ACCESS_KEY_ID --field secret_access_key=env:AWS_SECRET_ACCESS_KEY --json',
  ]
  static override args = { id: credentialArg }
  static override flags = credentialFieldFlags

  async run(): Promise<Rotation> {
    const { args, flags } = await this.parse(CredentialsRotate)
    const id = await credentialIdFor(args.id, this.deps)
    const rotation = await rotateCredential(
      { id, fields: flags.field, allow: flags.allow, allowInsecureFile: flags['allow-insecure-file'] },
      this.deps,
    )
    const { credential } = rotation
    if (rotation.findings.length > 0) this.log(renderFindings(rotation.findings, credential.hint, this.colors, credential.accepted_risks))
    this.log(renderRotation(rotation, this.colors))
    return rotation
  }
}
