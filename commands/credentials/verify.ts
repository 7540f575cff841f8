import { BaseCommand } from '../../src/cli/base-command.js'
import { credentialArg } from '../../src/cli/credential-args.js'
import { renderVerification } from '../../src/cli/render.js'
import { CredentialVerification } from '../../src/core/contract/index.js'
import { failingGrade, verifyCredential } from '../../src/core/credentials/lifecycle.js'
import { ExitCode } from '../../src/core/errors.js'
import { credentialIdFor } from '../../src/core/credentials/manage.js'

export default class CredentialsVerify extends BaseCommand<CredentialVerification> {
  static override get resultSchema() { return CredentialVerification }
  static override summary = 'Ask the platform to probe a credential with side-effect-free calls, and show its grade.'
  static override description =
    'Grades: A read-only confirmed, B works but least privilege not confirmed, C works with a risk to fix, F must not be used. Exit 0 for A-C; exit 10 for F (a least-privilege check failed), with the report still printed, so CI can gate on it.'
  static override examples = ['<%= config.bin %> <%= command.id %> cred_4kq9', '<%= config.bin %> <%= command.id %> cred_4kq9 --json']
  static override args = { id: credentialArg }

  async run(): Promise<CredentialVerification> {
    const { args } = await this.parse(CredentialsVerify)
    const id = await credentialIdFor(args.id, this.deps)
    const verification = await verifyCredential(id, this.deps)
    this.log(renderVerification(verification, this.colors, this.deps.clock.now()))
    if (failingGrade(verification)) this.exitAfterOutput(ExitCode.refused)
    return verification
  }
}
