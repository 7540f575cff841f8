import { Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { credentialArg } from '../../src/cli/credential-args.js'
import { renderRegistration } from '../../src/cli/render.js'
import { Credential } from '../../src/core/contract/index.js'
import { attachCredential } from '../../src/core/credentials/lifecycle.js'
import { credentialIdFor } from '../../src/core/credentials/manage.js'

export default class CredentialsAttach extends BaseCommand<Credential> {
  static override get resultSchema() { return Credential }
  static override summary = "Attach a credential to a sandbox of its project (attaching again changes nothing)."
  static override examples = ['<%= config.bin %> <%= command.id %> cred_4kq9 --sandbox sbx_7hd2']
  static override args = { id: credentialArg }
  static override flags = {
    sandbox: Flags.string({ summary: "A sandbox of the credential's project (default: the profile setting default_sandbox).", helpValue: '<sbx_id>' }),
  }

  async run(): Promise<Credential> {
    const { args, flags } = await this.parse(CredentialsAttach)
    const id = await credentialIdFor(args.id, this.deps)
    const credential = await attachCredential({ id, sandbox: flags.sandbox }, this.deps)
    this.log(renderRegistration(credential, this.colors))
    return credential
  }
}
