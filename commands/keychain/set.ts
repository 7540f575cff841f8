import { Args } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { StoredKeychainEntry, setKeychainEntry } from '../../src/core/keychain-entries.js'

export default class KeychainSet extends BaseCommand<StoredKeychainEntry> {
  static override get resultSchema() { return StoredKeychainEntry }
  static override summary = 'Store a secret in the OS keychain as SERVICE/ACCOUNT, for use as keychain:SERVICE/ACCOUNT.'
  static override description = `The value comes from stdin when something is piped in, else from a hidden prompt on a terminal; never from the command line. An existing entry of that name is replaced. The account may contain "/": the name splits at the first one.`
  static override examples = [
    '<%= config.bin %> <%= command.id %> aws/prod',
    `printf '%s' "$AWS_SECRET_ACCESS_KEY" | <%= config.bin %> <%= command.id %> aws/prod --json`,
    '<%= config.bin %> <%= command.id %> openai/ops-agent < key.txt',
  ]
  static override args = {
    name: Args.string({ description: 'SERVICE/ACCOUNT (or keychain:SERVICE/ACCOUNT)', required: true }),
  }

  // Not strict: a value typed after the name must be refused without oclif repeating it in "Unexpected argument: …".
  static override strict = false

  async run(): Promise<StoredKeychainEntry> {
    const { args, argv } = await this.parse(KeychainSet)
    const stored = await setKeychainEntry(
      { name: args.name, extraArgs: argv.slice(1) as string[] },
      { ...this.deps, input: this.deps.sources.input },
    )
    this.note(`${stored.replaced ? 'Replaced' : 'Stored'} ${stored.service}/${stored.account} in the OS keychain; refer to it as ${stored.reference}.`)
    return stored
  }
}
