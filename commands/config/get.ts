import { Args } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { getSetting, Setting } from '../../src/core/config/settings.js'

export default class ConfigGet extends BaseCommand<Setting> {
  static override get resultSchema() { return Setting }
  static override summary = 'Print one setting of the selected profile (exit 5 when it is not set).'
  static override examples = ['<%= config.bin %> <%= command.id %> default_project', '<%= config.bin %> <%= command.id %> api_url --profile staging']
  static override args = {
    key: Args.string({ description: 'api_url, default_project, default_sandbox, account or org', required: true }),
  }

  async run(): Promise<Setting> {
    const { args } = await this.parse(ConfigGet)
    const setting = await getSetting(args.key, this.deps)
    this.log(setting.value ?? '')
    return setting
  }
}
