import { Args } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { renderKeychainEntries } from '../../src/cli/render.js'
import { KeychainEntryList, listKeychainEntries } from '../../src/core/keychain-entries.js'

export default class KeychainList extends BaseCommand<KeychainEntryList> {
  static override get resultSchema() { return KeychainEntryList }
  static override summary = 'List keychain entries by name only: those `keychain set` stored, or every entry of SERVICE.'
  static override description =
    'Values are never shown. The OS keychain can only list one service at a time, so without SERVICE this lists the entries ' +
    '`clowdops keychain set` stored with this config directory (their names are recorded in keychain-entries.json there) that ' +
    "are still in the keychain; clowdops's own sign-in entries are not among them. With SERVICE it lists every entry of that " +
    'service, whichever tool made it. --json: {"services": [...], "entries": [{"service", "account", "reference"}]}.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> aws --json']
  static override args = {
    service: Args.string({ description: 'keychain service (default: the services `keychain set` stored under)' }),
  }

  async run(): Promise<KeychainEntryList> {
    const { args } = await this.parse(KeychainList)
    const list = await listKeychainEntries({ service: args.service }, this.deps)
    this.log(renderKeychainEntries(list, this.colors))
    return list
  }
}
