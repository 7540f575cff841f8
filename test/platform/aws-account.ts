// The customer's AWS account as the local platform sees it: the IAM roles a test (or the demo) created, each with its
// trust policy, and the one call the platform makes on them, sts:AssumeRole. Written from AWS's documentation, not
// from the CLI's own policy lint, so that `credentials verify` is graded by a second, independent reading:
// - IAM User Guide, "Policy evaluation logic": an explicit Deny in any statement wins; otherwise some Allow must
//   match; otherwise the request is implicitly denied.
// - "AWS JSON policy elements: Principal": `*` trusts anyone; an account id or `arn:aws:iam::ACCOUNT:root` trusts
//   every principal of that account; a role ARN trusts that role only.
// - "IAM JSON policy elements: Condition operators": keys within one operator are ANDed and the values of one key
//   ORed; a key missing from the request makes a string operator false but its negated form (StringNot…) true;
//   `…IfExists` is true when the key is missing; `Null: "true"` holds when the key is missing. Condition key names are
//   case-insensitive, string values are not (except the IgnoreCase operators).
// - AWS STS API Reference, AssumeRole: AccessDenied does not say why; a role that does not exist is denied alike.

export interface AssumeRoleRequest {
  roleArn: string
  principalArn: string
  /** sts:AssumeRole's ExternalId parameter; absent when the caller passes none. */
  externalId?: string | undefined
}

export type AssumeRoleResult = { allowed: true } | { allowed: false; reason: 'explicit-deny' | 'no-allow' }

type Statement = Record<string, unknown>

export class SimulatedAwsAccount {
  private readonly roles = new Map<string, unknown>()

  /** `aws iam create-role` (or update-assume-role-policy): the role now trusts what `trustPolicy` says. */
  putRole(roleArn: string, trustPolicy: unknown): void {
    this.roles.set(roleArn, structuredClone(trustPolicy))
  }

  deleteRole(roleArn: string): void {
    this.roles.delete(roleArn)
  }

  assumeRole(request: AssumeRoleRequest): AssumeRoleResult {
    const policy = this.roles.get(request.roleArn)
    const statements = statementsOf(policy)
    const context = requestContext(request)
    const applies = (s: Statement) => principalMatches(s, request.principalArn) && actionMatches(s, 'sts:AssumeRole') && conditionHolds(s.Condition, context)
    if (statements.some((s) => s.Effect === 'Deny' && applies(s))) return { allowed: false, reason: 'explicit-deny' }
    if (statements.some((s) => s.Effect === 'Allow' && applies(s))) return { allowed: true }
    return { allowed: false, reason: 'no-allow' }
  }
}

function statementsOf(policy: unknown): Statement[] {
  if (typeof policy !== 'object' || policy === null) return []
  const statement = (policy as Record<string, unknown>).Statement
  const list = Array.isArray(statement) ? statement : [statement]
  return list.filter((s): s is Statement => typeof s === 'object' && s !== null)
}

function asList(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
}

/** Condition values as IAM reads them: `true` and `"true"` alike. */
function conditionValues(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value]
  return list.filter((v) => ['string', 'boolean', 'number'].includes(typeof v)).map(String)
}

function accountOf(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1]
}

/** Does one Principal entry name this caller: `*`, its exact ARN, its account id or its account's root. */
function namesPrincipal(entry: string, principalArn: string): boolean {
  if (entry === '*' || entry === principalArn) return true
  const account = accountOf(principalArn)
  return account !== undefined && (entry === account || new RegExp(`^arn:aws[a-z-]*:iam::${account}:root$`).test(entry))
}

function principalEntries(principal: unknown): string[] {
  if (principal === '*') return ['*']
  if (typeof principal !== 'object' || principal === null) return []
  return asList((principal as Record<string, unknown>).AWS)
}

function principalMatches(statement: Statement, principalArn: string): boolean {
  if ('NotPrincipal' in statement) return !principalEntries(statement.NotPrincipal).some((e) => namesPrincipal(e, principalArn))
  return principalEntries(statement.Principal).some((e) => namesPrincipal(e, principalArn))
}

/** IAM's wildcards: `*` any run of characters, `?` any one. */
function wildcard(pattern: string, flags = ''): RegExp {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')
  return new RegExp(`^${source}$`, flags)
}

function actionMatches(statement: Statement, action: string): boolean {
  const matches = (list: unknown) => asList(list).some((pattern) => wildcard(pattern, 'i').test(action))
  return 'NotAction' in statement ? !matches(statement.NotAction) : matches(statement.Action)
}

/** The request context keys of an AssumeRole call, lower-cased (key names are case-insensitive). */
function requestContext(request: AssumeRoleRequest): Map<string, string> {
  const context = new Map([['aws:principalarn', request.principalArn]])
  const account = accountOf(request.principalArn)
  if (account) context.set('aws:principalaccount', account)
  if (request.externalId !== undefined) context.set('sts:externalid', request.externalId)
  return context
}

type Compare = (actual: string, expected: string) => boolean
const STRING_OPERATORS: Record<string, { compare: Compare; negated: boolean }> = {
  StringEquals: { compare: (a, e) => a === e, negated: false },
  StringNotEquals: { compare: (a, e) => a === e, negated: true },
  StringEqualsIgnoreCase: { compare: (a, e) => a.toLowerCase() === e.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { compare: (a, e) => a.toLowerCase() === e.toLowerCase(), negated: true },
  StringLike: { compare: (a, e) => wildcard(e).test(a), negated: false },
  StringNotLike: { compare: (a, e) => wildcard(e).test(a), negated: true },
  ArnEquals: { compare: (a, e) => wildcard(e).test(a), negated: false },
  ArnLike: { compare: (a, e) => wildcard(e).test(a), negated: false },
  ArnNotEquals: { compare: (a, e) => wildcard(e).test(a), negated: true },
  ArnNotLike: { compare: (a, e) => wildcard(e).test(a), negated: true },
}

function operatorHolds(operator: string, key: string, expected: string[], context: Map<string, string>): boolean {
  const actual = context.get(key.toLowerCase())
  if (operator === 'Null') return expected.some((e) => (e === 'true') === (actual === undefined))
  const ifExists = operator.endsWith('IfExists')
  const rule = STRING_OPERATORS[ifExists ? operator.slice(0, -'IfExists'.length) : operator]
  // An operator this simulation does not know decides nothing in the caller's favour: AWS would not have stored it.
  if (!rule) return false
  if (actual === undefined) return ifExists || rule.negated
  const any = expected.some((e) => rule.compare(actual, e))
  return rule.negated ? !any : any
}

function conditionHolds(condition: unknown, context: Map<string, string>): boolean {
  if (condition === undefined) return true
  if (typeof condition !== 'object' || condition === null) return false
  return Object.entries(condition as Record<string, unknown>).every(([operator, keys]) => {
    if (typeof keys !== 'object' || keys === null) return false
    return Object.entries(keys as Record<string, unknown>).every(([key, values]) => operatorHolds(operator, key, conditionValues(values), context))
  })
}
