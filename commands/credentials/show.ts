import { BaseCommand } from '../../src/cli/base-command.js'
import { credentialArg } from '../../src/cli/credential-args.js'
import { renderRegistration } from '../../src/cli/render.js'
import { Credential } from '../../src/core/contract/index.js'
import { credentialIdFor, showCredential } from '../../src/core/credentials/manage.js'

export default class CredentialsShow extends BaseCommand<Credential> {
  static override get resultSchema() { return Credential }
  static override summary = 'Show one credential: provider, hint, fields, sandboxes, accepted risks (never its secrets).'
  static override examples = ['<%= config.bin %> <%= command.id %> cred_4kq9']
  static override args = { id: credentialArg }

  async run(): Promise<Credential> {
    const { args } = await this.parse(CredentialsShow)
    const id = await credentialIdFor(args.id, this.deps)
    const credential = await showCredential(id, this.deps)
    this.log(renderRegistration(credential, this.colors))
    return credential
  }
}
