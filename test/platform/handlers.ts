// What each endpoint does once the request is authenticated, rate-limited and validated: one handler per endpoint.
import { z } from 'zod'
import { API_VERSION, type AnyEndpoint, type Endpoints, type PageQuery } from '../../src/core/contract/index.js'
import type { Credential, SealedSecret } from '../../src/core/contract/credentials.js'
import { type ListView, PRIVACY_ADMIN_SCOPE } from '../../src/core/contract/privacy.js'
import type { CredentialKeyring } from './credential-keys.js'
import type { SimulatedAwsAccount } from './aws-account.js'
import { assumedRoleOf, probeFixtureFor, probeResult } from './credential-probes.js'
import type { CiTrustRuleRecord, OAuthStats } from './oauth.js'
import type { PrivacyEngine } from './privacy.js'
import type { Audience } from './privacy-filter.js'
import { ProblemError } from './problems.js'
import { canonicalJson, type PlatformStore, randomBase62, sha256, type TokenRecord, type User } from './store.js'

export interface Caller {
  /** For an OAuth access token: a record keyed by its grant, so limits and idempotency keys outlive a refresh. */
  token: TokenRecord
  user: User
  tokenType: 'personal_access_token' | 'oauth'
}

export interface PlatformStats {
  /** /v1 requests. */
  requests: number
  /** /v1 requests the rate limit refused (429), injected faults not counted. */
  rateLimited: number
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
  /** The customer's AWS account, where the platform assumes aws-role and bedrock roles. */
  aws: SimulatedAwsAccount
  privacy: PrivacyEngine
  /** The request's Idempotency-Key header, for endpoints whose resource id must equal it. */
  idempotencyKey: string | undefined
  /** The CI trust policies the token exchange enforces right now. */
  ciTrust: () => CiTrustRuleRecord[]
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

