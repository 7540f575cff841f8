import { Args } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { renderKeychainEntries } from '../../src/cli/render.js'
import { DEFAULT_KEYCHAIN_SERVICE, KeychainEntryList, listKeychainEntries } from '../../src/core/keychain-entries.js'

export default class KeychainList extends BaseCommand<KeychainEntryList> {
  static override get resultSchema() { return KeychainEntryList }
  static override summary = 'List the entries of one keychain service, by name only.'
  static override description = `Values are never shown. The OS keychain can only list one service at a time; without SERVICE this lists "${DEFAULT_KEYCHAIN_SERVICE}", which holds each profile's sign-in and any ${DEFAULT_KEYCHAIN_SERVICE}/NAME entry you stored.`
  static override examples = ['<%= config.bin %> <%= command.id %> aws', '<%= config.bin %> <%= command.id %> --json']
  static override args = {
    service: Args.string({ description: `keychain service (default: ${DEFAULT_KEYCHAIN_SERVICE})` }),
  }

  async run(): Promise<KeychainEntryList> {
    const { args } = await this.parse(KeychainList)
    const list = await listKeychainEntries({ service: args.service }, this.deps)
    this.log(renderKeychainEntries(list, this.colors))
    return list
  }
}
