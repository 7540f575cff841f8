// Every endpoint of the platform API, once: the client calls them, the local platform serves them,
// and the OpenAPI document is generated from them.
import { z } from 'zod'
import { PageQuery, ResponseLimits, page } from './conventions.js'
import { AwsTrust, CreateCredential, Credential, CredentialKeys, CredentialVerification, DeletedCredential, RotateCredential } from './credentials.js'
import {
  AnswerClarification,
  AskClarification,
  BatchResult,
  BatchSubmission,
  ConsentEventPage,
  ConsentList,
  ConsentPurposeParams,
  ConsentWrite,
  CreateAppeal,
  CreateComplaint,
  CreatePrivacyRequest,
  ExportFileParams,
  ExportManifest,
  PrivacyDiscovery,
  PrivacyReport,
  PrivacyReportQuery,
  PrivacyRequest,
  PrivacyRequestPage,
  PrivacyRequestParams,
  PrivacyRequestQuery,
  PutConsent,
  VerifyPrivacyRequest,
} from './privacy.js'
import { CiTrust } from './ci-trust.js'
import { CreateProject, Health, Me, Project, Sandbox } from './resources.js'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface Endpoint<
  Params extends z.ZodType = z.ZodType,
  Query extends z.ZodType = z.ZodType,
  Body extends z.ZodType = z.ZodType,
  Response extends z.ZodType = z.ZodType,
> {
  /** The OpenAPI operationId, e.g. `projects.list`. */
  id: string
  method: HttpMethod
  /** With `{name}` placeholders filled from `params`. */
  path: string
  summary: string
  tag: string
  /** Scopes the bearer token must carry; undefined means no authentication. */
  scopes?: string[]
  params?: Params
  query?: Query
  body?: Body
  response: Response
  status: number
  /** Mutating endpoints require an `Idempotency-Key` header. */
  idempotent?: boolean
  /**
   * The response body is a file, not JSON: served with `ETag`, `Accept-Ranges: bytes`, 206 for a `Range` and `If-Range`
   * honoured. `response` then describes what the server hands over (bytes, content type, ETag), not a JSON body.
   */
  download?: { contentTypes: string[] }
  /** The most bytes of a JSON response the client reads (ResponseLimits.default when absent); not for downloads. */
  maxResponseBytes?: number
}

/** What a download endpoint's handler returns; on the wire it is the bytes alone. */
export interface FileBody {
  bytes: Uint8Array
  contentType: string
  /** A strong validator, quoted: `"sha256:..."`. */
  etag: string
}

const FileBodySchema = z.custom<FileBody>(
  (value) => typeof value === 'object' && value !== null && (value as FileBody).bytes instanceof Uint8Array,
)

function endpoint<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
  e: Endpoint<P, Q, B, R>,
): Endpoint<P, Q, B, R> {
  return e
}

const ProjectParams = z.object({ project_id: z.string().regex(/^prj_/, 'a project id (prj_...)') })

const CredentialParams = z.object({ credential_id: z.string().regex(/^cred_/, 'a credential id (cred_...)') })

const CredentialSandboxParams = CredentialParams.extend({ sandbox_id: z.string().regex(/^sbx_/, 'a sandbox id (sbx_...)') })

export const ProjectPage = page(Project, 'ProjectPage')
export const CredentialPage = page(Credential, 'CredentialPage')
export const SandboxPage = page(Sandbox, 'SandboxPage')

const privacyRead = ['privacy:read']
const privacyWrite = ['privacy:write']

