import { Args } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { DeletedKeychainEntry, deleteKeychainEntry } from '../../src/core/keychain-entries.js'

export default class KeychainDelete extends BaseCommand<DeletedKeychainEntry> {
  static override get resultSchema() { return DeletedKeychainEntry }
  static override summary = 'Delete the keychain entry SERVICE/ACCOUNT (exit 5 when there is none).'
  static override examples = ['<%= config.bin %> <%= command.id %> aws/prod', '<%= config.bin %> <%= command.id %> keychain:aws/prod --json']
  static override args = {
    name: Args.string({ description: 'SERVICE/ACCOUNT (or keychain:SERVICE/ACCOUNT)', required: true }),
  }

  async run(): Promise<DeletedKeychainEntry> {
    const { args } = await this.parse(KeychainDelete)
    const deleted = await deleteKeychainEntry({ name: args.name }, this.deps)
    this.note(`Deleted ${deleted.service}/${deleted.account} from the OS keychain.`)
    return deleted
  }
}
