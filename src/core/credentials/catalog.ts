// The one registry of credential providers. Adding a provider: write providers/<id>.ts and add it here.
import { UsageError } from '../errors.js'
import { didYouMean } from '../suggest.js'
import type { Provider, ProviderKind } from './provider.js'
import { anthropic } from './providers/anthropic.js'
import { aws } from './providers/aws.js'
import { awsRole } from './providers/aws-role.js'
import { azure } from './providers/azure.js'
import { azureDevops } from './providers/azure-devops.js'
import { bedrock } from './providers/bedrock.js'
import { gcp } from './providers/gcp.js'
import { gemini } from './providers/gemini.js'
import { github } from './providers/github.js'
import { gitlab } from './providers/gitlab.js'
import { oci } from './providers/oci.js'
import { openai } from './providers/openai.js'
import { pagerduty } from './providers/pagerduty.js'
import { slack } from './providers/slack.js'
import { smtp } from './providers/smtp.js'
import { ssh } from './providers/ssh.js'
import { teams } from './providers/teams.js'
import { telegram } from './providers/telegram.js'

/** Every provider, in the order `clowdops credentials providers` lists them. */
export const providers: readonly Provider[] = [
  // cloud
  awsRole,
  aws,
  gcp,
  azure,
  oci,
  ssh,
  github,
  gitlab,
  azureDevops,
  // ai
  openai,
  anthropic,
  gemini,
  bedrock,
  // notification
  slack,
  teams,
  pagerduty,
  smtp,
  telegram,
]

export const PROVIDER_IDS: readonly string[] = providers.map((provider) => provider.id)

export function findProvider(id: string): Provider | undefined {
  return providers.find((provider) => provider.id === id)
}

export function providersOfKind(kind: ProviderKind): Provider[] {
  return providers.filter((provider) => provider.kind === kind)
}

/** The provider with this id; a UsageError (exit 2) listing the known ids otherwise. */
export function getProvider(id: string): Provider {
  const provider = findProvider(id)
  if (provider) return provider
  const shown = /^[A-Za-z0-9_-]{1,40}$/.test(id) ? `"${id}"` : 'given'
  throw new UsageError(`Unknown provider ${shown}.`, {
    code: 'unknown_provider',
    hint: `${didYouMean(id, PROVIDER_IDS)}Providers: ${PROVIDER_IDS.join(', ')} (clowdops credentials providers).`,
  })
}
