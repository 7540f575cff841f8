// `auth ci-check`: reads a CI job's OIDC ID token here (its claims are plain base64url JSON; no signature is needed to
// read them and the token is never sent), fetches the organisation's CI trust rules, and says which claim fails which
// rule and what change (in the workflow or in the rule) would make it pass. Token services say only "invalid_grant".
import { z } from 'zod'
import { endpoints } from '../contract/index.js'
import type { CiTrustRule } from '../contract/ci-trust.js'
import { UsageError } from '../errors.js'
import type { Deps } from '../ports.js'
import type { Secret } from '../secret.js'
import type { CiProvider } from './ci-identity.js'

const IdOrNumber = z.union([z.string(), z.number()]).transform(String)

/** The claims read; GitHub's and GitLab's extra claims are documented with their ID tokens. */
const IdTokenClaims = z.looseObject({
  iss: z.string().optional(),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
  sub: z.string().optional(),
  exp: z.number().optional(),
  repository: z.string().optional(),
  repository_owner: z.string().optional(),
  repository_id: IdOrNumber.optional(),
  repository_owner_id: IdOrNumber.optional(),
  ref: z.string().optional(),
  environment: z.string().optional(),
})
type IdTokenClaims = z.infer<typeof IdTokenClaims>

export const CheckedClaim = z.enum(['iss', 'aud', 'sub', 'repository', 'ref', 'environment', 'exp'])
export type CheckedClaim = z.infer<typeof CheckedClaim>

export const Fix = z.object({
  where: z.enum(['workflow', 'trust_rule']).describe('Change the CI job (workflow, .gitlab-ci.yml) or the platform’s trust rule.'),
  change: z.string().describe('The change, exactly.'),
})
export type Fix = z.infer<typeof Fix>

export const Mismatch = z.object({
  claim: CheckedClaim,
  expected: z.string().describe('What the rule (or, for exp, the clock) asks for.'),
  actual: z.string().nullable().describe('What the token carries; null when the claim is absent.'),
  explanation: z.string(),
  fixes: z.array(Fix).describe('Any one of them makes this claim pass.'),
})
export type Mismatch = z.infer<typeof Mismatch>

export const CiCheck = z
  .object({
    passes: z.boolean().describe('The platform’s token exchange would accept this token (exit 0; otherwise exit 4).'),
    source: z.enum(['github_actions', 'gitlab_ci', 'environment', 'file']).describe('Where the token was found.'),
    token: z
      .object({
        iss: z.string().nullable(),
        aud: z.array(z.string()),
        sub: z.string().nullable(),
        subject_format: z.enum(['github_names', 'github_ids', 'other']).describe('GitHub’s subject with names, or with immutable ids (2026), or another.'),
        repository: z.string().nullable(),
        repository_id: z.string().nullable(),
        repository_owner_id: z.string().nullable(),
        ref: z.string().nullable(),
        environment: z.string().nullable(),
        expires_at: z.string().nullable(),
      })
      .describe('The claims read from the token (never the token itself).'),
    expired: Mismatch.nullable().describe('The token has expired: no rule can pass it.'),
    matched_rule: z.string().nullable().describe('The rule that accepts it, when one does.'),
    closest_rule: z.string().nullable().describe('The rule with the fewest mismatches, when none accepts it.'),
    rules: z.array(z.object({ name: z.string(), passes: z.boolean(), mismatches: z.array(Mismatch) })),
  })
  .describe('`auth ci-check --json`: whether the platform would accept the CI job’s ID token, and per trust rule which claims do not match and how to fix them.')
export type CiCheck = z.infer<typeof CiCheck>

export type TokenSource = CiProvider | 'file'

/** The payload of a JWS compact serialization, read without checking its signature (the platform checks that). */
export function readClaims(token: Secret): IdTokenClaims {
  const parts = token.reveal().split('.')
  const payload = parts.length === 3 ? parts[1] : undefined
  let json: unknown
  try {
    json = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'))
  } catch {
    json = undefined
  }
  const claims = IdTokenClaims.safeParse(json)
  if (!payload || !claims.success) {
    throw new UsageError('The CI ID token is not a JWT with readable claims (three base64url parts, the middle one JSON).', {
      code: 'invalid_id_token',
      hint: 'Pass the ID token itself, as the CI system issued it, with nothing around it.',
    })
  }
  return claims.data
}

// GitHub subjects ------------------------------------------------------------------------------------------------------

/**
 * GitHub's subject in both spellings. Since 2026 new and renamed repositories get immutable ids appended with `@`:
 * `repo:OWNER@OWNER_ID/REPO@REPO_ID:…` (github.blog/changelog/2026-04-23-immutable-subject-claims-for-github-actions-
 * oidc-tokens; github/docs#45221; learn.microsoft.com/entra/workload-id/workload-identities-github-immutable-subjects).
 * The other spelling is derived only where the token's repository and id claims say the same as its subject.
 */
export interface GithubSubject {
  format: 'github_names' | 'github_ids'
  names: string
  ids: string | undefined
  /** What follows the repository: `ref:refs/heads/main`, `environment:production`, `pull_request`, … */
  context: string
}

