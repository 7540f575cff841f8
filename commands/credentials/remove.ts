import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { DeletedCredential } from '../../src/core/contract/index.js'
import { removeCredential } from '../../src/core/credentials/manage.js'

export default class CredentialsRemove extends BaseCommand<{ id: string; deleted: true }> {
  static override get resultSchema() { return DeletedCredential }
  static override summary = 'Remove a credential from the platform (asks first on a terminal; --yes elsewhere).'
  static override examples = ['<%= config.bin %> <%= command.id %> cred_4kq9', '<%= config.bin %> <%= command.id %> cred_4kq9 --yes --json']
  static override args = { id: Args.string({ description: 'credential id (cred_...)', required: true }) }
  static override flags = { yes: Flags.boolean({ summary: 'Remove without asking.' }) }

  async run(): Promise<{ id: string; deleted: true }> {
    const { args, flags } = await this.parse(CredentialsRemove)
    const result = await removeCredential(
      { id: args.id, yes: flags.yes, confirm: this.prompter && ((c) => this.prompter!.confirm(`Remove ${c.label} (${c.provider}, ${c.hint})?`)) },
      this.deps,
    )
    this.note(`Removed ${result.id}.`)
    return result
  }
}
