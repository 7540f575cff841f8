// Projects and their sandboxes, as the platform lists them.
import { z } from 'zod'
import { Project, Sandbox, endpoints } from '../contract/index.js'
import { UsageError } from '../errors.js'
import { collectPages, type Listed } from '../pagination.js'
import type { Deps } from '../ports.js'

export const ProjectList = z.array(Project)
export type ProjectList = z.infer<typeof ProjectList>
export const SandboxList = z.array(Sandbox)
export type SandboxList = z.infer<typeof SandboxList>

export async function listProjects(input: { limit: number }, deps: Pick<Deps, 'api'>): Promise<Listed<Project>> {
  return collectPages((query) => deps.api.call(endpoints.listProjects, { query }), input.limit)
}

/** The project comes from --project, else the profile's default_project. */
export async function listSandboxes(
  input: { project?: string | undefined; limit: number },
  deps: Pick<Deps, 'api' | 'context'>,
): Promise<Listed<Sandbox>> {
  const projectId = input.project ?? deps.context.profile.default_project
  if (!projectId) {
    throw new UsageError('No project given.', {
      hint: 'Pass --project prj_..., or set a default: clowdops config set default_project prj_...',
    })
  }
  return collectPages(
    (query) => deps.api.call(endpoints.listSandboxes, { params: { project_id: projectId }, query }),
    input.limit,
  )
}