const SUBJECT_WITH_IDS = /^repo:([^/@:]+)@(\d+)\/([^/@:]+)@(\d+):(.*)$/
const SUBJECT_WITH_NAMES = /^repo:([^/@:]+)\/([^/@:]+):(.*)$/

export function githubSubject(claims: IdTokenClaims): GithubSubject | undefined {
  const sub = claims.sub ?? ''
  const withIds = SUBJECT_WITH_IDS.exec(sub)
  if (withIds) {
    const [, owner, ownerId, repo, repoId, context = ''] = withIds
    const agrees = ownerId === claims.repository_owner_id && repoId === claims.repository_id && `${owner}/${repo}` === claims.repository
    return agrees ? { format: 'github_ids', names: `repo:${owner}/${repo}:${context}`, ids: sub, context } : undefined
  }
  const withNames = SUBJECT_WITH_NAMES.exec(sub)
  if (!withNames) return undefined
  const [, owner, repo, context = ''] = withNames
  const ids =
    claims.repository_owner_id && claims.repository_id && `${owner}/${repo}` === claims.repository
      ? `repo:${owner}@${claims.repository_owner_id}/${repo}@${claims.repository_id}:${context}`
      : undefined
  return { format: 'github_names', names: sub, ids, context }
}

function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')
  return new RegExp(`^${source}$`).test(value)
}

// Checks: one small function per claim -------------------------------------------------------------------------------

interface Checked {
  claims: IdTokenClaims
  audiences: string[]
  github: GithubSubject | undefined
  source: TokenSource
}

type ClaimCheck = (rule: CiTrustRule, token: Checked) => Mismatch | undefined

const show = (value: string | undefined) => value ?? null

const checkIssuer: ClaimCheck = (rule, { claims }) => {
  if (claims.iss === rule.issuer) return undefined
  return {
    claim: 'iss',
    expected: rule.issuer,
    actual: show(claims.iss),
    explanation: `The token was issued by ${claims.iss ?? 'nobody (no iss)'}; rule "${rule.name}" trusts tokens from ${rule.issuer}.`,
    fixes: [
      { where: 'workflow', change: `Run the job on the CI system whose issuer is ${rule.issuer}.` },
      ...(claims.iss ? [{ where: 'trust_rule' as const, change: `Set the issuer of rule "${rule.name}" to ${claims.iss}.` }] : []),
    ],
  }
}

function audienceFix(audience: string, source: TokenSource): Fix {
  switch (source) {
    case 'github_actions':
      return { where: 'workflow', change: `Request the token for that audience: clowdops login --ci --audience ${audience}` }
    case 'gitlab_ci':
      return { where: 'workflow', change: `In .gitlab-ci.yml: id_tokens: { CLOWDOPS_ID_TOKEN: { aud: ${audience} } }` }
    default:
      return { where: 'workflow', change: `Have the CI system issue the ID token with aud ${audience}.` }
  }
}

const checkAudience: ClaimCheck = (rule, { audiences, source }) => {
  if (audiences.includes(rule.audience)) return undefined
  return {
    claim: 'aud',
    expected: rule.audience,
    actual: audiences.length > 0 ? audiences.join(' ') : null,
    explanation: `The token is for ${audiences.length > 0 ? audiences.join(', ') : 'no audience'}; rule "${rule.name}" wants ${rule.audience} among them.`,
    fixes: [
      audienceFix(rule.audience, source),
      ...(audiences.length === 1 ? [{ where: 'trust_rule' as const, change: `Set the audience of rule "${rule.name}" to ${audiences[0]}.` }] : []),
    ],
  }
}

const checkSubject: ClaimCheck = (rule, { claims, github }) => {
  const sub = claims.sub ?? ''
  const forms = [sub, github?.names, github?.ids].filter((form): form is string => form !== undefined)
  if (forms.some((form) => globMatches(rule.subject, form))) return undefined
  const ruleUsesIds = SUBJECT_WITH_IDS.test(rule.subject) || /@\d/.test(rule.subject)
  const suggested = (ruleUsesIds ? github?.ids : github?.names) ?? sub
  const readAs = github && forms.length > 1 ? ` (read in both GitHub forms: ${github.names} and ${github.ids ?? 'no ids'})` : ''
  const fixes: Fix[] = [{ where: 'trust_rule', change: `Set the subject of rule "${rule.name}" to ${suggested}` }]
  const explanation = [`The token's subject is ${sub || 'missing'}${readAs}; rule "${rule.name}" accepts ${rule.subject}.`]
  if (github && /:environment:/.test(rule.subject) !== github.context.startsWith('environment:')) {
    // GitHub's default subject carries the job's environment in place of the ref when the job names one.
    explanation.push(
      github.context.startsWith('environment:')
        ? 'The job runs in a deployment environment, so GitHub puts `environment:NAME` in the subject, not the ref.'
        : 'The rule expects a deployment environment in the subject: GitHub puts one there only when the job declares `environment:`.',
    )
    const wanted = /:environment:([^:*]+)/.exec(rule.subject)?.[1]
    if (wanted) fixes.push({ where: 'workflow', change: `Add \`environment: ${wanted}\` to the job.` })
  }
  if (github && ruleUsesIds && github.ids && !globMatches(rule.subject, github.ids)) {
    explanation.push(
      'The rule names repository ids that differ from this token’s: the repository was recreated, or its name now belongs to another account. Trust the new ids only if this is the repository you mean.',
    )
  }
  return { claim: 'sub', expected: rule.subject, actual: show(claims.sub), explanation: explanation.join(' '), fixes }
}

