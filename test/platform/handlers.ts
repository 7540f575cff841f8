// What each endpoint does once the request is authenticated, rate-limited and validated: one handler per endpoint.
import { z } from 'zod'
import { API_VERSION, type AnyEndpoint, type Endpoints, type PageQuery } from '../../src/core/contract/index.js'
import type { CredentialKeyring } from './credential-keys.js'
import type { OAuthStats } from './oauth.js'
import { ProblemError } from './problems.js'
import { type PlatformStore, randomBase62, type TokenRecord, type User } from './store.js'

export interface Caller {
  /** For an OAuth access token: a record keyed by its grant, so limits and idempotency keys outlive a refresh. */
  token: TokenRecord
  user: User
  tokenType: 'personal_access_token' | 'oauth'
}

export interface PlatformStats {
  /** /v1 requests. */
  requests: number
  byRoute: Record<string, number>
  projectsCreated: number
  oauth: OAuthStats
}

export interface HandlerContext {
  store: PlatformStore
  stats: PlatformStats
  /** Set for every endpoint that declares `scopes`. */
  caller: Caller | undefined
  credentialKeys: CredentialKeyring
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined

export interface HandlerInput<E extends AnyEndpoint> {
  params: Parsed<NonNullable<E['params']>>
  query: Parsed<NonNullable<E['query']>>
  body: Parsed<NonNullable<E['body']>>
}

/** Returns the response body (answered with the endpoint's status) or throws a ProblemError. */
export type Handler<E extends AnyEndpoint> = (
  input: HandlerInput<E>,
  context: HandlerContext,
) => z.input<E['response']> | Promise<z.input<E['response']>>

/** Typed so that a new endpoint in the contract fails to compile here until it has a handler. */
export const handlers: { [K in keyof Endpoints]: Handler<Endpoints[K]> } = {
  health: () => ({ status: 'ok', version: `local-${API_VERSION}`, time: new Date().toISOString() }),

  me: (_input, context) => {
    const { user, token, tokenType } = callerOf(context)
    return { ...user, scopes: [...token.scopes], token_type: tokenType }
  },

  listProjects: ({ query }, { store }) => pageOf(store.listProjects(), 'projects', query),

  createProject: ({ body }, { store, stats }) => {
    const project = store.createProject(body.name)
    stats.projectsCreated += 1
    return project
  },

  credentialKeys: (_input, { credentialKeys }) => ({ data: [credentialKeys.current] }),

  listCredentials: ({ params, query }, { store }) => {
    projectOrNotFound(store, params.project_id)
    const inProject = [...store.credentials.values()].filter((c) => c.project_id === params.project_id)
    return pageOf(inProject, `credentials:${params.project_id}`, query)
  },

  createCredential: async ({ params, body }, { store, credentialKeys }) => {
    projectOrNotFound(store, params.project_id)
    const taken = [...store.credentials.values()].some((c) => c.project_id === params.project_id && c.label === body.label)
    if (taken) throw new ProblemError(409, 'credential_exists', `A credential labelled ${body.label} exists in this project.`)
    const secrets: Record<string, { key_id: string; fingerprint: string }> = {}
    for (const [field, sealed] of Object.entries(body.secrets)) {
      const context = { org_id: store.user.org.id, project_id: params.project_id, provider: body.provider, label: body.label, field }
      // Opened to check it really is the sealed secret, then dropped: only the fingerprint is kept.
      const plaintext = await credentialKeys.open(sealed, context)
      if ((await credentialKeys.fingerprintOf(plaintext, context)) !== sealed.fingerprint) {
        throw new ProblemError(422, 'fingerprint_mismatch', `The fingerprint of ${field} does not match its sealed value.`)
      }
      secrets[field] = { key_id: sealed.key_id, fingerprint: sealed.fingerprint }
    }
    const now = new Date().toISOString()
    const credential = {
      id: `cred_${randomBase62(16)}`,
      project_id: params.project_id,
      provider: body.provider,
      label: body.label,
      hint: body.hint,
      fields: body.fields,
      secrets,
      sandboxes: body.sandboxes,
      accepted_risks: body.accepted_risks,
      created_at: now,
      updated_at: now,
    }
    store.credentials.set(credential.id, credential)
    return credential
  },

  getCredential: ({ params }, { store }) => credentialOrNotFound(store, params.credential_id),

  deleteCredential: ({ params }, { store }) => {
    credentialOrNotFound(store, params.credential_id)
    store.credentials.delete(params.credential_id)
    return { id: params.credential_id, deleted: true as const }
  },

  listSandboxes: ({ params, query }, { store }) => {
    const sandboxes = store.sandboxesOf(params.project_id)
    if (!sandboxes) throw new ProblemError(404, 'not_found', `No project ${params.project_id} in this organisation.`)
    return pageOf(sandboxes, `sandboxes:${params.project_id}`, query)
  },
}

function projectOrNotFound(store: PlatformStore, projectId: string): void {
  if (!store.sandboxesOf(projectId)) throw new ProblemError(404, 'not_found', `No project ${projectId} in this organisation.`)
}

function credentialOrNotFound(store: PlatformStore, credentialId: string) {
  const credential = store.credentials.get(credentialId)
  if (!credential) throw new ProblemError(404, 'not_found', `No credential ${credentialId}.`)
  return credential
}

function callerOf(context: HandlerContext): Caller {
  if (!context.caller) throw new Error('handler of an authenticated endpoint ran without a caller')
  return context.caller
}

interface Listed {
  id: string
  created_at: string
}

const CursorPayload = z.object({ l: z.string(), t: z.string(), i: z.string() })

function newestFirst(a: Listed, b: Listed): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? 1 : -1
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0
}

/**
 * A keyset page, newest first. The cursor is base64url JSON of the list it belongs to and the last item's
 * (created_at, id), so items created while a client pages through never shift or repeat later pages.
 */
export function pageOf<T extends Listed>(items: T[], list: string, query: PageQuery) {
  const sorted = [...items].sort(newestFirst)
  let start = 0
  if (query.cursor !== undefined) {
    const after = decodeCursor(query.cursor, list)
    const index = sorted.findIndex((item) => newestFirst(item, after) > 0)
    start = index === -1 ? sorted.length : index
  }
  const data = sorted.slice(start, start + query.limit)
  const last = data.at(-1)
  const hasMore = start + query.limit < sorted.length
  return { data, has_more: hasMore, next_cursor: hasMore && last ? encodeCursor(list, last) : null }
}

function encodeCursor(list: string, last: Listed): string {
  return Buffer.from(JSON.stringify({ l: list, t: last.created_at, i: last.id })).toString('base64url')
}

function decodeCursor(cursor: string, list: string): Listed {
  let payload: unknown
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    payload = undefined
  }
  const parsed = CursorPayload.safeParse(payload)
  if (!parsed.success || parsed.data.l !== list) {
    throw new ProblemError(400, 'invalid_cursor', 'The cursor is not one this list returned; start again without it.')
  }
  return { id: parsed.data.i, created_at: parsed.data.t }
}
