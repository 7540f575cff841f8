// --policy FILE on the providers whose credentials carry AWS IAM policies: each document linted (each statement as
// permissions or trust by whether it names a Principal; a mix is refused), its findings merged with the provider's.
import { UsageError } from '../errors.js'
import type { Finding } from './provider.js'
import { type IamActionCatalog, lintPolicyText, policyKind, policyServices } from './policy-lint.js'

/** Providers whose credentials are AWS principals with IAM policies. */
export const POLICY_PROVIDERS: readonly string[] = ['aws', 'aws-role', 'bedrock']

/** A policy document as read by the CLI layer: a display name (the file's base name) and its text. */
export interface PolicyDocumentInput {
  name: string
  text: string
}

/** Loads the AWS action metadata of the given service prefixes (an adapter: src/adapters/iam-actions.ts). */
export type IamActionLoader = (services: readonly string[]) => Promise<IamActionCatalog>

/** `--policy` is for AWS providers only: a usage error, before any secret is read, for the others. */
export function assertPolicyProvider(provider: string, documents: readonly PolicyDocumentInput[] | undefined): void {
  if (documents && documents.length > 0 && !POLICY_PROVIDERS.includes(provider)) {
    throw new UsageError(`--policy is for AWS IAM policies; ${provider} has none.`, { hint: `--policy applies to ${POLICY_PROVIDERS.join(', ')}.` })
  }
}

function shownName(name: string): string {
  const line = name.replace(/[\x00-\x1f\x7f]/g, '?')
  return line.length > 80 ? `${line.slice(0, 79)}…` : line
}

/** Every document's findings, each message led by the document's name. */
export async function checkPolicies(documents: readonly PolicyDocumentInput[], load: IamActionLoader): Promise<Finding[]> {
  const findings: Finding[] = []
  for (const document of documents) {
    let parsed: unknown
    try {
      parsed = JSON.parse(document.text)
    } catch {
      parsed = undefined
    }
    const kind = policyKind(parsed)
    // Every statement without a Principal is judged with the metadata, whatever the document's kind.
    const catalog = await load(policyServices(parsed))
    for (const found of lintPolicyText(document.text, kind, catalog)) {
      findings.push({ ...found, message: `${shownName(document.name)} (${kind} policy): ${found.message}` })
    }
  }
  return findings
}
