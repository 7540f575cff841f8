// How the local platform "probes" a credential for `verify`: no provider is called; the answer is a fixture chosen when
// the secrets were opened (create, rotate), from their shape or, failing that, from the credential's label.
import type { CredentialVerification } from '../../src/core/contract/credentials.js'
import { classifyKey } from '../../src/core/credentials/key-shapes.js'

/** What a real probe could find out; a label containing a fixture's name selects it (e.g. `prod-read-only`). */
export const PROBE_FIXTURES = ['root-key', 'admin-key', 'external-id-not-enforced', 'read-only', 'ok'] as const
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

/** Providers whose credential is a role the platform assumes; only these can leave the external ID unenforced. */
const ROLE_PROVIDERS = new Set(['aws-role', 'bedrock'])

/** Chosen from the opened plaintexts, which the caller drops right after; the fixture is all that is kept. */
export function probeFixtureFor(provider: string, label: string, plaintexts: readonly string[]): ProbeFixture {
  if (plaintexts.some((text) => ADMIN_SHAPES.has(classifyKey(text.trim())?.id ?? ''))) return 'admin-key'
  const named = PROBE_FIXTURES.find((fixture) => label.includes(fixture))
  if (named === 'external-id-not-enforced' && !ROLE_PROVIDERS.has(provider)) return 'ok'
  return named ?? 'ok'
}

type Probe = Omit<CredentialVerification, 'credential_id' | 'checked_at'>

const PROBES: Record<ProbeFixture, Probe> = {
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

export function probeResult(credentialId: string, fixture: ProbeFixture, now = new Date()): CredentialVerification {
  return { credential_id: credentialId, ...structuredClone(PROBES[fixture]), checked_at: now.toISOString() }
}
