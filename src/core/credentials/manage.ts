// Listing, showing and removing registered credentials. The platform never returns secrets; neither do these.
import { z } from 'zod'
import { Credential, endpoints } from '../contract/index.js'
import { CancelledError, UsageError } from '../errors.js'
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
