// How the local platform "probes" a credential for `verify`. A role the platform assumes (aws-role, bedrock with
// role_arn) is first assumed in the simulated AWS account (aws-account.ts), as the real platform would call STS: with
// the organisation's external ID, then without it. What the credential may do once assumed, and every other provider,
// is a fixture chosen when the secrets were opened (create, rotate), from their shape or, failing that, from the
// credential's label.
import type { AwsTrust, Credential, CredentialVerification } from '../../src/core/contract/credentials.js'
import { classifyKey } from '../../src/core/credentials/key-shapes.js'
import type { SimulatedAwsAccount } from './aws-account.js'

/** What a real probe could find out; a label containing a fixture's name selects it (e.g. `prod-read-only`). */
export const PROBE_FIXTURES = ['root-key', 'admin-key', 'read-only', 'ok'] as const
export type ProbeFixture = (typeof PROBE_FIXTURES)[number]

/** Key shapes that can administer the account they belong to: a probe would find a write call authorised. */
const ADMIN_SHAPES = new Set([
  'openai-admin-key',
  'anthropic-admin-key',
  'slack-user-token',
  'slack-config-token',
  'slack-app-token',
  'pagerduty-rest-api-key',
])

/** Providers whose credential can be a role the platform assumes (`role_arn`). */
const ROLE_PROVIDERS = new Set(['aws-role', 'bedrock'])

/** The role the platform assumes for this credential, if it is one. */
export function assumedRoleOf(credential: Pick<Credential, 'provider' | 'fields'>): string | undefined {
  return ROLE_PROVIDERS.has(credential.provider) ? credential.fields.role_arn : undefined
}

/** Chosen from the opened plaintexts, which the caller drops right after; the fixture is all that is kept. */
export function probeFixtureFor(provider: string, label: string, plaintexts: readonly string[]): ProbeFixture {
  if (plaintexts.some((text) => ADMIN_SHAPES.has(classifyKey(text.trim())?.id ?? ''))) return 'admin-key'
  return PROBE_FIXTURES.find((fixture) => label.includes(fixture)) ?? 'ok'
}

type Probe = Omit<CredentialVerification, 'credential_id' | 'checked_at'>
type ProbeOutcome = ProbeFixture | 'assume-role-denied' | 'external-id-not-enforced'

const PROBES: Record<ProbeOutcome, Probe> = {
  'assume-role-denied': {
    grade: 'F',
    findings: [
      {
        rule: 'probe.assume-role-denied',
        severity: 'error',
        message: "sts:AssumeRole was denied (AccessDenied) for the ClowdOps principal with your organisation's external ID: the role does not exist, or its trust policy does not allow it.",
        fix: "Trust the principal and require the external ID that GET /v1/aws-trust gives (clowdops credentials recipe aws-role fills both in when you are signed in); check role_arn.",
      },
    ],
  },
  'root-key': {
    grade: 'F',
    findings: [
      {
        rule: 'probe.root-key',
        severity: 'error',
        message: "The identity probe answered with the account's root user: this key can do anything, including closing the account.",
        fix: 'Delete the root access key and register a dedicated read-only role (clowdops credentials recipe aws-role).',
      },
    ],
  },
  'admin-key': {
    grade: 'F',
    findings: [
      {
        rule: 'probe.admin-key',
        severity: 'error',
        message: 'A dry-run write probe was authorised: the credential has administrator rights.',
        fix: 'Rotate to a read-only credential (clowdops credentials recipe PROVIDER --role read-only), then revoke this one.',
      },
    ],
  },
  'external-id-not-enforced': {
    grade: 'C',
    findings: [
      {
        rule: 'probe.external-id-not-enforced',
        severity: 'warning',
        message: "The role could be assumed without the external ID: its trust policy does not require sts:ExternalId (confused deputy).",
        fix: 'Add Condition StringEquals sts:ExternalId with the external ID the platform issued to the trust policy.',
      },
    ],
  },
  'read-only': {
    grade: 'A',
    findings: [{ rule: 'probe.read-only', severity: 'info', message: 'Read probes succeeded and every write probe was denied.' }],
  },
  ok: {
    grade: 'B',
    findings: [
      {
        rule: 'probe.unconfirmed',
        severity: 'info',
        message: 'The credential authenticates, but the probes could not confirm that it is read-only.',
        fix: 'Scope it with the least-privilege recipe (clowdops credentials recipe PROVIDER).',
      },
    ],
  },
}

/**
 * The verification of a credential: a role must be assumable by the platform's principal with the organisation's
 * external ID, and must not be without it (confused deputy); past that, and for every other credential, the fixture.
 */
export function probeResult(
  credential: Pick<Credential, 'id' | 'provider' | 'fields'>,
  fixture: ProbeFixture,
  aws: { account: SimulatedAwsAccount; trust: AwsTrust },
  now = new Date(),
): CredentialVerification {
  return { credential_id: credential.id, ...structuredClone(PROBES[outcomeOf(credential, fixture, aws)]), checked_at: now.toISOString() }
}

function outcomeOf(credential: Pick<Credential, 'provider' | 'fields'>, fixture: ProbeFixture, aws: { account: SimulatedAwsAccount; trust: AwsTrust }): ProbeOutcome {
  const roleArn = assumedRoleOf(credential)
  if (roleArn === undefined) return fixture
  const assume = (externalId: string | undefined) => aws.account.assumeRole({ roleArn, principalArn: aws.trust.principal_arn, externalId }).allowed
  if (!assume(aws.trust.external_id)) return 'assume-role-denied'
  if (assume(undefined)) return 'external-id-not-enforced'
  return fixture
}
