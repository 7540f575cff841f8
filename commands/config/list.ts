import { BaseCommand } from '../../src/cli/base-command.js'
import { renderSettings } from '../../src/cli/render.js'
import { listSettings, SettingsReport } from '../../src/core/config/settings.js'

export default class ConfigList extends BaseCommand<SettingsReport> {
  static override get resultSchema() { return SettingsReport }
  static override summary = "Show the selected profile's settings and where each value comes from."
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --profile staging --json']

  async run(): Promise<SettingsReport> {
    await this.parse(ConfigList)
    const report = await listSettings(this.deps)
    this.log(renderSettings(report, this.colors))
    return report
  }
}
