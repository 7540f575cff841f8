// Registering a credential: fields from --field, secrets from references, offline checks, sealing, then one upload.
import { z } from 'zod'
import { Credential, type SealedSecret, endpoints } from '../contract/index.js'
import { ClowdopsError, RefusedError, UsageError } from '../errors.js'
import type { Deps } from '../ports.js'
import { getProvider, providers } from './catalog.js'
import { type CredentialValues, type Finding, type Provider, blockingFindings, checkCredential } from './provider.js'
import { type IamActionLoader, type PolicyDocumentInput, assertPolicyProvider, checkPolicies } from './policy-check.js'
import { ASSUMED_ROLE_PROVIDERS, checkTrustAgainstIssued, fetchAwsTrust } from './aws-trust.js'
import { sealSecret } from './seal.js'
import { type SecretSources, parseSecretRef, resolveSecretRef } from './secret-ref.js'

export const FindingOutput = z.object({
  rule: z.string(),
  severity: z.enum(['error', 'warning']),
  field: z.string().optional(),
  message: z.string(),
  fix: z.string(),
  source: z.string(),
})

export const LintResult = z.object({ provider: z.string(), hint: z.string(), findings: z.array(FindingOutput), refused: z.boolean() })
export type LintResult = z.infer<typeof LintResult>
export const Registration = z.object({ credential: Credential, findings: z.array(FindingOutput) })
export type Registration = z.infer<typeof Registration>

export const ProviderSummary = z.array(
  z.object({
    id: z.string(),
    kind: z.enum(['cloud', 'ai', 'notification']),
    title: z.string(),
    fields: z.array(z.object({ name: z.string(), secret: z.boolean(), required: z.boolean(), description: z.string() })),
  }),
)
export type ProviderSummary = z.infer<typeof ProviderSummary>

export function listProviders(): ProviderSummary {
  return providers.map((p) => ({
    id: p.id,
    kind: p.kind,
    title: p.title,
    fields: p.fields.map(({ name, secret, required, description }) => ({ name, secret, required, description })),
  }))
}

export interface CredentialInput {
  provider: string
  /** `name=value` for plain fields, `name=REFERENCE` for secret fields. */
  fields: string[]
  allow: string[]
  allowInsecureFile: boolean
  /** `--policy FILE` documents (aws, aws-role, bedrock), read by the CLI layer; their findings join the provider's. */
  policies?: PolicyDocumentInput[]
}

/** What `--policy` needs: the AWS action metadata loader (src/adapters/iam-actions.ts). */
export interface PolicyDeps {
  iamActions?: IamActionLoader
}

/** The provider's checks, then the policy lint of any `--policy` documents. */
async function allFindings(provider: Provider, values: CredentialValues, input: CredentialInput, deps: PolicyDeps): Promise<Finding[]> {
  const findings = checkCredential(provider, values)
  if (input.policies && input.policies.length > 0) {
    findings.push(...(await checkPolicies(input.policies, deps.iamActions ?? (async () => ({ actions: () => undefined })))))
  }
  return findings
}

export function providerOrUsage(id: string): Provider {
  return getProvider(id)
}

/**
 * `name=value` pairs; a secret field's value is a reference, resolved here and held as Secret. On a terminal, the
 * secret fields in `promptFor` (by default every required one) that nobody referenced are asked for.
 */
export async function readValues(
  provider: Provider,
  fields: string[],
  sources: SecretSources,
  allowInsecureFile: boolean,
  promptFor: readonly string[] = provider.fields.filter((f) => f.secret && f.required).map((f) => f.name),
) {
  const values: Record<string, CredentialValues[string]> = {}
  for (const pair of fields) {
    const at = pair.indexOf('=')
    if (at <= 0) throw new UsageError(`--field takes name=value, got something without "=".`, { hint: `Fields of ${provider.id}: ${provider.fields.map((f) => f.name).join(', ')}.` })
    const name = pair.slice(0, at)
    const value = pair.slice(at + 1)
    if (Object.hasOwn(values, name)) throw new UsageError(`--field ${name} is given twice.`)
    const spec = provider.fields.find((field) => field.name === name)
    values[name] = spec?.secret
      ? await resolveSecretRef(parseSecretRef(value, { field: name }), sources, { allowInsecureFile, field: name })
      : value
  }
  // On a terminal, a required secret nobody referenced is asked for with a hidden prompt; elsewhere it is reported.
  for (const field of provider.fields) {
    if (field.secret && promptFor.includes(field.name) && values[field.name] === undefined && sources.input.canPrompt) {
      values[field.name] = await resolveSecretRef({ kind: 'stdin' }, sources, { field: field.name })
    }
  }
  return values
}