  // The very policies the exchange enforces, so what `auth ci-check` reads cannot drift from what is applied.
  ciTrust: (_input, { ciTrust }) => ({
    rules: ciTrust().map(({ name, issuer, audience, subject, repository, ref, environment, scopes }) => ({
      name,
      issuer,
      audience,
      subject,
      ...(repository === undefined ? {} : { repository }),
      ...(ref === undefined ? {} : { ref }),
      ...(environment === undefined ? {} : { environment }),
      scopes,
    })),
  }),

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
    for (const sandboxId of body.sandboxes) sandboxOfProject(store, sandboxId, params.project_id)
    const opened = await openSecrets(body.secrets, { project_id: params.project_id, provider: body.provider, label: body.label }, store, credentialKeys)
    const now = new Date().toISOString()
    const credential = {
      id: `cred_${randomBase62(16)}`,
      project_id: params.project_id,
      provider: body.provider,
      label: body.label,
      hint: body.hint,
      fields: body.fields,
      secrets: opened.secrets,
      sandboxes: body.sandboxes,
      accepted_risks: body.accepted_risks,
      ...(assumedRoleOf(body) === undefined ? {} : { external_id: store.awsTrust.external_id }),
      created_at: now,
      updated_at: now,
    }
    store.credentials.set(credential.id, credential)
    store.probeFixtures.set(credential.id, opened.fixture)
    return credential
  },

  getCredential: ({ params }, { store }) => credentialOrNotFound(store, params.credential_id),

  deleteCredential: ({ params }, { store }) => {
    credentialOrNotFound(store, params.credential_id)
    store.credentials.delete(params.credential_id)
    store.probeFixtures.delete(params.credential_id)
    return { id: params.credential_id, deleted: true as const }
  },

  attachCredential: ({ params }, { store }) => {
    const credential = credentialOrNotFound(store, params.credential_id)
    sandboxOfProject(store, params.sandbox_id, credential.project_id)
    if (credential.sandboxes.includes(params.sandbox_id)) return credential
    return updateCredential(store, { ...credential, sandboxes: [...credential.sandboxes, params.sandbox_id] })
  },

  detachCredential: ({ params }, { store }) => {
    const credential = credentialOrNotFound(store, params.credential_id)
    sandboxOfProject(store, params.sandbox_id, credential.project_id)
    if (!credential.sandboxes.includes(params.sandbox_id)) return credential
    return updateCredential(store, { ...credential, sandboxes: credential.sandboxes.filter((id) => id !== params.sandbox_id) })
  },

  rotateCredential: async ({ params, body }, { store, credentialKeys }) => {
    const credential = credentialOrNotFound(store, params.credential_id)
    // The same context as at creation: a rotated envelope sealed for another credential does not open here.
    const opened = await openSecrets(body.secrets, credential, store, credentialKeys)
    store.probeFixtures.set(credential.id, opened.fixture)
    return updateCredential(store, {
      ...credential,
      hint: body.hint ?? credential.hint,
      secrets: { ...credential.secrets, ...opened.secrets },
      accepted_risks: [...new Set([...credential.accepted_risks, ...body.accepted_risks])],
    })
  },

  verifyCredential: ({ params }, { store, aws }) => {
    const credential = credentialOrNotFound(store, params.credential_id)
    return probeResult(credential, store.probeFixtures.get(credential.id) ?? 'ok', { account: aws, trust: store.awsTrust })
  },

  awsTrust: (_input, { store }) => store.awsTrust,

  privacyDiscovery: (_input, { privacy }) => privacy.discovery(),

  listPrivacyRequests: ({ query }, context) => {
    const { limit, cursor, view, ...filter } = query
    const audience = privacyAudience(context, view, filter.ids !== undefined)
    // Taken before the read settles due transitions: one it applies now is stamped at or after as_of, so a client that
    // passes as_of as updated_since next time sees it again rather than never.
    const asOf = new Date(context.privacy.now()).toISOString()
    // The view and filters are part of the list's name, so a cursor cannot be carried over to another list. Up to 100
    // ids go in as a digest of the set, which keeps the cursor short and independent of the order they were named in.
    const ids = filter.ids ? sha256([...new Set(filter.ids)].sort().join(',')) : ''
    const list = `privacy-requests:${view}:${sha256(canonicalJson({ ...filter, ids }))}`
    return { ...pageFrom((after) => context.privacy.newestFirst(filter, audience, after), list, { limit, cursor }), as_of: asOf }
  },

  privacyReport: ({ query }, { privacy }) => privacy.report(query),

  createPrivacyRequest: ({ body }, context) => {
    const { user, token } = callerOf(context)
    return context.privacy.create(body, context.idempotencyKey, user, token.scopes)
  },

  submitPrivacyBatch: ({ body }, { privacy }) => privacy.batches.submit(body),

  getPrivacyRequest: ({ params }, context) => context.privacy.get(visibleRequest(context, params.request_id)),

  verifyPrivacyRequest: ({ params, body }, context) => context.privacy.verify(visibleRequest(context, params.request_id), body.code),

  appealPrivacyRequest: ({ params, body }, context) => context.privacy.appeal(visibleRequest(context, params.request_id), body, context.idempotencyKey),

  complainPrivacyRequest: ({ params, body }, context) => context.privacy.complain(visibleRequest(context, params.request_id), body, context.idempotencyKey),

  askPrivacyClarification: ({ params, body }, { privacy }) => privacy.askClarification(params.request_id, body.question),

  answerPrivacyClarification: ({ params, body }, context) => context.privacy.answerClarification(visibleRequest(context, params.request_id), body.message),

  resendPrivacyVerification: ({ params }, context) => context.privacy.resendCode(visibleRequest(context, params.request_id)),

  cancelPrivacyRequest: ({ params }, context) => context.privacy.cancel(visibleRequest(context, params.request_id)),

  getPrivacyExport: ({ params }, context) => context.privacy.exportManifest(visibleRequest(context, params.request_id)),

  downloadPrivacyExportFile: ({ params }, context) => context.privacy.exportFile(visibleRequest(context, params.request_id), params.name),

  listConsents: (_input, { privacy }) => ({ data: privacy.consents.list() }),

  putConsent: ({ params, body }, { privacy }) => privacy.consents.write(params.purpose, body),

  consentHistory: ({ params, query }, { privacy }) => pageOf(privacy.consents.history(params.purpose), `consents:${params.purpose}`, query),

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

