import { Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { limitOf, listFlags } from '../../src/cli/list-flags.js'
import { renderSandboxes } from '../../src/cli/render.js'
import { listSandboxes, SandboxList } from '../../src/core/projects/list.js'

export default class SandboxesList extends BaseCommand<SandboxList> {
  static override get resultSchema() { return SandboxList }
  static override summary = 'List the sandboxes of a project.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --project prj_8f3k2',
    '<%= config.bin %> config set default_project prj_8f3k2 && <%= config.bin %> <%= command.id %> --json',
  ]
  static override flags = {
    project: Flags.string({
      summary: 'Project id (default: the profile setting default_project).',
      helpValue: '<prj_id>',
    }),
    ...listFlags('sandboxes', 50),
  }

  async run(): Promise<SandboxList> {
    const { flags } = await this.parse(SandboxesList)
    const listed = await listSandboxes({ project: flags.project, limit: limitOf(flags) }, this.deps)
    this.log(renderSandboxes(listed.items, this.colors))
    this.noteMore(listed, 'sandboxes')
    return listed.items
  }
}