const checkRepository: ClaimCheck = (rule, { claims }) => {
  if (rule.repository === undefined || claims.repository === rule.repository) return undefined
  return {
    claim: 'repository',
    expected: rule.repository,
    actual: show(claims.repository),
    explanation: `The job runs in ${claims.repository ?? 'no named repository'}; rule "${rule.name}" accepts only ${rule.repository}.`,
    fixes: [
      { where: 'workflow', change: `Run the workflow from ${rule.repository}.` },
      ...(claims.repository ? [{ where: 'trust_rule' as const, change: `Set the repository of rule "${rule.name}" to ${claims.repository}.` }] : []),
    ],
  }
}

const checkRef: ClaimCheck = (rule, { claims }) => {
  if (rule.ref === undefined || (claims.ref !== undefined && globMatches(rule.ref, claims.ref))) return undefined
  return {
    claim: 'ref',
    expected: rule.ref,
    actual: show(claims.ref),
    explanation: `The job runs on ${claims.ref ?? 'no ref'}; rule "${rule.name}" accepts ${rule.ref}.`,
    fixes: [
      { where: 'workflow', change: `Run the job on a ref matching ${rule.ref} (e.g. only on pushes to it).` },
      ...(claims.ref ? [{ where: 'trust_rule' as const, change: `Set the ref of rule "${rule.name}" to ${claims.ref}, or a pattern matching both.` }] : []),
    ],
  }
}

const checkEnvironment: ClaimCheck = (rule, { claims, source }) => {
  if (rule.environment === undefined || claims.environment === rule.environment) return undefined
  const file = source === 'gitlab_ci' ? '.gitlab-ci.yml' : 'the workflow'
  return {
    claim: 'environment',
    expected: rule.environment,
    actual: show(claims.environment),
    explanation: `The job ${claims.environment ? `deploys to ${claims.environment}` : 'names no environment'}; rule "${rule.name}" accepts only jobs in ${rule.environment}.`,
    fixes: [
      { where: 'workflow', change: `In ${file}, give the job \`environment: ${rule.environment}\`.` },
      { where: 'trust_rule', change: claims.environment ? `Set the environment of rule "${rule.name}" to ${claims.environment}.` : `Remove the environment condition of rule "${rule.name}".` },
    ],
  }
}

const CHECKS: readonly ClaimCheck[] = [checkIssuer, checkAudience, checkSubject, checkRepository, checkRef, checkEnvironment]

function checkExpiry(claims: IdTokenClaims, now: Date): Mismatch | null {
  if (claims.exp === undefined || claims.exp * 1000 > now.getTime()) return null
  return {
    claim: 'exp',
    expected: `after ${now.toISOString()}`,
    actual: new Date(claims.exp * 1000).toISOString(),
    explanation: 'The token has expired. CI ID tokens live for minutes: get one in the step that uses it.',
    fixes: [{ where: 'workflow', change: 'Run clowdops login --ci (or auth ci-check) in the step that needs the token, not an earlier one.' }],
  }
}

// The use case ---------------------------------------------------------------------------------------------------------

/** Every rule checked against the token; the verdict is the platform's if it enforces the rules it publishes. */
export async function checkCiToken(
  input: { token: Secret; source: TokenSource },
  deps: Pick<Deps, 'api' | 'clock'>,
): Promise<CiCheck> {
  const claims = readClaims(input.token)
  const audiences = claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud]
  const github = githubSubject(claims)
  const checked: Checked = { claims, audiences, github, source: input.source }
  const { rules } = await deps.api.call(endpoints.ciTrust)
  const results = rules.map((rule) => {
    const mismatches = CHECKS.map((check) => check(rule, checked)).filter((found): found is Mismatch => found !== undefined)
    return { name: rule.name, passes: mismatches.length === 0, mismatches }
  })
  const expired = checkExpiry(claims, deps.clock.now())
  const matched = results.find((result) => result.passes)
  const closest = matched ? undefined : [...results].sort((a, b) => a.mismatches.length - b.mismatches.length)[0]
  return {
    passes: expired === null && matched !== undefined,
    source: input.source,
    token: {
      iss: show(claims.iss),
      aud: audiences,
      sub: show(claims.sub),
      subject_format: github?.format ?? 'other',
      repository: show(claims.repository),
      repository_id: show(claims.repository_id),
      repository_owner_id: show(claims.repository_owner_id),
      ref: show(claims.ref),
      environment: show(claims.environment),
      expires_at: claims.exp === undefined ? null : new Date(claims.exp * 1000).toISOString(),
    },
    expired,
    matched_rule: matched?.name ?? null,
    closest_rule: closest?.name ?? null,
    rules: results,
  }
}
