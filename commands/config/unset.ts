import { Args } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { unsetSetting, Setting } from '../../src/core/config/settings.js'

export default class ConfigUnset extends BaseCommand<Setting> {
  static override get resultSchema() { return Setting }
  static override summary = 'Remove one setting from the selected profile.'
  static override examples = ['<%= config.bin %> <%= command.id %> default_project']
  static override args = {
    key: Args.string({ description: 'api_url, default_project or default_sandbox', required: true }),
  }

  async run(): Promise<Setting> {
    const { args } = await this.parse(ConfigUnset)
    const { setting, removed } = await unsetSetting(args.key, this.deps)
    const profile = this.deps.context.profileName
    this.note(removed ? `Removed ${setting.key} from profile ${profile}.` : `${setting.key} was not set in profile ${profile}; nothing to do.`)
    return setting
  }
}
