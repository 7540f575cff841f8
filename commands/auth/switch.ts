import { Args } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { ProfileList, switchProfile } from '../../src/core/auth/profiles.js'

export default class AuthSwitch extends BaseCommand<ProfileList[number]> {
  static override get resultSchema() { return ProfileList.element }
  static override summary = 'Make another profile the active one.'
  static override examples = ['<%= config.bin %> <%= command.id %> acme']
  static override args = { name: Args.string({ description: 'profile name', required: true }) }

  async run(): Promise<ProfileList[number]> {
    const { args } = await this.parse(AuthSwitch)
    const profile = await switchProfile(args.name, this.deps)
    this.note(`Active profile: ${profile.profile}${profile.account ? ` (${profile.account})` : ''}.`)
    return profile
  }
}