export const endpoints = {
  health: endpoint({
    id: 'health.get',
    method: 'GET',
    path: '/v1/health',
    summary: 'Liveness of the platform API; needs no token.',
    tag: 'meta',
    response: Health,
    status: 200,
    maxResponseBytes: ResponseLimits.small,
  }),
  me: endpoint({
    id: 'me.get',
    method: 'GET',
    path: '/v1/me',
    summary: 'The user and organisation the token belongs to, and its scopes.',
    tag: 'users',
    scopes: [],
    response: Me,
    status: 200,
  }),
  ciTrust: endpoint({
    id: 'ci-trust.get',
    method: 'GET',
    path: '/v1/ci-trust',
    // No token: the job asking is one that cannot sign in yet. The rules say whose signed tokens are accepted, which
    // helps nobody forge one (the CI system signs them), as a JWKS or a discovery document is public.
    summary: 'The CI trust rules the token exchange applies to CI jobs’ OIDC ID tokens; needs no token.',
    tag: 'ci',
    response: CiTrust,
    status: 200,
  }),
  listProjects: endpoint({
    id: 'projects.list',
    method: 'GET',
    path: '/v1/projects',
    summary: 'The projects of the organisation, newest first, one cursor page at a time.',
    tag: 'projects',
    scopes: ['projects:read'],
    query: PageQuery,
    response: ProjectPage,
    status: 200,
    maxResponseBytes: ResponseLimits.page,
  }),
  createProject: endpoint({
    id: 'projects.create',
    method: 'POST',
    path: '/v1/projects',
    summary: 'Create a project.',
    tag: 'projects',
    scopes: ['projects:write'],
    body: CreateProject,
    response: Project,
    status: 201,
    idempotent: true,
  }),
  listSandboxes: endpoint({
    id: 'sandboxes.list',
    method: 'GET',
    path: '/v1/projects/{project_id}/sandboxes',
    summary: 'The sandboxes of a project, one cursor page at a time.',
    tag: 'sandboxes',
    scopes: ['projects:read'],
    params: ProjectParams,
    query: PageQuery,
    response: SandboxPage,
    status: 200,
    maxResponseBytes: ResponseLimits.page,
  }),
  credentialKeys: endpoint({
    id: 'credential-keys.list',
    method: 'GET',
    path: '/v1/credential-keys',
    summary: "The organisation's public keys that credentials are sealed to (HPKE, RFC 9180), current key first.",
    tag: 'credentials',
    scopes: [],
    response: CredentialKeys,
    status: 200,
  }),
  awsTrust: endpoint({
    id: 'aws-trust.get',
    method: 'GET',
    path: '/v1/aws-trust',
    summary: "What an AWS role's trust policy must name for the platform to assume it: the platform's principal and this organisation's external ID.",
    tag: 'credentials',
    scopes: ['credentials:read'],
    response: AwsTrust,
    status: 200,
  }),
  listCredentials: endpoint({
    id: 'credentials.list',
    method: 'GET',
    path: '/v1/projects/{project_id}/credentials',
    summary: 'The credentials registered in a project, newest first; never their secrets.',
    tag: 'credentials',
    scopes: ['credentials:read'],
    params: ProjectParams,
    query: PageQuery,
    response: CredentialPage,
    status: 200,
    maxResponseBytes: ResponseLimits.page,
  }),
  createCredential: endpoint({
    id: 'credentials.create',
    method: 'POST',
    path: '/v1/projects/{project_id}/credentials',
    summary: 'Register a credential: secrets arrive sealed to a credential key, bound to project, provider, label and field.',
    tag: 'credentials',
    scopes: ['credentials:write'],
    params: ProjectParams,
    body: CreateCredential,
    response: Credential,
    status: 201,
    idempotent: true,
  }),
  getCredential: endpoint({
    id: 'credentials.get',
    method: 'GET',
    path: '/v1/credentials/{credential_id}',
    summary: 'One credential; never its secrets.',
    tag: 'credentials',
    scopes: ['credentials:read'],
    params: CredentialParams,
    response: Credential,
    status: 200,
  }),
  deleteCredential: endpoint({
    id: 'credentials.delete',
    method: 'DELETE',
    path: '/v1/credentials/{credential_id}',
    summary: 'Remove a credential; the platform forgets its sealed secrets.',
    tag: 'credentials',
    scopes: ['credentials:write'],
    params: CredentialParams,
    response: DeletedCredential,
    status: 200,
    idempotent: true,
  }),
  attachCredential: endpoint({
    id: 'credentials.attach',
    method: 'PUT',
    path: '/v1/credentials/{credential_id}/sandboxes/{sandbox_id}',
    summary: "Attach a credential to a sandbox of its own project; attaching it again changes nothing.",
    tag: 'credentials',
    scopes: ['credentials:write'],
    params: CredentialSandboxParams,
    response: Credential,
    status: 200,
    idempotent: true,
  }),
  detachCredential: endpoint({
    id: 'credentials.detach',
    method: 'DELETE',
    path: '/v1/credentials/{credential_id}/sandboxes/{sandbox_id}',
    summary: 'Detach a credential from a sandbox; detaching one that is not attached changes nothing.',
    tag: 'credentials',
    scopes: ['credentials:write'],
    params: CredentialSandboxParams,
    response: Credential,
    status: 200,
    idempotent: true,
  }),
  rotateCredential: endpoint({
    id: 'credentials.rotate',
    method: 'POST',
    path: '/v1/credentials/{credential_id}/rotate',
    summary: 'Replace some or all secret fields with new values, sealed under the same context as at creation.',
    tag: 'credentials',
    scopes: ['credentials:write'],
    params: CredentialParams,
    body: RotateCredential,
    response: Credential,
    status: 200,
    idempotent: true,
  }),
  verifyCredential: endpoint({
    id: 'credentials.verify',
    method: 'POST',
    path: '/v1/credentials/{credential_id}/verify',
    summary: 'Probe the credential with side-effect-free calls and grade what it can do (A best, F must not be used).',
    tag: 'credentials',
    scopes: ['credentials:write'],
    params: CredentialParams,
    response: CredentialVerification,
    status: 200,
    idempotent: true,
  }),
  privacyDiscovery: endpoint({
    id: 'privacy.discovery',
    method: 'GET',
    path: '/v1/privacy/discovery',
    summary: 'What the privacy API supports here: regulations and their periods, purposes, grace period, verification, batch size.',
    tag: 'privacy',
    scopes: [],
    response: PrivacyDiscovery,
    status: 200,
    maxResponseBytes: ResponseLimits.small,
  }),
  listPrivacyRequests: endpoint({
    id: 'privacy-requests.list',
    method: 'GET',
    path: '/v1/privacy/requests',
    summary: 'Privacy requests, newest first, filtered by state, type and update time.',
    tag: 'privacy',
    scopes: privacyRead,
    query: PrivacyRequestQuery,
    response: PrivacyRequestPage,
    status: 200,
    maxResponseBytes: ResponseLimits.page,
  }),
  privacyReport: endpoint({
    id: 'privacy-report.get',
    method: 'GET',
    path: '/v1/privacy/report',
    summary:
      "The organisation's privacy requests in numbers: counts by state, type and regulation, deadlines running, due " +
      'soon and overdue, time to answer, and due dates per day ahead. Computed on the platform in one call, however many ' +
      'requests there are.',
    tag: 'privacy',
    scopes: ['privacy:admin'],
    query: PrivacyReportQuery,
    response: PrivacyReport,
    status: 200,
  }),
  createPrivacyRequest: endpoint({
    id: 'privacy-requests.create',
    method: 'POST',
    path: '/v1/privacy/requests',
    summary:
      'Exercise a right for the signed-in account. The client-generated id is also the Idempotency-Key, so a retry can never ' +
      'create a second request. Starts in pending_verification: a code goes to the account email.',
    tag: 'privacy',
    scopes: privacyWrite,
    body: CreatePrivacyRequest,
    response: PrivacyRequest,
    status: 201,
    idempotent: true,
  }),
  submitPrivacyBatch: endpoint({
    id: 'privacy-requests.batch',
    method: 'POST',
    path: '/v1/privacy/requests:batch',
    summary:
      'Submit requests for other people, up to max_batch_size at a time, with an attestation of how their identity was ' +
      'verified. Each item has a result of its own (never all-or-nothing); an id that exists comes back as a duplicate, so ' +
      'sending a batch again creates nothing twice. 400 only when the batch itself is malformed; 413 when it is too large.',
    tag: 'privacy',
    scopes: ['privacy:admin'],
    body: BatchSubmission,
    response: BatchResult,
    status: 200,
    idempotent: true,
    maxResponseBytes: ResponseLimits.page,
  }),
  getPrivacyRequest: endpoint({
    id: 'privacy-requests.get',
    method: 'GET',
    path: '/v1/privacy/requests/{request_id}',
    summary: 'One privacy request: its state, due date and days left.',
    tag: 'privacy',
    scopes: privacyRead,
    params: PrivacyRequestParams,
    response: PrivacyRequest,
    status: 200,
  }),
  verifyPrivacyRequest: endpoint({
    id: 'privacy-requests.verify',
    method: 'POST',
    path: '/v1/privacy/requests/{request_id}/verification',
    summary:
      'Prove the identity with the emailed code: the request moves to received and its response period starts. A wrong ' +
      'code spends an attempt (422 invalid_code); an expired or spent code needs a new one (422 code_expired, too_many_attempts).',
    tag: 'privacy',
    scopes: privacyWrite,
    params: PrivacyRequestParams,
    body: VerifyPrivacyRequest,
    response: PrivacyRequest,
    status: 200,
    idempotent: true,
  }),
  appealPrivacyRequest: endpoint({
    id: 'privacy-requests.appeal',
    method: 'POST',
    path: '/v1/privacy/requests/{request_id}/appeals',
    summary:
      'Appeal the refusal (denied) of a request, where its law grants an appeal (most US state laws): a new record of kind ' +
      'appeal, linked by regarding, due within the law\'s appeal window. The id is also the Idempotency-Key. 409 ' +
      'appeal_not_granted, not_denied, appeal_window_closed or already_appealed.',
    tag: 'privacy',
    scopes: privacyWrite,
    params: PrivacyRequestParams,
    body: CreateAppeal,
    response: PrivacyRequest,
    status: 201,
    idempotent: true,
  }),
  complainPrivacyRequest: endpoint({
    id: 'privacy-requests.complain',
    method: 'POST',
    path: '/v1/privacy/requests/{request_id}/complaints',
    summary:
      'Complain about the handling of a request, where its law provides a complaint to the organisation (UK, from 19 June ' +
      '2026): recorded and acknowledged at once, a record of kind complaint linked by regarding. 409 complaint_not_available.',
    tag: 'privacy',
    scopes: privacyWrite,
    params: PrivacyRequestParams,
    body: CreateComplaint,
    response: PrivacyRequest,
    status: 201,
    idempotent: true,
  }),
  askPrivacyClarification: endpoint({
    id: 'privacy-requests.ask-clarification',
    method: 'POST',
    path: '/v1/privacy/requests/{request_id}/clarifications',
    summary:
      'The privacy team asks the person for information it needs to answer the request. Where the law stops the clock ' +
      'meanwhile (UK GDPR Art. 12A), the deadlines move on until the answer. 409 when a question is already open or the request is final.',
    tag: 'privacy',
    scopes: ['privacy:admin'],
    params: PrivacyRequestParams,
    body: AskClarification,
    response: PrivacyRequest,
    status: 200,
    idempotent: true,
  }),
  answerPrivacyClarification: endpoint({
    id: 'privacy-requests.answer-clarification',
    method: 'POST',
    path: '/v1/privacy/requests/{request_id}/clarifications:answer',
    summary: 'The person answers the open question of the privacy team; a stopped clock starts again. 409 when no question is open.',
    tag: 'privacy',
    scopes: privacyWrite,
    params: PrivacyRequestParams,
    body: AnswerClarification,
    response: PrivacyRequest,
    status: 200,
    idempotent: true,
  }),
  resendPrivacyVerification: endpoint({
    id: 'privacy-requests.resend-code',
    method: 'POST',
    path: '/v1/privacy/requests/{request_id}/verification/code',
    summary: 'Email a new verification code; the old one stops working and the attempts start again.',
    tag: 'privacy',
    scopes: privacyWrite,
    params: PrivacyRequestParams,
    response: PrivacyRequest,
    status: 200,
    idempotent: true,
  }),
  cancelPrivacyRequest: endpoint({
    id: 'privacy-requests.cancel',
    method: 'POST',
    path: '/v1/privacy/requests/{request_id}/cancel',
    summary:
      'Cancel a request that has not reached a final state; an erasure until its grace period ends. Canceling a canceled ' +
      'request changes nothing; any other final state is 409 not_cancelable.',
    tag: 'privacy',
    scopes: privacyWrite,
    params: PrivacyRequestParams,
    response: PrivacyRequest,
    status: 200,
    idempotent: true,
  }),
  getPrivacyExport: endpoint({
    id: 'privacy-exports.get',
    method: 'GET',
    path: '/v1/privacy/requests/{request_id}/export',
    summary: 'The manifest of a completed export: each file with its size, SHA-256 and expiry. 409 export_not_ready before.',
    tag: 'privacy',
    scopes: privacyRead,
    params: PrivacyRequestParams,
    response: ExportManifest,
    status: 200,
  }),
  downloadPrivacyExportFile: endpoint({
    id: 'privacy-exports.download',
    method: 'GET',
    path: '/v1/privacy/requests/{request_id}/export/files/{name}',
    summary:
      'The bytes of one export file. Resumable: send Range: bytes=N- with If-Range: <ETag> to continue an interrupted download (206).',
    tag: 'privacy',
    scopes: privacyRead,
    params: ExportFileParams,
    response: FileBodySchema,
    status: 200,
    download: { contentTypes: ['application/zip', 'application/gzip'] },
  }),
  listConsents: endpoint({
    id: 'consents.list',
    method: 'GET',
    path: '/v1/privacy/consents',
    summary: 'The state of every consent-based purpose for the signed-in account.',
    tag: 'consent',
    scopes: privacyRead,
    response: ConsentList,
    status: 200,
  }),
  putConsent: endpoint({
    id: 'consents.put',
    method: 'PUT',
    path: '/v1/privacy/consents/{purpose}',
    summary:
      'Record a grant or a withdrawal. Idempotent; a write whose collected_at is older than the stored record is not applied ' +
      'and comes back as outcome stale.',
    tag: 'consent',
    scopes: privacyWrite,
    params: ConsentPurposeParams,
    body: PutConsent,
    response: ConsentWrite,
    status: 200,
  }),
  consentHistory: endpoint({
    id: 'consents.history',
    method: 'GET',
    path: '/v1/privacy/consents/{purpose}/history',
    summary: 'Every write for one purpose, newest first, including unchanged and stale ones.',
    tag: 'consent',
    scopes: privacyRead,
    params: ConsentPurposeParams,
    query: PageQuery,
    response: ConsentEventPage,
    status: 200,
    maxResponseBytes: ResponseLimits.page,
  }),
} as const

export type Endpoints = typeof endpoints
export type AnyEndpoint = Endpoint<z.ZodType, z.ZodType, z.ZodType, z.ZodType>
