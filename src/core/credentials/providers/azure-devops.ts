// Azure DevOps (Services or Server) with a personal access token scoped to one organisation.
import {
  type Finding,
  httpUrlSchema,
  insecureUrlFindings,
  joinHint,
  judgeShape,
  maskSecret,
  parseHttpUrl,
  type Provider,
  tokenSchema,
  shownValue,
  valueOf,
} from '../provider.js'

const PAT_DOCS = 'Microsoft Learn: Use personal access tokens (Azure DevOps)'
const LEGACY_PAT = /^[a-z2-7]{52}$/

function check(values: Parameters<Provider['check']>[0]): Finding[] {
  const findings: Finding[] = insecureUrlFindings(values, {
    provider: 'azure-devops',
    field: 'organization_url',
    fix: 'Give the https:// URL (https://dev.azure.com/ORGANIZATION).',
    source: 'Microsoft Learn: Azure DevOps Server, Set up HTTPS with TLS',
  })
  const token = valueOf(values, 'token')?.trim()
  if (token === undefined) return findings
  const judged = judgeShape(
    { provider: 'azure-devops', field: 'token', expected: 'an Azure DevOps personal access token' },
    token,
    { 'azure-devops-pat': 'ok' },
  )
  if (judged.shape || LEGACY_PAT.test(token)) return [...findings, ...judged.findings]
  findings.push({
    rule: 'azure-devops.unrecognised-token',
    severity: 'warning',
    field: 'token',
    message: 'token does not look like an Azure DevOps personal access token (84 characters, or 52 for older tokens).',
    fix: 'Create a PAT for this organisation only, with read scopes (Code: Read, Build: Read, Work Items: Read) and a short expiry.',
    source: `${PAT_DOCS}; trufflehog: AzureDevopsPersonalAccessToken`,
  })
  return findings
}

export const azureDevops: Provider = {
  id: 'azure-devops',
  kind: 'cloud',
  title: 'Azure DevOps (personal access token)',
  fields: [
    {
      name: 'organization_url',
      secret: false,
      required: true,
      description: 'the organisation URL',
      schema: httpUrlSchema,
      example: 'https://dev.azure.com/contoso',
    },
    { name: 'token', secret: true, required: true, description: 'a personal access token for this organisation, with read scopes', schema: tokenSchema(512) },
  ],
  check,
  hint: (values) => {
    const url = parseHttpUrl(shownValue(values, 'organization_url') ?? '')
    return joinHint(maskSecret(valueOf(values, 'token')), url ? `${url.host}${url.pathname.replace(/\/$/, '')}` : undefined)
  },
}
