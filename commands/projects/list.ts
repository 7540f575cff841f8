import { Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
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
    limit: Flags.integer({ summary: 'Most projects to list (pages are fetched as needed).', default: 50, min: 1 }),
  }

  async run(): Promise<ProjectList> {
    const { flags } = await this.parse(ProjectsList)
    const projects = await listProjects({ limit: flags.limit }, this.deps)
    this.log(renderProjects(projects, this.colors))
    return projects
  }
}
