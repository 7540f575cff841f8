import { Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { credentialArg } from '../../src/cli/credential-args.js'
import { DeletedCredential } from '../../src/core/contract/index.js'
import { credentialIdFor, removeCredential } from '../../src/core/credentials/manage.js'

export default class CredentialsRemove extends BaseCommand<{ id: string; deleted: true }> {
  static override get resultSchema() { return DeletedCredential }
  static override summary = 'Remove a credential from the platform (asks first on a terminal; --yes elsewhere).'
  static override examples = ['<%= config.bin %> <%= command.id %> cred_4kq9', '<%= config.bin %> <%= command.id %> cred_4kq9 --yes --json']
  static override args = { id: credentialArg }
  static override flags = { yes: Flags.boolean({ summary: 'Remove without asking.' }) }

  async run(): Promise<{ id: string; deleted: true }> {
    const { args, flags } = await this.parse(CredentialsRemove)
    const id = await credentialIdFor(args.id, this.deps)
    const result = await removeCredential(
      { id, yes: flags.yes, confirm: this.prompter && ((c) => this.prompter!.confirm(`Remove ${c.label} (${c.provider}, ${c.hint})?`)) },
      this.deps,
    )
    this.note(`Removed ${result.id}.`)
    return result
  }
}
