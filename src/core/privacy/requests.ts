// Privacy requests for the signed-in account: create exactly once, read, list, verify, cancel.
import { z } from 'zod'
import {
  CreatePrivacyRequest,
  EXPORT_TYPES,
  type ListView,
  PRIVACY_ADMIN_SCOPE,
  REQUEST_ENUM_FILTER_KEYS,
  type RequestEnumFilter,
  FINAL_STATES,
  PrivacyRequest,
  lawOf,
  type RequestState,
  type RequestType,
  endpoints,
  regulationsFor,
} from '../contract/index.js'
import { canonicalJson } from '../canonical-json.js'
import { DEFAULT_SCOPES } from '../contract/oauth.js'
import { ClowdopsError, PlatformError, RefusedError } from '../errors.js'
import { collectPages, type Listed } from '../pagination.js'
import { localTime } from '../time-text.js'
import type { Deps } from '../ports.js'

/** A request as the CLI shows it: the platform's record plus what to do next (null when nothing is left to do). */
export const RequestView = PrivacyRequest.extend({
  next_step: z.string().nullable().describe('The command (or fact) that moves this request on; null when nothing is left to do.'),
})
export type RequestView = z.infer<typeof RequestView>
export const RequestViewList = z.array(RequestView)

export type RequestSpec = Omit<CreatePrivacyRequest, 'id' | 'regulation'> & { regulation?: CreatePrivacyRequest['regulation'] | undefined }

export const Created = z.object({
  request: RequestView,
  replayed: z
    .boolean()
    .describe(
      'Nothing new was created: the platform answered with the request an earlier run created (same id), or an open export of the same kind was followed instead.',
    ),
})
export type Created = z.infer<typeof Created>

const cli = 'clowdops privacy'

/** The one command (or fact) that moves this request on, for people reading the output. */
export function nextStep(request: PrivacyRequest): string | null {
  const id = request.id
  const due = request.due_at ? ` Due by ${localTime(request.due_at)} (${daysText(request.days_left)}).` : ''
  const question = openQuestion(request)
  if (question !== undefined && !FINAL_STATES.includes(request.status)) {
    return `The privacy team asked: "${question}". Answer it: ${cli} clarify ${id} --message "..."`
  }
  switch (request.status) {
    case 'pending_verification':
      return `Enter the code emailed to ${request.verification?.sent_to ?? 'the account address'}: ${cli} verify ${id}`
    case 'received':
    case 'in_progress':
      if (request.kind !== 'request') return `The privacy team is considering the ${request.kind} about ${request.regarding ?? 'the request'}.${due} Follow it: ${cli} wait ${id}`
      return `The platform is working on it.${due} Follow it: ${cli} wait ${id}`
    case 'awaiting_grace_period':
      return `Erasure happens on ${request.grace_period_ends_at ? localTime(request.grace_period_ends_at) : 'the end of the grace period'}; until then you can still stop it: ${cli} cancel ${id}`
    case 'completed':
      if (EXPORT_TYPES.includes(request.type)) return `Download it: ${cli} download ${id}`
      // Someone else's erasure, submitted in a batch, leaves this machine's sign-in alone: nothing more to do.
      if ((request.type === 'erasure' || request.type === 'ccpa_delete') && request.batch_id === null) {
        return 'The account was erased. Clear this machine\'s sign-in: clowdops logout'
      }
      return null
    case 'denied':
      return deniedStep(request)
    case 'failed':
      return `The platform could not complete it. Make a new request, and quote ${id} to support.`
    case 'expired':
      return `The identity was not verified in time. Make a new request.`
    case 'canceled':
      return null
  }
}

/** What a refused request allows next under its law: an appeal (most US state laws), a complaint (UK), the regulator. */
function deniedStep(request: PrivacyRequest): string {
  if (request.handled_as === 'ccpa_opt_out') {
    return 'The identity could not be verified, so nothing was deleted; you were opted out of sale and sharing instead. To delete, make a new request and verify it.'
  }
  const law = lawOf(request.regulation)
  if (request.kind === 'request' && law.appeal) return `Denied; the reason is above. ${law.name} lets you appeal: ${cli} appeal ${request.id} --reason "..."`
  if (request.kind === 'appeal') return `The appeal was denied; the reason is above. You can complain to the ${law.jurisdiction} regulator.`
  if (law.complaintsFrom !== null) return `Denied; the reason is above. Complain about its handling: ${cli} complain ${request.id} --message "...", or to the regulator.`
  return 'Denied; the reason is above. You can complain to your data protection authority, or make a new request.'
}

