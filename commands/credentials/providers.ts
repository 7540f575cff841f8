import { BaseCommand } from '../../src/cli/base-command.js'
import { renderProviders } from '../../src/cli/render.js'
import { ProviderSummary, listProviders } from '../../src/core/credentials/register.js'

export default class CredentialsProviders extends BaseCommand<ProviderSummary> {
  static override get resultSchema() { return ProviderSummary }
  static override summary = 'List the providers credentials can be registered for, and their fields.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json | jq ".[].id"']

  async run(): Promise<ProviderSummary> {
    await this.parse(CredentialsProviders)
    const list = listProviders()
    this.log(renderProviders(list, this.colors))
    return list
  }
}
