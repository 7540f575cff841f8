// Every endpoint of the platform API, once: the client calls them, the local platform serves them,
// and the OpenAPI document is generated from them.
import { z } from 'zod'
import { PageQuery, page } from './conventions.js'
import { CreateCredential, Credential, CredentialKeys, CredentialVerification, DeletedCredential, RotateCredential } from './credentials.js'
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
}

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

export const endpoints = {
  health: endpoint({
    id: 'health.get',
    method: 'GET',
    path: '/v1/health',
    summary: 'Liveness of the platform API; needs no token.',
    tag: 'meta',
    response: Health,
    status: 200,
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
} as const

export type Endpoints = typeof endpoints
export type AnyEndpoint = Endpoint<z.ZodType, z.ZodType, z.ZodType, z.ZodType>

/** Fill `{name}` placeholders, URL-encoding each value. */
export function fillPath(path: string, params: Record<string, string> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name]
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${path}`)
    return encodeURIComponent(value)
  })
}