/** A sandbox of this organisation (404 otherwise) that belongs to `projectId` (422 otherwise). */
function sandboxOfProject(store: PlatformStore, sandboxId: string, projectId: string): void {
  const sandbox = store
    .listProjects()
    .flatMap((project) => store.sandboxesOf(project.id) ?? [])
    .find((s) => s.id === sandboxId)
  if (!sandbox) throw new ProblemError(404, 'not_found', `No sandbox ${sandboxId} in this organisation.`)
  if (sandbox.project_id !== projectId) {
    throw new ProblemError(422, 'sandbox_in_other_project', `Sandbox ${sandboxId} belongs to another project than the credential (${projectId}).`)
  }
}

function updateCredential(store: PlatformStore, credential: Credential): Credential {
  const updated = { ...credential, updated_at: new Date().toISOString() }
  store.credentials.set(updated.id, updated)
  return updated
}

/**
 * Opens each sealed secret under the credential's context and checks its fingerprint. The plaintexts are only looked
 * at to choose the probe fixture for `verify`, then dropped: fingerprints are what is kept.
 */
async function openSecrets(
  sealed: Record<string, SealedSecret>,
  credential: Pick<Credential, 'project_id' | 'provider' | 'label'>,
  store: PlatformStore,
  credentialKeys: CredentialKeyring,
) {
  const secrets: Record<string, { key_id: string; fingerprint: string }> = {}
  const plaintexts: string[] = []
  for (const [field, envelope] of Object.entries(sealed)) {
    const context = { org_id: store.user.org.id, project_id: credential.project_id, provider: credential.provider, label: credential.label, field }
    const plaintext = await credentialKeys.open(envelope, context)
    if ((await credentialKeys.fingerprintOf(plaintext, context)) !== envelope.fingerprint) {
      throw new ProblemError(422, 'fingerprint_mismatch', `The fingerprint of ${field} does not match its sealed value.`)
    }
    secrets[field] = { key_id: envelope.key_id, fingerprint: envelope.fingerprint }
    plaintexts.push(plaintext)
  }
  return { secrets, fixture: probeFixtureFor(credential.provider, credential.label, plaintexts) }
}

/**
 * Whose requests a privacy read covers. The own view: the caller's account. The organisation view needs privacy:admin.
 * Requests named by id are looked up as a GET by id would: an administrator may name anyone's.
 */
function privacyAudience(context: HandlerContext, view: ListView, named: boolean): Audience {
  const { user, token } = callerOf(context)
  const admin = token.scopes.includes(PRIVACY_ADMIN_SCOPE)
  if (view === 'organisation' && !admin) {
    throw new ProblemError(403, 'insufficient_scope', `This token lacks the scope ${PRIVACY_ADMIN_SCOPE}, which the organisation view needs.`, {
      headers: { 'www-authenticate': `Bearer error="insufficient_scope", scope="${PRIVACY_ADMIN_SCOPE}"` },
    })
  }
  return { accountId: user.id, organisation: admin && (view === 'organisation' || named) }
}

/** The id of a request the caller may see: about its own account, or anyone's with privacy:admin. Else 404, as if absent. */
function visibleRequest(context: HandlerContext, id: string): string {
  const { user, token } = callerOf(context)
  if (token.scopes.includes(PRIVACY_ADMIN_SCOPE) || context.privacy.get(id).subject.account_id === user.id) return id
  throw new ProblemError(404, 'not_found', `No privacy request ${id}.`)
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

/** A page of a small list held as an array: sorted on each call, which is fine for tens of items. */
export function pageOf<T extends Listed>(items: T[], list: string, query: PageQuery) {
  const sorted = [...items].sort(newestFirst)
  return pageFrom((after) => {
    const index = after === undefined ? 0 : sorted.findIndex((item) => newestFirst(item, after) > 0)
    return sorted.slice(index === -1 ? sorted.length : index)
  }, list, query)
}

/**
 * A keyset page, newest first. The cursor is base64url JSON of the list it belongs to and the last item's
 * (created_at, id), so items created while a client pages through never shift or repeat later pages. `walk` yields
 * the items after a cursor position (or from the newest) in that order; only one more than the page is read.
 */
export function pageFrom<T extends Listed>(walk: (after: Listed | undefined) => Iterable<T>, list: string, query: PageQuery) {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, list)
  const data: T[] = []
  let hasMore = false
  for (const item of walk(after)) {
    if (data.length === query.limit) {
      hasMore = true
      break
    }
    data.push(item)
  }
  const last = data.at(-1)
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
