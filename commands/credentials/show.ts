import { Args } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { renderRegistration } from '../../src/cli/render.js'
import { Credential } from '../../src/core/contract/index.js'
import { showCredential } from '../../src/core/credentials/manage.js'

export default class CredentialsShow extends BaseCommand<Credential> {
  static override get resultSchema() { return Credential }
  static override summary = 'Show one credential: provider, hint, fields, sandboxes, accepted risks (never its secrets).'
  static override examples = ['<%= config.bin %> <%= command.id %> cred_4kq9']
  static override args = { id: Args.string({ description: 'credential id (cred_...)', required: true }) }

  async run(): Promise<Credential> {
    const { args } = await this.parse(CredentialsShow)
    const credential = await showCredential(args.id, this.deps)
    this.log(renderRegistration(credential, this.colors))
    return credential
  }
}
