import { BaseCommand } from '../../src/cli/base-command.js'
import { limitOf, listFlags } from '../../src/cli/list-flags.js'
import { renderProjects } from '../../src/cli/render.js'
import { listProjects, ProjectList } from '../../src/core/projects/list.js'

export default class ProjectsList extends BaseCommand<ProjectList> {
  static override get resultSchema() { return ProjectList }
  static override summary = 'List the projects of your organisation, newest first.'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --limit 200 --json | jq -r ".[].id"',
  ]
  static override flags = {
    ...listFlags('projects', 50),
  }

  async run(): Promise<ProjectList> {
    const { flags } = await this.parse(ProjectsList)
    const listed = await listProjects({ limit: limitOf(flags) }, this.deps)
    this.log(renderProjects(listed.items, this.colors))
    this.noteMore(listed, 'projects')
    return listed.items
  }
}
