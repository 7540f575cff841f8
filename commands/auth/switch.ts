import { Args } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { ProfileList, switchProfile } from '../../src/core/auth/profiles.js'

export default class AuthSwitch extends BaseCommand<ProfileList[number]> {
  static override get resultSchema() { return ProfileList.element }
  static override summary = 'Make another profile the active one.'
  static override description = 'Without a NAME, on a terminal, it asks which of the known profiles to switch to.'
  static override examples = ['<%= config.bin %> <%= command.id %> acme', '<%= config.bin %> <%= command.id %>']
  static override args = { name: Args.string({ description: 'profile name (asked for on a terminal when left out)' }) }

  async run(): Promise<ProfileList[number]> {
    const { args } = await this.parse(AuthSwitch)
    const profile = await switchProfile(args.name, this.deps)
    this.note(`Active profile: ${profile.profile}${profile.account ? ` (${profile.account})` : ''}.`)
    return profile
  }
}