/** An appeal of a denied request, where its law grants one: a record of its own, linked to the request, with its own clock. */
export async function appealRequest(id: string, reason: string, deps: Pick<Deps, 'api' | 'context' | 'pending'>): Promise<RequestView> {
  const send = (appealId: string) =>
    deps.api.send(endpoints.appealPrivacyRequest, { params: { request_id: id }, body: { id: appealId, reason }, idempotencyKey: appealId })
  return view((await sendOnce('appeal', canonicalJson({ appeal_of: id, reason }), deps, send)).data)
}

/** A complaint about the handling of a request, where its law provides one to the organisation (UK, from June 2026). */
export async function complainAbout(id: string, message: string, deps: Pick<Deps, 'api' | 'context' | 'pending'>): Promise<RequestView> {
  const send = (complaintId: string) =>
    deps.api.send(endpoints.complainPrivacyRequest, { params: { request_id: id }, body: { id: complaintId, message }, idempotencyKey: complaintId })
  return view((await sendOnce('complaint', canonicalJson({ complaint_about: id, message }), deps, send)).data)
}

/** The privacy team's question the person has not answered yet, if any. */
export function openQuestion(request: PrivacyRequest): string | undefined {
  const last = request.clarifications.at(-1)
  return last && last.answered_at === null ? last.question : undefined
}

function daysText(days: number | null): string {
  if (days === null) return 'no deadline running'
  if (days < 0) return `${-days} day${days === -1 ? '' : 's'} overdue`
  return `${days} day${days === 1 ? '' : 's'} left`
}

export function view(request: PrivacyRequest): RequestView {
  return { ...request, next_step: nextStep(request) }
}

/** Regulation: given, else the one the type belongs to (GDPR for the GDPR rights, CCPA for the ccpa_* ones). */
export function requestBody(spec: RequestSpec): Omit<CreatePrivacyRequest, 'id'> {
  return { ...spec, regulation: spec.regulation ?? (regulationsFor(spec.type)[0] as CreatePrivacyRequest['regulation']) }
}

/** Creates the request exactly once (see sendOnce): running the same command again after a lost answer replays it. */
export async function createRequest(spec: RequestSpec, deps: Pick<Deps, 'api' | 'context' | 'pending'>): Promise<Created> {
  const body = requestBody(spec)
  const checked = CreatePrivacyRequest.safeParse({ id: crypto.randomUUID(), ...body })
  if (!checked.success) {
    const issue = checked.error.issues[0]
    throw new RefusedError(`Invalid ${spec.type} request: ${issue?.path.join('.') || 'value'} ${issue?.message ?? ''}`.trim(), {
      code: 'invalid_input',
    })
  }
  const send = (id: string) => deps.api.send(endpoints.createPrivacyRequest, { body: { ...body, id }, idempotencyKey: id })
  const response = await sendOnce('request', canonicalJson(body), deps, send)
  return { request: view(response.data), replayed: response.headers['idempotent-replayed'] === 'true' }
}

/**
 * Creates something (a request, an appeal, a complaint) exactly once. Its id is reserved on disk, keyed by what is
 * sent, before the POST and sent as the Idempotency-Key; a response lost to a timeout or a crash leaves it reserved,
 * so running the same command again replays it instead of creating a second one. The reservation is dropped once the
 * platform has answered for good.
 */
async function sendOnce<T>(what: string, content: string, deps: Pick<Deps, 'context' | 'pending'>, send: (id: string) => Promise<T>): Promise<T> {
  const fingerprint = await fingerprintOf(`${deps.context.apiUrl.url}\n${deps.context.profileName}\n${content}`)
  const { id } = await deps.pending.reserve(fingerprint, crypto.randomUUID())
  try {
    const result = await send(id)
    await deps.pending.release(fingerprint)
    return result
  } catch (error) {
    if (isFinalAnswer(error)) {
      await deps.pending.release(fingerprint)
      throw error
    }
    if (error instanceof ClowdopsError) {
      throw error.withHint(`Nothing is lost: run the same command again; it resends ${what} ${id}, which the platform creates at most once.`)
    }
    throw error
  }
}

/** A 4xx other than rate limiting and timeouts: trying the same body again would get the same answer. */
function isFinalAnswer(error: unknown): boolean {
  return error instanceof PlatformError && error.status !== undefined && error.status < 500 && error.status !== 429 && error.status !== 408
}

/** States in which a request is still open: not final, so an earlier run's request can be followed instead of repeated. */
const OPEN_STATES: RequestState[] = ['pending_verification', 'received', 'in_progress']

/**
 * The signed-in person's newest open request of this type (and export format), if any. Requests made in bulk for other
 * people (they carry a batch id) are not the person's own.
 */
export async function findOpenRequest(spec: { type: RequestType; format?: string | undefined }, deps: Pick<Deps, 'api'>): Promise<RequestView | undefined> {
  const { items: open } = await listRequests({ status: OPEN_STATES, type: [spec.type], limit: 100 }, deps)
  return open
    .filter((request) => request.kind === 'request' && request.batch_id === null && (spec.format === undefined || request.format === spec.format))
    .sort((a, b) => b.created_at.localeCompare(a.created_at))[0]
}

