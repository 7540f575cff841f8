// A registered credential over its life: attached to and detached from sandboxes, rotated (with add's checks), verified.
import { z } from 'zod'
import { Credential, type CredentialVerification, endpoints } from '../contract/index.js'
import { PlatformError, UsageError } from '../errors.js'
import type { Deps } from '../ports.js'
import { Secret } from '../secret.js'
import { blockingFindings, checkCredential } from './provider.js'
import { FindingOutput, providerOrUsage, readValues, refusal, sealValues } from './register.js'
import type { SecretSources } from './secret-ref.js'

export const Rotation = z.object({
  credential: Credential,
  findings: z.array(FindingOutput),
  rotated: z.array(z.string()).describe('The secret fields given new values; the others keep theirs.'),
})
export type Rotation = z.infer<typeof Rotation>

/** Attaching twice (or detaching what is not attached) is a no-op on the platform: both return the credential. */
type SandboxInput = { id: string; sandbox?: string | undefined }

export async function attachCredential(input: SandboxInput, deps: Pick<Deps, 'api' | 'context'>): Promise<Credential> {
  const target = { id: input.id, sandbox: sandboxOf(input, deps) }
  return sameProjectOrUsage(target, () => deps.api.call(endpoints.attachCredential, { params: { credential_id: target.id, sandbox_id: target.sandbox } }))
}

export async function detachCredential(input: SandboxInput, deps: Pick<Deps, 'api' | 'context'>): Promise<Credential> {
  const target = { id: input.id, sandbox: sandboxOf(input, deps) }
  return sameProjectOrUsage(target, () => deps.api.call(endpoints.detachCredential, { params: { credential_id: target.id, sandbox_id: target.sandbox } }))
}

/** --sandbox, else the profile's default_sandbox (`clowdops config set default_sandbox sbx_...`). */
function sandboxOf(input: SandboxInput, deps: Pick<Deps, 'context'>): string {
  const sandbox = input.sandbox ?? deps.context.profile.default_sandbox
  if (!sandbox) throw new UsageError('No sandbox given.', { hint: 'Pass --sandbox sbx_..., or set a default: clowdops config set default_sandbox sbx_...' })
  return sandbox
}

/** A sandbox of another project is a wrong --sandbox value (usage, exit 2), not a platform failure. */
async function sameProjectOrUsage(input: { id: string; sandbox: string }, call: () => Promise<Credential>): Promise<Credential> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof PlatformError && error.code === 'sandbox_in_other_project') {
      throw new UsageError(error.message, { hint: `Pick a sandbox of the credential's project: clowdops credentials show ${input.id}, then clowdops sandboxes list --project PROJECT.` })
    }
    throw error
  }
}

/**
 * `credentials rotate`: new values for some or all secret fields, checked like `add` — the provider's rules on the
 * given secrets plus the stored non-secret fields — and refused (exit 10) before anything is sent; then sealed under
 * the credential's own context. Findings about stored secrets that are not being replaced are not re-judged (the
 * platform never returns them). Risks accepted earlier do not carry over to new values: a new key is a new decision.
 */
export async function rotateCredential(
  input: { id: string; fields: string[]; allow: string[]; allowInsecureFile: boolean },
  deps: Pick<Deps, 'api'> & { sources: SecretSources },
): Promise<Rotation> {
  const credential = await deps.api.call(endpoints.getCredential, { params: { credential_id: input.id } })
  const provider = providerOrUsage(credential.provider)
  const secretFields = provider.fields.filter((f) => f.secret).map((f) => f.name)
  if (secretFields.length === 0) throw new UsageError(`${provider.id} credentials have no secret fields to rotate.`, { hint: 'Remove it and add it again to change its fields.' })
  for (const pair of input.fields) {
    const name = pair.slice(0, Math.max(pair.indexOf('='), 0))
    if (provider.fields.some((f) => f.name === name && !f.secret)) {
      throw new UsageError(`${name} is not a secret field; rotate replaces secrets only.`, { hint: `Secret fields of ${provider.id}: ${secretFields.join(', ')}.` })
    }
  }
  // With no --field on a terminal, every stored secret is asked for; otherwise only what was referenced is read.
  const stored = Object.keys(credential.secrets)
  const given = await readValues(provider, input.fields, deps.sources, input.allowInsecureFile, input.fields.length === 0 ? stored : [])
  const rotated = Object.keys(given).filter((name) => given[name] instanceof Secret)
  if (rotated.length === 0) {
    throw new UsageError('Nothing to rotate.', { hint: `Give new values as references: --field ${secretFields[0]}=env:NAME (or keychain:, file:, stdin).` })
  }

  const kept = new Set(stored.filter((name) => !rotated.includes(name)))
  const values = { ...credential.fields, ...given }
  const findings = checkCredential(provider, values).filter((f) => f.field === undefined || !kept.has(f.field))
  const blocking = blockingFindings(findings, input.allow)
  if (blocking.length > 0) throw refusal(blocking)

  const { secrets } = await sealValues(provider, given, credential, deps)
  const fired = new Set(findings.map((f) => f.rule))
  const updated = await deps.api.call(endpoints.rotateCredential, {
    params: { credential_id: credential.id },
    body: {
      secrets,
      // A hint built without a kept secret would lose its part of the hint: a partial rotation leaves the hint alone.
      ...(kept.size === 0 ? { hint: provider.hint(values) } : {}),
      accepted_risks: input.allow.filter((rule) => fired.has(rule)),
    },
  })
  return { credential: updated, findings, rotated }
}

/** `credentials verify`: the platform probes with side-effect-free calls and grades the answers. */
export function verifyCredential(id: string, deps: Pick<Deps, 'api'>): Promise<CredentialVerification> {
  return deps.api.call(endpoints.verifyCredential, { params: { credential_id: id } })
}

/** Grade F means the credential must not be used: the command exits 10 (a least-privilege check failed). */
export const failingGrade = (verification: CredentialVerification) => verification.grade === 'F'
