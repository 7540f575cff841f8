import { Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { limitOf, listFlags } from '../../src/cli/list-flags.js'
import { renderCredentials } from '../../src/cli/render.js'
import { CredentialList, listCredentials } from '../../src/core/credentials/manage.js'

export default class CredentialsList extends BaseCommand<CredentialList> {
  static override get resultSchema() { return CredentialList }
  static override summary = 'List the credentials of a project, with their hints (never their secrets).'
  static override examples = ['<%= config.bin %> <%= command.id %> --project prj_8f3k2', '<%= config.bin %> <%= command.id %> --json']
  static override flags = {
    project: Flags.string({ summary: 'Project id (default: the profile setting default_project).', helpValue: '<prj_id>' }),
    ...listFlags('credentials', 100),
  }

  async run(): Promise<CredentialList> {
    const { flags } = await this.parse(CredentialsList)
    const listed = await listCredentials({ project: flags.project, limit: limitOf(flags) }, this.deps)
    this.log(renderCredentials(listed.items, this.colors))
    this.noteMore(listed, 'credentials')
    return listed.items
  }
}
