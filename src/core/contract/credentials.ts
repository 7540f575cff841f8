// Credential sealing on the wire: the platform's public keys, and what a sealed secret looks like.
import { z } from 'zod'

export const HPKE_SUITE = {
  kem: 'DHKEM(X25519, HKDF-SHA256)',
  kdf: 'HKDF-SHA256',
  aead: 'AES-256-GCM',
} as const

export const CredentialKey = z
  .object({
    key_id: z.string().regex(/^ck_/),
    kem: z.literal(HPKE_SUITE.kem),
    kdf: z.literal(HPKE_SUITE.kdf),
    aead: z.literal(HPKE_SUITE.aead),
    public_key: z.string().describe('The raw X25519 public key, base64url.'),
    fingerprint_key: z
      .string()
      .describe('A per-organisation HMAC key (base64url) for fingerprints: change detection without the secret.'),
    created_at: z.iso.datetime(),
  })
  .meta({ id: 'CredentialKey' })
export type CredentialKey = z.infer<typeof CredentialKey>

export const CredentialKeys = z
  .object({ data: z.array(CredentialKey).min(1).describe('The current key first; older keys still open old envelopes.') })
  .meta({ id: 'CredentialKeys' })
export type CredentialKeys = z.infer<typeof CredentialKeys>

/**
 * What a sealed secret is bound to (HPKE associated data): an envelope opened under any other context fails,
 * so a ciphertext cannot be replayed as another credential or another field.
 */
export const SealContext = z.object({
  org_id: z.string(),
  project_id: z.string(),
  provider: z.string(),
  label: z.string(),
  field: z.string(),
  key_id: z.string(),
})
export type SealContext = z.infer<typeof SealContext>

export const SealedSecret = z
  .object({
    key_id: z.string().regex(/^ck_/),
    enc: z.string().describe('The HPKE encapsulated key, base64url.'),
    ciphertext: z.string().describe('The HPKE ciphertext, base64url.'),
    fingerprint: z.string().describe('HMAC-SHA256(fingerprint_key, provider, field, secret), base64url.'),
  })
  .meta({ id: 'SealedSecret' })
export type SealedSecret = z.infer<typeof SealedSecret>

/** The associated data: canonical (sorted-key) JSON of the context, so both sides build the same bytes. */
export function associatedData(context: SealContext): Uint8Array {
  const sorted = Object.fromEntries(Object.entries(SealContext.parse(context)).sort(([a], [b]) => a.localeCompare(b)))
  return new TextEncoder().encode(JSON.stringify(sorted))
}

export const CredentialLabel = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ., _ and -, up to 64 characters')

/**
 * AWS's ExternalId parameter of sts:AssumeRole: 2 to 1224 characters of `[\w+=,.@:/-]` (AWS STS API Reference,
 * AssumeRole, ExternalId).
 */
export const AwsExternalId = z.string().regex(/^[\w+=,.@:/-]{2,1224}$/, 'an AWS external ID: 2 to 1224 of letters, digits and +=,.@:/-_')

/**
 * What a customer's role trust policy names so that the platform, and only the platform acting for this organisation,
 * can assume it: AWS's confused-deputy guidance (IAM User Guide, "Access to AWS accounts owned by third parties").
 */
export const AwsTrust = z
  .object({
    principal_arn: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/)
      .describe("The platform's AWS principal, which calls sts:AssumeRole: the trust policy's Principal.AWS."),
    external_id: AwsExternalId.describe(
      "Issued once per organisation and passed on every sts:AssumeRole: the trust policy's StringEquals sts:ExternalId. Not a secret, but no other organisation has it.",
    ),
  })
  .meta({ id: 'AwsTrust' })
export type AwsTrust = z.infer<typeof AwsTrust>

export const Credential = z
  .object({
    id: z.string().regex(/^cred_/),
    project_id: z.string().regex(/^prj_/),
    provider: z.string(),
    label: CredentialLabel,
    hint: z.string().describe('What identifies the credential to a person: a key prefix and last 4, a region. Never the secret.'),
    fields: z.record(z.string(), z.string()).describe('The non-secret fields.'),
    secrets: z
      .record(z.string(), z.object({ key_id: z.string(), fingerprint: z.string() }))
      .describe('Per secret field: the key it was sealed to and its keyed fingerprint. The platform never returns secrets.'),
    sandboxes: z.array(z.string().regex(/^sbx_/)),
    accepted_risks: z.array(z.string()).describe('Check ids the user accepted with --allow when registering.'),
    external_id: AwsExternalId.optional().describe(
      'A role the platform assumes (aws-role, bedrock with role_arn): the external ID it passes to sts:AssumeRole, the one GET /v1/aws-trust gives.',
    ),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: 'Credential' })
export type Credential = z.infer<typeof Credential>

export const CreateCredential = z
  .object({
    provider: z.string(),
    label: CredentialLabel,
    hint: z.string(),
    fields: z.record(z.string(), z.string()),
    secrets: z.record(z.string(), SealedSecret),
    sandboxes: z.array(z.string().regex(/^sbx_/)).default([]),
    accepted_risks: z.array(z.string()).default([]),
  })
  .meta({ id: 'CreateCredential' })
export type CreateCredential = z.infer<typeof CreateCredential>

export const DeletedCredential = z.object({ id: z.string(), deleted: z.literal(true) }).meta({ id: 'DeletedCredential' })

/**
 * New sealed values for some or all of a credential's secret fields, sealed under the same context as at creation
 * (org, project, provider, label, field). Non-secret fields are not changed by a rotation.
 */
export const RotateCredential = z
  .object({
    secrets: z
      .record(z.string(), SealedSecret)
      .refine((secrets) => Object.keys(secrets).length > 0, 'at least one secret field')
      .describe('The secret fields being replaced; the others keep their stored values.'),
    hint: z.string().optional().describe('The new display hint; absent when a partial rotation leaves it as it was.'),
    accepted_risks: z.array(z.string()).default([]).describe('Check ids accepted with --allow for the new values; added to those recorded.'),
  })
  .meta({ id: 'RotateCredential' })
export type RotateCredential = z.infer<typeof RotateCredential>

export const VerificationGrade = z.enum(['A', 'B', 'C', 'F'])
export type VerificationGrade = z.infer<typeof VerificationGrade>

export const CredentialVerification = z
  .object({
    credential_id: z.string().regex(/^cred_/),
    grade: VerificationGrade.describe('A: read-only confirmed; B: works, least privilege not confirmed; C: works with a risk to fix; F: must not be used.'),
    findings: z.array(
      z.object({
        rule: z.string(),
        severity: z.enum(['error', 'warning', 'info']),
        message: z.string(),
        fix: z.string().optional(),
      }),
    ),
    checked_at: z.iso.datetime(),
  })
  .meta({ id: 'CredentialVerification' })
export type CredentialVerification = z.infer<typeof CredentialVerification>
