import { BaseCommand } from '../../src/cli/base-command.js'
import { renderProfiles } from '../../src/cli/render.js'
import { ProfileList, listProfiles } from '../../src/core/auth/profiles.js'

export default class AuthList extends BaseCommand<ProfileList> {
  static override get resultSchema() { return ProfileList }
  static override summary = 'List the profiles, the active one marked.'
  static override examples = ['<%= config.bin %> <%= command.id %>']

  async run(): Promise<ProfileList> {
    await this.parse(AuthList)
    const profiles = await listProfiles(this.deps)
    this.log(renderProfiles(profiles, this.colors))
    return profiles
  }
}