export async function getRequest(id: string, deps: Pick<Deps, 'api'>): Promise<RequestView> {
  return view(await deps.api.call(endpoints.getPrivacyRequest, { params: { request_id: id } }))
}

/** What `privacy list` asks the platform for; every filter is applied there, so --limit counts matching requests. */
export type ListFilters = EnumFilters & {
  /** own (default): about the signed-in account; organisation: everyone's (privacy:admin). */
  view?: ListView | undefined
  batchId?: string | undefined
  /** An email address or an account id (usr_...). */
  subject?: string | undefined
  /** Running and due within this many milliseconds, overdue included. */
  dueWithinMs?: number | undefined
  overdue?: boolean | undefined
  since?: Date | undefined
  limit: number
}

export async function listRequests(filters: ListFilters, deps: Pick<Deps, 'api'>): Promise<Listed<RequestView>> {
  const query = listQuery(filters)
  const { items, more } = await collectPages((page) => deps.api.call(endpoints.listPrivacyRequests, { query: { ...page, ...query } }), filters.limit)
    .catch((error: unknown) => {
      throw filters.view === 'organisation' ? withAdminScopeHint(error) : error
    })
  return { items: items.map(view), more }
}

/** The filters as query parameters. */
function listQuery(filters: ListFilters): Record<string, string | number> {
  const query: Record<string, string | number> = {}
  if (filters.view) query.view = filters.view
  Object.assign(query, enumFilterQuery(filters))
  if (filters.batchId !== undefined) query.batch_id = filters.batchId
  if (filters.subject !== undefined) query.subject = filters.subject
  if (filters.dueWithinMs !== undefined) query.due_within_seconds = Math.ceil(filters.dueWithinMs / 1000)
  if (filters.overdue !== undefined) query.overdue = String(filters.overdue)
  if (filters.since) query.updated_since = filters.since.toISOString()
  return query
}

export type EnumFilters = { [K in RequestEnumFilter]?: readonly string[] | undefined }

/** The enum filters as comma-separated query parameters, from the contract's table: a new one needs no change here. */
export function enumFilterQuery(filters: EnumFilters): Record<string, string> {
  const query: Record<string, string> = {}
  for (const key of REQUEST_ENUM_FILTER_KEYS) {
    const values = filters[key]
    if (values?.length) query[key] = values.join(',')
  }
  return query
}

/** The scope an organisation-wide read needs, and the sign-in that grants it, for a 403 that lacks it. */
export function withAdminScopeHint(error: unknown): unknown {
  if (!(error instanceof PlatformError) || error.status !== 403) return error
  const scopes = [...DEFAULT_SCOPES, PRIVACY_ADMIN_SCOPE].join(',')
  return error.withHint(
    `Seeing the whole organisation's requests needs the ${PRIVACY_ADMIN_SCOPE} scope. Sign in with it: clowdops login --scopes ${scopes} ` +
      `(in CI: a token with ${PRIVACY_ADMIN_SCOPE} in CLOWDOPS_TOKEN).`,
  )
}

export async function cancelRequest(id: string, deps: Pick<Deps, 'api'>): Promise<RequestView> {
  return view(await deps.api.call(endpoints.cancelPrivacyRequest, { params: { request_id: id } }))
}

export async function verifyRequest(id: string, code: string, deps: Pick<Deps, 'api'>): Promise<RequestView> {
  return view(await deps.api.call(endpoints.verifyPrivacyRequest, { params: { request_id: id }, body: { code } }))
}

/** The privacy team (privacy:admin) asks the person something it needs to answer the request. */
export async function askClarification(id: string, question: string, deps: Pick<Deps, 'api'>): Promise<RequestView> {
  return view(await deps.api.call(endpoints.askPrivacyClarification, { params: { request_id: id }, body: { question } }))
}

/** The person answers the privacy team's open question. */
export async function answerClarification(id: string, message: string, deps: Pick<Deps, 'api'>): Promise<RequestView> {
  return view(await deps.api.call(endpoints.answerPrivacyClarification, { params: { request_id: id }, body: { message } }))
}

export async function resendCode(id: string, deps: Pick<Deps, 'api'>): Promise<RequestView> {
  return view(await deps.api.call(endpoints.resendPrivacyVerification, { params: { request_id: id } }))
}

/** Wrong, expired or spent codes: worth asking a person again (or for a new code), not a reason to give up. */
export function verificationProblem(error: unknown): 'invalid_code' | 'code_expired' | 'too_many_attempts' | undefined {
  if (!(error instanceof PlatformError)) return undefined
  return error.code === 'invalid_code' || error.code === 'code_expired' || error.code === 'too_many_attempts' ? error.code : undefined
}

async function fingerprintOf(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('')
}
