// Listing, showing and removing registered credentials. The platform never returns secrets; neither do these.
import { z } from 'zod'
import { Credential, endpoints } from '../contract/index.js'
import { CancelledError, NotFoundError, UsageError } from '../errors.js'
import { collectPages, type Listed } from '../pagination.js'
import type { Deps } from '../ports.js'

export const CredentialList = z.array(Credential)
export type CredentialList = z.infer<typeof CredentialList>

export async function listCredentials(
  input: { project?: string | undefined; limit: number },
  deps: Pick<Deps, 'api' | 'context'>,
): Promise<Listed<Credential>> {
  const projectId = input.project ?? deps.context.profile.default_project
  if (!projectId) throw new UsageError('No project given.', { hint: 'Pass --project prj_..., or set one: clowdops config set default_project prj_...' })
  return collectPages((query) => deps.api.call(endpoints.listCredentials, { params: { project_id: projectId }, query }), input.limit)
}

/** Projects and credentials read when a label is looked up: bounded, and far above any real organisation's. */
const LABEL_SEARCH_LIMIT = 1000

/**
 * The id of the credential `ref` names: a `cred_` id as it is, otherwise a label, looked up in the default project
 * when there is one, else in every project. A label several credentials share is refused, listing them, so nothing is
 * done to the wrong one.
 */
export async function credentialIdFor(ref: string, deps: Pick<Deps, 'api' | 'context'>): Promise<string> {
  if (ref.startsWith('cred_')) return ref
  const defaultProject = deps.context.profile.default_project
  const projectIds = defaultProject
    ? [defaultProject]
    : (await collectPages((query) => deps.api.call(endpoints.listProjects, { query }), LABEL_SEARCH_LIMIT)).items.map((p) => p.id)
  const matches: Credential[] = []
  for (const projectId of projectIds) {
    const credentials = await collectPages(
      (query) => deps.api.call(endpoints.listCredentials, { params: { project_id: projectId }, query }),
      LABEL_SEARCH_LIMIT,
    )
    matches.push(...credentials.items.filter((credential) => credential.label === ref))
  }
  const where = defaultProject ? `project ${defaultProject}` : 'any project'
  const [only, ...others] = matches
  if (only === undefined) {
    throw new NotFoundError(`No credential with id or label ${JSON.stringify(ref)} in ${where}.`, {
      hint: `List them with: clowdops credentials list${defaultProject ? '' : ' --project PROJECT'}`,
    })
  }
  if (others.length > 0) {
    const listed = matches.map((c) => `${c.id} (project ${c.project_id}, ${c.provider})`).join(', ')
    throw new UsageError(`${matches.length} credentials are labelled ${JSON.stringify(ref)}: ${listed}.`, {
      code: 'ambiguous_label',
      hint: 'Name the one you mean by its id.',
    })
  }
  return only.id
}

export function showCredential(id: string, deps: Pick<Deps, 'api'>): Promise<Credential> {
  return deps.api.call(endpoints.getCredential, { params: { credential_id: id } })
}

/** Removal is irreversible: a person confirms on a terminal; elsewhere --yes says it was meant. */
export async function removeCredential(
  input: { id: string; yes: boolean; confirm?: ((credential: Credential) => Promise<boolean>) | undefined },
  deps: Pick<Deps, 'api'>,
): Promise<{ id: string; deleted: true }> {
  const credential = await showCredential(input.id, deps)
  if (!input.yes) {
    if (!input.confirm) throw new UsageError(`Removing ${credential.label} needs confirmation.`, { hint: `Pass --yes: clowdops credentials remove ${input.id} --yes` })
    if (!(await input.confirm(credential))) throw new CancelledError('Nothing was removed.')
  }
  return deps.api.call(endpoints.deleteCredential, { params: { credential_id: input.id } })
}