export function refusal(blocking: Finding[]): RefusedError {
  const lines = blocking.map((f) => `${f.rule}${f.field ? ` (${f.field})` : ''}: ${f.message}`)
  const waivable = blocking.filter((f) => !f.rule.startsWith('field.')).map((f) => f.rule)
  return new RefusedError(`Refused before sending anything:\n  ${lines.join('\n  ')}`, {
    code: 'check_failed',
    hint: waivable.length
      ? `Fix it (${blocking[0]?.fix ?? ''}), or accept the risk with ${[...new Set(waivable)].map((r) => `--allow ${r}`).join(' ')}.`
      : (blocking[0]?.fix ?? 'Fix the fields above.'),
  })
}

/** `credentials lint`: every offline check, no sign-in, nothing sent. */
export async function lintCredential(input: CredentialInput, deps: { sources: SecretSources } & PolicyDeps): Promise<LintResult> {
  const provider = providerOrUsage(input.provider)
  assertPolicyProvider(provider.id, input.policies)
  const values = await readValues(provider, input.fields, deps.sources, input.allowInsecureFile)
  const findings = await allFindings(provider, values, input, deps)
  return { provider: provider.id, hint: provider.hint(values), findings, refused: blockingFindings(findings, input.allow).length > 0 }
}

/** `credentials add`: the same checks (refusing before anything is sent), then sealed secrets in one idempotent POST. */
export async function registerCredential(
  input: CredentialInput & { label: string; project?: string | undefined; sandboxes: string[] },
  deps: Pick<Deps, 'api' | 'context'> & { sources: SecretSources } & PolicyDeps,
): Promise<Registration> {
  const provider = providerOrUsage(input.provider)
  assertPolicyProvider(provider.id, input.policies)
  const projectId = input.project ?? deps.context.profile.default_project
  if (!projectId) {
    throw new UsageError('No project given.', { hint: 'Pass --project prj_..., or set one: clowdops config set default_project prj_...' })
  }
  const values = await readValues(provider, input.fields, deps.sources, input.allowInsecureFile)
  const findings = await allFindings(provider, values, input, deps)
  // A role's trust document is checked against what the platform issued: signed in, the exact values are known.
  if (ASSUMED_ROLE_PROVIDERS.includes(provider.id) && input.policies && input.policies.length > 0) {
    findings.push(...checkTrustAgainstIssued(input.policies, await fetchAwsTrust(deps)))
  }
  const blocking = blockingFindings(findings, input.allow)
  if (blocking.length > 0) throw refusal(blocking)

  const { fields, secrets } = await sealValues(provider, values, { project_id: projectId, label: input.label }, deps)
  const fired = new Set(findings.map((f) => f.rule))
  const credential = await deps.api.call(endpoints.createCredential, {
    params: { project_id: projectId },
    body: {
      provider: provider.id,
      label: input.label,
      hint: provider.hint(values),
      fields,
      secrets,
      sandboxes: input.sandboxes,
      accepted_risks: input.allow.filter((rule) => fired.has(rule)),
    },
  }).catch((error: unknown) => {
    if (error instanceof ClowdopsError && error.code === 'credential_exists') {
      throw error.withHint(
        `Choose another --label, or give the existing one a new secret: clowdops credentials rotate ID (its ID in clowdops credentials list --project ${projectId})`,
      )
    }
    throw error
  })
  return { credential, findings }
}

/**
 * Splits values into plain fields and secrets sealed to the platform's current key, each bound to the organisation,
 * project, provider, label and field: the one sealing step of add and rotate.
 */
export async function sealValues(
  provider: Provider,
  values: CredentialValues,
  credential: { project_id: string; label: string },
  deps: Pick<Deps, 'api'>,
): Promise<{ fields: Record<string, string>; secrets: Record<string, SealedSecret> }> {
  const me = await deps.api.call(endpoints.me)
  const [key] = (await deps.api.call(endpoints.credentialKeys)).data
  if (!key) throw new RefusedError('The platform published no credential key to seal to.')
  const secrets: Record<string, SealedSecret> = {}
  const fields: Record<string, string> = {}
  for (const field of provider.fields) {
    const value = values[field.name]
    if (value === undefined) continue
    if (typeof value === 'string') fields[field.name] = value
    else secrets[field.name] = await sealSecret(value, key, { org_id: me.org.id, ...credential, provider: provider.id, field: field.name })
  }
  return { fields, secrets }
}
