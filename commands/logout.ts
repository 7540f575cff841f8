import { Flags } from '@oclif/core'
import { BaseCommand } from '../src/cli/base-command.js'
import { renderLogout } from '../src/cli/render.js'
import { LogoutResult, logout } from '../src/core/auth/profiles.js'

export default class Logout extends BaseCommand<LogoutResult> {
  static override get resultSchema() { return LogoutResult }
  static override summary = 'Sign out: revoke the tokens on the platform, then delete them from this machine.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --profile acme', '<%= config.bin %> <%= command.id %> --all']
  static override flags = {
    all: Flags.boolean({ summary: 'Sign out of every profile.', exclusive: ['profile'] }),
  }

  async run(): Promise<LogoutResult> {
    const { flags } = await this.parse(Logout)
    const results = await logout({ all: flags.all }, this.deps)
    this.log(renderLogout(results, this.colors))
    return results
  }
}
