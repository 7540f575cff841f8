// What an AWS role must trust for the platform to assume it (GET /v1/aws-trust), and the check of a `--policy` trust
// document against it when `credentials add` registers a role: the offline lint knows that an exact sts:ExternalId is
// required, only the platform knows which one.
import { type AwsTrust, endpoints } from '../contract/index.js'
import type { Deps } from '../ports.js'
import type { PolicyDocumentInput } from './policy-check.js'
import { exactExternalIds, readTrust, type Statement, statementGrants } from './policy-lint.js'
import type { Finding } from './provider.js'

/** Providers whose credential can be a role the platform assumes (`role_arn`): their trust policy names the platform. */
export const ASSUMED_ROLE_PROVIDERS: readonly string[] = ['aws-role', 'bedrock']

const SOURCE = 'AWS IAM User Guide: Access to AWS accounts owned by third parties (external ID); GET /v1/aws-trust'

/** The issued principal and external ID, or undefined when this profile is not signed in (nothing is sent then). */
export async function awsTrustIfSignedIn(deps: Pick<Deps, 'api' | 'session'>): Promise<AwsTrust | undefined> {
  if ((await deps.session.token()) === undefined) return undefined
  return fetchAwsTrust(deps)
}

export function fetchAwsTrust(deps: Pick<Deps, 'api'>): Promise<AwsTrust> {
  return deps.api.call(endpoints.awsTrust, {})
}

/** The Allow statements of a trust document that grant sts:AssumeRole; none for a malformed one (the lint reports it). */
function assumeRoleStatements(text: string): Statement[] {
  try {
    return readTrust(JSON.parse(text)).filter((statement) => statementGrants(statement, 'sts:AssumeRole'))
  } catch {
    return []
  }
}

function principals(statement: Statement): unknown[] {
  const principal = statement.principal
  if (typeof principal !== 'object' || principal === null) return []
  const aws = (principal as Record<string, unknown>).AWS
  return Array.isArray(aws) ? aws : [aws]
}

/**
 * Each trust document must let the issued principal in, and require the issued external ID: otherwise sts:AssumeRole
 * fails once registered (or, for a foreign ID, the role trusts another organisation's). Documents with no trust
 * statement (permissions policies) are not looked at.
 */
export function checkTrustAgainstIssued(documents: readonly PolicyDocumentInput[], trust: AwsTrust): Finding[] {
  const findings: Finding[] = []
  for (const input of documents) {
    const statements = assumeRoleStatements(input.text)
    if (statements.length === 0) continue
    if (!statements.some((s) => principals(s).includes(trust.principal_arn))) {
      findings.push({
        rule: 'aws-role.trust-principal',
        severity: 'error',
        message: `${input.name} does not trust the ClowdOps principal ${trust.principal_arn}: the platform could not assume the role.`,
        fix: `Name it in Principal.AWS (clowdops credentials recipe aws-role fills it in when you are signed in).`,
        source: SOURCE,
      })
    }
    const required = statements.flatMap((statement) => exactExternalIds(statement.condition))
    if (required.length > 0 && !required.includes(trust.external_id)) {
      findings.push({
        rule: 'aws-role.trust-external-id',
        severity: 'error',
        message: `${input.name} requires an sts:ExternalId other than your organisation's (${required.map((id) => JSON.stringify(id)).join(', ')}; issued: ${JSON.stringify(trust.external_id)}).`,
        fix: `Require "sts:ExternalId": "${trust.external_id}" with StringEquals.`,
        source: SOURCE,
      })
    }
  }
  return findings
}
