import { Args } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { setSetting, Setting } from '../../src/core/config/settings.js'

export default class ConfigSet extends BaseCommand<Setting> {
  static override get resultSchema() { return Setting }
  static override summary = 'Change one setting of the selected profile.'
  static override description = 'Settings are not secret; tokens and keys never go in the config file.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> default_project prj_8f3k2',
    '<%= config.bin %> <%= command.id %> api_url https://clowd.acme.example --profile acme',
  ]
  static override args = {
    key: Args.string({ description: 'api_url, default_project or default_sandbox', required: true }),
    value: Args.string({ description: 'the new value', required: true }),
  }

  async run(): Promise<Setting> {
    const { args } = await this.parse(ConfigSet)
    const setting = await setSetting(args.key, args.value, this.deps)
    this.note(`Set ${setting.key} in profile ${this.deps.context.profileName}.`)
    return setting
  }
}
