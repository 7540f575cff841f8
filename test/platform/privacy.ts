// The local platform's privacy engine: requests move through their states on a virtual clock, identity is proven with
// emailed codes (or attested by the organisation in a batch), exports are real archives, and a completed erasure of
// the seeded account closes it.
import { randomInt, timingSafeEqual } from 'node:crypto'
import {
  CONSENT_PURPOSES,
  EXPORT_FORMATS,
  EXPORT_TYPES,
  FINAL_STATES,
  OPT_OUT_TYPES,
  PROCESSING_PURPOSES,
  REGULATIONS,
  lawOf,
  type Channel,
  type CreateAppeal,
  type CreateComplaint,
  type LawPeriod,
  type PrivacyLaw,
  RECTIFIABLE_FIELDS,
  type Attestation,
  type BatchItem,
  type CreatePrivacyRequest,
  type ExportManifest,
  type PrivacyDiscovery,
  type PrivacyReport,
  type PrivacyRequest,
  type Regulation,
  type RequestState,
  type RequestType,
} from '../../src/core/contract/privacy.js'
import type { FileBody } from '../../src/core/contract/endpoints.js'
import { activityLog, buildExportArchive, type ArchiveContents, type ExportArchive } from './privacy-archive.js'
import { BatchDesk, type BatchTarget, type StoredContent } from './privacy-batch.js'
import { ConsentBook } from './privacy-consent.js'
import { requestMatcher, type Audience, type RequestFilter } from './privacy-filter.js'
import { privacyReport, type ReportQuery } from './privacy-report.js'
import { RequestIndex, type ListPosition } from './privacy-index.js'
import { addPeriod, isoDuration, periodText, responsePeriod } from '../../src/core/privacy/deadlines.js'
import { DEFAULT_PRIVACY_SETTINGS, maskEmail, typesUnder, type PrivacySettings } from './privacy-rules.js'
import { SubjectRegistry, type Subject } from './privacy-subjects.js'
import { Timeline } from './privacy-timeline.js'
import { ProblemError } from './problems.js'
import { sha256, type PlatformStore, type User } from './store.js'

export { DEFAULT_PRIVACY_SETTINGS, FAST_PRIVACY_SETTINGS, type PrivacySettings } from './privacy-rules.js'

/** A message the platform "sent"; tests and the demo read the codes from here. */
export interface Email {
  to: string
  subject: string
  text: string
  code: string
  request_id: string
  sent_at: string
}

/** What the account looks like to the privacy team: rectifications and restrictions land here, not on the sign-in user. */
export interface AccountProfile {
  account_id: string
  name: string
  email: string
  phone: string | null
  company: string | null
  country: string | null
  restricted_purposes: string[]
  objected_purposes: string[]
  updated_at: string
}

interface PendingCode {
  /** SHA-256 of request id and code; null once the attempts are spent. */
  hash: string | null
  sentTo: string
  expiresMs: number
  attemptsLeft: number
}

interface RequestRecord {
  id: string
  kind: 'request' | 'appeal' | 'complaint'
  /** The request an appeal or complaint is about. */
  regarding: string | null
  type: RequestType
  regulation: Regulation
  subject: Subject
  attestation: Attestation | null
  batchId: string | null
  note: string | null
  status: RequestState
  reason: string | null
  format: PrivacyRequest['format']
  rectification: PrivacyRequest['rectification']
  processing: PrivacyRequest['processing']
  code: PendingCode | null
  createdMs: number
  channel: Channel | null
  /** When the organisation says the request reached it (received_at in the body), if it said. */
  arrivedMs: number | null
  /** When the request was received and verified: the platform's work is scheduled from here. */
  receivedMs: number | null
  startedMs: number | null
  /** When the response period started (see clockStart); null until it has. */
  clockStartMs: number | null
  extension: { days: number; reason: string; extendedMs: number } | null
  clarifications: ClarificationRecord[]
  /** Time the clock stood still for answers already given; an open pause is counted from its question on. */
  pausedMs: number
  graceEndsMs: number | null
  completedMs: number | null
  /** When it became denied, canceled, failed or expired: an appeal's window runs from a denial. */
  endedMs: number | null
  acknowledgedMs: number | null
  handledAs: 'ccpa_opt_out' | null
  updatedMs: number
  version: number
  export: PendingExport | null
}

interface ClarificationRecord {
  question: string
  askedMs: number
  answer: string | null
  answeredMs: number | null
  pausesClock: boolean
}

/**
 * An export's contents are fixed at completion; its bytes are built on first download and kept. Building them then
 * would make settling thousands of completed batch exports cost thousands of compressions nobody asked for.
 */
interface PendingExport {
  contents: ArchiveContents
  atMs: number
  expiresMs: number
  archive: ExportArchive | null
}

const DAY_MS = 86_400_000
const ERASURE_TYPES: readonly RequestType[] = ['erasure', 'ccpa_delete']

export class PrivacyEngine implements BatchTarget {
  readonly settings: PrivacySettings
  readonly outbox: Email[] = []
  readonly consents: ConsentBook
  readonly subjects: SubjectRegistry
  readonly batches: BatchDesk
  private offsetMs = 0
  private readonly requests = new RequestIndex<RequestRecord>()
  private readonly creationCounts = new Map<string, number>()
  private readonly timeline = new Timeline()
  private readonly profile: AccountProfile
  private erased: { requestId: string; atMs: number } | undefined

  constructor(
    private readonly store: PlatformStore,
    settings: Partial<PrivacySettings> = {},
  ) {
    this.settings = { ...DEFAULT_PRIVACY_SETTINGS, ...settings }
    this.consents = new ConsentBook(() => this.now())
    this.subjects = new SubjectRegistry({ account_id: store.user.id, email: store.user.email })
    this.batches = new BatchDesk(this, this.settings)
    const { user } = store
    this.profile = {
      account_id: user.id,
      name: user.name,
      email: user.email,
      phone: null,
      company: user.org.name,
      country: null,
      restricted_purposes: [],
      objected_purposes: [],
      updated_at: new Date(this.now()).toISOString(),
    }
  }

  now(): number {
    return Date.now() + this.offsetMs
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`the privacy clock only moves forward; got ${ms} ms`)
    this.offsetMs += ms
  }

  /** Applies every transition that has come due, in time order, each at its own due time. */
  settle(): void {
    for (let due = this.timeline.popDue(this.now()); due; due = this.timeline.popDue(this.now())) {
      const record = this.requests.get(due.id)
      if (record && record.version === due.version) this.transition(record, due.at)
    }
  }

  /** The erasure that closed the account, once one has completed. */
  accountErasure(): { requestId: string; erasedAt: string } | undefined {
    this.settle()
    return this.erased && { requestId: this.erased.requestId, erasedAt: new Date(this.erased.atMs).toISOString() }
  }

  discovery(): PrivacyDiscovery {
    const s = this.settings
    return {
      regulations: REGULATIONS.map((id) => {
        const law = lawOf(id)
        return {
          id,
          name: law.name,
          jurisdiction: law.jurisdiction,
          effective: law.effective,
          types: typesUnder(id),
          response_period: isoDuration(law.response),
          response: { ...law.response },
          faster: law.faster ? { types: [...law.faster.types], response: { ...law.faster.response }, source: law.faster.source } : null,
          max_extension: law.extension && isoDuration(law.extension.max),
          extension_when: law.extension?.when ?? null,
          appeal: law.appeal && {
            answer: { ...law.appeal.answer },
            extension: law.appeal.extension && { ...law.appeal.extension },
            file_within: this.appealWindow(law.appeal),
          },
          pauses: [...law.pauses],
          complaints_from: law.complaintsFrom,
          source: law.source,
        }
      }),
      promised_response_days: s.promisedResponseDays,
      processing_purposes: [...PROCESSING_PURPOSES],
      rectifiable_fields: [...RECTIFIABLE_FIELDS],
      consent_purposes: [...CONSENT_PURPOSES],
      export_formats: [...EXPORT_FORMATS],
      erasure_grace_period_days: s.erasureGraceDays,
      verification: { code_ttl_seconds: s.codeTtlSeconds, max_attempts: s.maxAttempts },
      max_batch_size: s.maxBatchSize,
    }
  }

  /** The id doubles as the Idempotency-Key, so a retry under any key but its own is refused rather than duplicated. */
  create(input: CreatePrivacyRequest, idempotencyKey: string | undefined, user: User, scopes: readonly string[]): PrivacyRequest {
    this.settle()
    if (input.id !== idempotencyKey) {
      throw new ProblemError(422, 'id_mismatch', `The request id (${input.id}) must also be its Idempotency-Key (got ${idempotencyKey ?? 'none'}).`)
    }
    if (this.requests.has(input.id)) {
      throw new ProblemError(409, 'request_exists', `A privacy request with id ${input.id} already exists; fetch it instead of creating it again.`)
    }
    if ((input.received_at !== undefined || input.channel !== undefined) && !scopes.includes('privacy:admin')) {
      throw new ProblemError(403, 'insufficient_scope', 'received_at and channel record how the organisation received a request: they need a token with privacy:admin.')
    }
    const refusal = this.receiptRefusal(input)
    if (refusal) throw new ProblemError(422, refusal.code, refusal.message, { errors: [{ field: refusal.field, message: refusal.message }] })
    const now = this.now()
    const record = this.register(input, { account_id: user.id, email: user.email }, null, now)
    if (OPT_OUT_TYPES.includes(record.type)) {
      // An opt-out of sale or sharing needs no verified identity under the CCPA, and takes effect at once.
      this.receive(record, now)
      this.optOut(record, now)
    } else {
      this.sendCode(record, now)
      this.schedule(record)
    }
    return this.view(record)
  }

  /** A batch item the organisation vouches for: received at once, its response period running from now. */
  createAttested(item: BatchItem, subject: Subject, attestation: Attestation, batchId: string): void {
    const now = this.now()
    const record = this.register(item, subject, { attestation: { ...attestation }, batchId }, now)
    record.status = 'received'
    record.receivedMs = now
    record.clockStartMs = clockStart(record, now)
    this.requests.statusChanged(record)
    if (OPT_OUT_TYPES.includes(record.type)) this.optOut(record, now)
    else this.schedule(record)
  }

  /**
   * Why a request's receipt time cannot be right, if it cannot: in the future (by the platform's clock), or before the
   * law it is made under took effect.
   */
  receiptRefusal(input: { received_at?: string | undefined; regulation: Regulation }): { code: string; field: string; message: string } | undefined {
    if (input.received_at === undefined) return undefined
    const at = Date.parse(input.received_at)
    const law = lawOf(input.regulation)
    if (at > this.now()) {
      return { code: 'received_in_future', field: 'received_at', message: `received_at ${input.received_at} is in the future (the platform's time is ${iso(this.now())}).` }
    }
    if (at < Date.parse(`${law.effective}T00:00:00Z`)) {
      return { code: 'received_before_law', field: 'received_at', message: `received_at ${input.received_at} is before ${law.name} took effect (${law.effective}).` }
    }
    return undefined
  }

  stored(id: string): StoredContent | undefined {
    return this.requests.get(id)
  }

  openFor(accountId: string, type: RequestType): string | undefined {
    return this.requests.openFor(accountId, type)?.id
  }

  /** A new request, counted and indexed, in pending_verification until its creator moves it on. */
  private register(
    input: CreatePrivacyRequest | BatchItem,
    subject: Subject,
    batch: { attestation: Attestation; batchId: string } | null,
    now: number,
  ): RequestRecord {
    const record: RequestRecord = {
      id: input.id,
      kind: 'request',
      regarding: null,
      type: input.type,
      regulation: input.regulation,
      subject: { account_id: subject.account_id, email: subject.email },
      attestation: batch?.attestation ?? null,
      batchId: batch?.batchId ?? null,
      note: input.note ?? null,
      status: 'pending_verification',
      reason: null,
      format: EXPORT_TYPES.includes(input.type) ? (input.format ?? 'zip') : null,
      rectification: input.rectification ?? null,
      processing: input.processing ?? null,
      code: null,
      createdMs: now,
      channel: input.channel ?? null,
      arrivedMs: input.received_at === undefined ? null : Date.parse(input.received_at),
      receivedMs: null,
      startedMs: null,
      clockStartMs: null,
      extension: null,
      clarifications: [],
      pausedMs: 0,
      graceEndsMs: null,
      completedMs: null,
      endedMs: null,
      acknowledgedMs: null,
      handledAs: null,
      updatedMs: now,
      version: 1,
      export: null,
    }
    this.requests.add(record)
    this.creationCounts.set(record.id, (this.creationCounts.get(record.id) ?? 0) + 1)
    return record
  }

  get(id: string): PrivacyRequest {
    return this.view(this.settled(id))
  }

  /**
   * Newest first, from just after `after` (a page cursor's created_at and id); lazy, so a page of a large list costs
   * the requests it reads, not a sort or a copy of all of them.
   */
  *newestFirst(filter: RequestFilter, audience: Audience, after?: { created_at: string; id: string }): Generator<PrivacyRequest> {
    this.settle()
    const now = this.now()
    const matches = requestMatcher(filter, audience, now)
    const position: ListPosition | undefined = after && { createdMs: Date.parse(after.created_at), id: after.id }
    const candidates = filter.ids
      ? this.namedNewestFirst(filter.ids, position)
      : audience.organisation
        ? this.requests.newestFirst(position)
        : this.subjectNewestFirst(audience.accountId, position)
    for (const r of candidates) {
      const shown = this.view(r, now)
      if (matches(shown)) yield shown
    }
  }

  /** One person's requests in newest-first order: the own view reads these, not the whole organisation's. */
  private subjectNewestFirst(accountId: string, after: ListPosition | undefined): RequestRecord[] {
    return this.requests
      .ofSubject(accountId)
      .filter((record) => after === undefined || newerFirst(record, after) > 0)
      .sort(newerFirst)
  }

  /** The organisation report over every request the filters keep, at the platform's time. */
  report(query: ReportQuery): PrivacyReport {
    this.settle()
    const now = this.now()
    const matches = requestMatcher(query, { accountId: '', organisation: true }, now)
    const shown = this.requests.all().map((record) => this.view(record, now))
    return privacyReport(shown.filter(matches), query, now)
  }

  /** The named requests that exist, in the same newest-first order (and cursor positions) as the full walk. */
  private namedNewestFirst(ids: string[], after: ListPosition | undefined): RequestRecord[] {
    const found = new Set<RequestRecord>()
    for (const id of ids) {
      const record = this.requests.get(id)
      if (record && (after === undefined || newerFirst(record, after) > 0)) found.add(record)
    }
    return [...found].sort(newerFirst)
  }

  verify(id: string, code: string): PrivacyRequest {
    const record = this.settled(id)
    if (FINAL_STATES.includes(record.status)) {
      throw new ProblemError(409, 'not_pending_verification', `The request is ${record.status}; there is nothing to verify.`)
    }
    if (record.status !== 'pending_verification') return this.view(record)
    const pending = this.pendingCode(record)
    const now = this.now()
    if (pending.hash === null) {
      throw new ProblemError(422, 'too_many_attempts', 'Too many wrong codes: this code no longer works. Ask for a new one.')
    }
    if (now > pending.expiresMs) {
      throw new ProblemError(422, 'code_expired', `The code expired at ${iso(pending.expiresMs)}. Ask for a new one.`)
    }
    if (!sameHash(codeHash(record.id, code), pending.hash)) {
      pending.attemptsLeft -= 1
      if (pending.attemptsLeft === 0) pending.hash = null
      this.touch(record, now)
      if (pending.hash === null) {
        throw new ProblemError(422, 'too_many_attempts', 'That was the last attempt: this code no longer works. Ask for a new one.')
      }
      throw new ProblemError(422, 'invalid_code', `The code is not right; ${pending.attemptsLeft} attempt(s) left.`)
    }
    this.receive(record, now)
    return this.view(record)
  }

  resendCode(id: string): PrivacyRequest {
    const record = this.settled(id)
    if (record.status !== 'pending_verification') {
      throw new ProblemError(409, 'not_pending_verification', `The request is ${record.status}; only one pending verification gets a new code.`)
    }
    const now = this.now()
    this.sendCode(record, now)
    this.touch(record, now)
    return this.view(record)
  }

  cancel(id: string): PrivacyRequest {
    const record = this.settled(id)
    if (record.status === 'canceled') return this.view(record)
    if (FINAL_STATES.includes(record.status)) {
      throw new ProblemError(409, 'not_cancelable', `The request is ${record.status} and can no longer be canceled.`)
    }
    this.end(record, 'canceled', 'canceled by the account holder', this.now())
    return this.view(record)
  }

  /** The privacy team refuses the request (e.g. manifestly unfounded), with its reason. */
  deny(id: string, reason: string): PrivacyRequest {
    return this.endByTeam(id, 'denied', reason)
  }

  /** The request could not be carried out, with the reason. */
  fail(id: string, reason: string): PrivacyRequest {
    return this.endByTeam(id, 'failed', reason)
  }

  /**
   * Extends the response period once, where the law allows it (its table row), up to its limit, and only while the
   * first period runs: every law that allows one asks for the person to be told within that period.
   */
  extend(id: string, days: number, reason: string): PrivacyRequest {
    const record = this.settled(id)
    const law = lawOf(record.regulation)
    if (FINAL_STATES.includes(record.status) || record.clockStartMs === null) {
      throw new ProblemError(409, 'not_extendable', `The request is ${record.status}; only a running response period can be extended.`)
    }
    const rule = extensionRule(record)
    if (!rule) throw new ProblemError(409, 'extension_not_allowed', `${law.name} allows no extension of this ${record.kind}'s period.`)
    if (record.extension) throw new ProblemError(409, 'already_extended', `The request was already extended by ${record.extension.days} days.`)
    const now = this.now()
    const legalMs = this.legalDueMs(record, now)
    if (legalMs === null) throw new ProblemError(409, 'extension_not_allowed', `A ${record.kind} has no legal period to extend.`)
    if (now > legalMs) {
      throw new ProblemError(409, 'extension_too_late', `The response period ended at ${iso(legalMs)}; ${law.name} allows an extension only within it.`)
    }
    const max = Math.floor((addPeriod(legalMs, rule) - legalMs) / DAY_MS)
    if (!Number.isInteger(days) || days < 1 || days > max) {
      throw new ProblemError(422, 'invalid_extension', `An extension under ${law.name} is 1 to ${max} days here; got ${days}.`)
    }
    record.extension = { days, reason, extendedMs: now }
    this.touch(record, now)
    return this.view(record)
  }

  /**
   * An appeal of a denied request, where its law grants one, filed within the law's window (or, where the law says "a
   * reasonable period", the platform's policy): a record of its own, linked to the request, with the appeal's clock.
   */
  appeal(originalId: string, input: CreateAppeal, idempotencyKey: string | undefined): PrivacyRequest {
    const original = this.settled(originalId)
    this.checkNewId(input.id, idempotencyKey)
    const law = lawOf(original.regulation)
    if (original.kind !== 'request') throw new ProblemError(409, 'not_appealable', `${original.id} is ${article(original.kind)} ${original.kind}; only a request's refusal can be appealed.`)
    if (!law.appeal) {
      throw new ProblemError(409, 'appeal_not_granted', `${law.name} grants no appeal to the organisation; the person may complain to the regulator instead.`)
    }
    if (original.status !== 'denied' || original.endedMs === null) {
      throw new ProblemError(409, 'not_denied', `Request ${original.id} is ${original.status}; only a denied request can be appealed.`)
    }
    const now = this.now()
    const window = this.appealWindow(law.appeal)
    const closesMs = addPeriod(original.endedMs, window)
    if (now > closesMs) {
      throw new ProblemError(409, 'appeal_window_closed', `The time to appeal the refusal of ${original.id} ended at ${iso(closesMs)} (${periodText(window)} after it).`)
    }
    const earlier = this.requests.ofSubject(original.subject.account_id).find((r) => r.kind === 'appeal' && r.regarding === original.id)
    if (earlier) throw new ProblemError(409, 'already_appealed', `The refusal of ${original.id} was already appealed: ${earlier.id}.`)
    const record = this.registerFollowUp(original, 'appeal', input.id, input.reason, now)
    this.schedule(record)
    return this.view(record)
  }

  /**
   * A complaint about the handling of a request, where the law provides one to the organisation (UK: Data Protection
   * Act 2018 s.164A, from 19 June 2026): recorded, acknowledged at once, answered like a request.
   */
  complain(originalId: string, input: CreateComplaint, idempotencyKey: string | undefined): PrivacyRequest {
    const original = this.settled(originalId)
    this.checkNewId(input.id, idempotencyKey)
    const law = lawOf(original.regulation)
    const now = this.now()
    if (law.complaintsFrom === null) {
      throw new ProblemError(409, 'complaint_not_available', `${law.name} provides no complaint to the organisation; the person may complain to the regulator.`)
    }
    if (now < Date.parse(`${law.complaintsFrom}T00:00:00Z`)) {
      throw new ProblemError(409, 'complaint_not_available', `Complaints to the organisation under ${law.name} are recorded from ${law.complaintsFrom}.`)
    }
    const record = this.registerFollowUp(original, 'complaint', input.id, input.message, now)
    record.acknowledgedMs = now
    this.schedule(record)
    return this.view(record)
  }

  /** The time to file an appeal: the law's, or the platform's policy where the law says "a reasonable period". */
  private appealWindow(appeal: NonNullable<PrivacyLaw['appeal']>): LawPeriod {
    return { ...(appeal.fileWithin ?? { amount: this.settings.appealFilingDays, unit: 'days' }) }
  }

  /** The id of a new record is its Idempotency-Key, and new. */
  private checkNewId(id: string, idempotencyKey: string | undefined): void {
    if (id !== idempotencyKey) throw new ProblemError(422, 'id_mismatch', `The id (${id}) must also be its Idempotency-Key (got ${idempotencyKey ?? 'none'}).`)
    if (this.requests.has(id)) throw new ProblemError(409, 'request_exists', `A privacy record with id ${id} already exists; fetch it instead of creating it again.`)
  }

  /** An appeal or complaint about `original`: the same person, right and law, received now. */
  private registerFollowUp(original: RequestRecord, kind: 'appeal' | 'complaint', id: string, text: string, now: number): RequestRecord {
    const record = this.register({ id, type: original.type, regulation: original.regulation, note: text }, original.subject, null, now)
    record.kind = kind
    record.regarding = original.id
    record.attestation = original.attestation && { ...original.attestation }
    record.batchId = original.batchId
    record.format = null
    record.status = 'received'
    record.receivedMs = now
    record.clockStartMs = now
    this.requests.statusChanged(record)
    return record
  }

  /**
   * The privacy team asks the person something it needs to answer the request. Where the law stops the clock for it
   * (the table's `pauses`: UK GDPR Art. 12A), the deadlines stand still until the answer, and so does the work.
   */
  askClarification(id: string, question: string): PrivacyRequest {
    const record = this.settled(id)
    if (FINAL_STATES.includes(record.status)) {
      throw new ProblemError(409, 'request_final', `The request is already ${record.status}; there is nothing left to ask about.`)
    }
    if (openClarification(record)) throw new ProblemError(409, 'clarification_pending', 'A question to the person is already open; wait for the answer.')
    const now = this.now()
    // Before the clock has started (identity not verified yet) there is nothing to stop.
    const pausesClock = record.clockStartMs !== null && lawOf(record.regulation).pauses.includes('clarification')
    record.clarifications.push({ question, askedMs: now, answer: null, answeredMs: null, pausesClock })
    this.touch(record, now)
    return this.view(record)
  }

  /** The person answers the open question; a stopped clock runs again, and the work restarts with the answer. */
  answerClarification(id: string, message: string): PrivacyRequest {
    const record = this.settled(id)
    const open = openClarification(record)
    if (!open || FINAL_STATES.includes(record.status)) {
      throw new ProblemError(409, 'no_clarification_pending', `Request ${id} has no open question to answer.`)
    }
    const now = this.now()
    open.answer = message
    open.answeredMs = now
    if (open.pausesClock) record.pausedMs += now - open.askedMs
    if (record.status === 'in_progress') record.startedMs = now
    this.touch(record, now)
    return this.view(record)
  }

  exportManifest(id: string): ExportManifest {
    const record = this.settled(id)
    const archive = this.exportOf(record)
    const format = record.format ?? 'zip'
    return {
      request_id: record.id,
      format,
      files: [{ name: archive.name, bytes: archive.bytes.length, sha256: archive.sha256, content_type: archive.contentType, expires_at: iso(archive.expiresMs) }],
    }
  }

  exportFile(id: string, name: string): FileBody {
    const archive = this.exportOf(this.settled(id))
    if (name !== archive.name) throw new ProblemError(404, 'not_found', `The export of ${id} has no file ${name}; it has ${archive.name}.`)
    return { bytes: archive.bytes, contentType: archive.contentType, etag: `"sha256:${archive.sha256}"` }
  }

  /** How many times a request with this id was created: 1 at most, which is what exactly-once tests check. */
  creations(id: string): number {
    return this.creationCounts.get(id) ?? 0
  }

  lastCode(requestId: string): string | undefined {
    return this.outbox.findLast((email) => email.request_id === requestId)?.code
  }

  /** Every request, oldest first. */
  all(): PrivacyRequest[] {
    this.settle()
    return this.requests.all().map((record) => this.view(record))
  }

  /** Stored state for tests: code hashes, never codes; archive digests, not their bytes. */
  snapshot() {
    this.settle()
    const requests = this.requests.all().map(({ export: pending, ...record }) => {
      const archive = pending && this.archiveOf(pending, record.id, record.format)
      return { ...record, archive: archive && { name: archive.name, bytes: archive.bytes.length, sha256: archive.sha256, expiresMs: pending?.expiresMs } }
    })
    return structuredClone({ requests, consents: this.consents.snapshot(), profile: this.profile, erased: this.erased ?? null })
  }

  private settled(id: string): RequestRecord {
    this.settle()
    const record = this.requests.get(id)
    if (!record) throw new ProblemError(404, 'not_found', `No privacy request ${id}.`)
    return record
  }

  private pendingCode(record: RequestRecord): PendingCode {
    if (!record.code) throw new Error(`request ${record.id} is pending verification without a code`)
    return record.code
  }

  private sendCode(record: RequestRecord, now: number): void {
    const code = randomInt(0, 1_000_000).toString().padStart(6, '0')
    const { codeTtlSeconds, maxAttempts } = this.settings
    record.code = { hash: codeHash(record.id, code), sentTo: record.subject.email, expiresMs: now + codeTtlSeconds * 1000, attemptsLeft: maxAttempts }
    this.outbox.push({
      to: record.subject.email,
      subject: 'Confirm your ClowdOps privacy request',
      text:
        `Your code is ${code}. It confirms the ${record.type} request ${record.id} and works for ${Math.round(codeTtlSeconds / 60)} minutes.\n` +
        'If you did not make this request, ignore this email: nothing happens without the code.',
      code,
      request_id: record.id,
      sent_at: iso(now),
    })
  }

  /** Identity proven (or not needed): the response period starts now. */
  private receive(record: RequestRecord, at: number): void {
    record.status = 'received'
    record.code = null
    record.receivedMs = at
    record.clockStartMs = clockStart(record, at)
    this.touch(record, at)
  }

  /** One change of the request: a new version, and the next transition scheduled from its new state. */
  private touch(record: RequestRecord, at: number): void {
    record.version += 1
    record.updatedMs = at
    this.requests.statusChanged(record)
    this.schedule(record)
  }

  private schedule(record: RequestRecord): void {
    const at = this.nextTransitionAt(record)
    if (at !== undefined) this.timeline.push(at, record.id, record.version)
  }

  private nextTransitionAt(record: RequestRecord): number | undefined {
    const s = this.settings
    // Waiting for the person's answer: nothing moves until it comes (the answer schedules what is next).
    if (openClarification(record) && !FINAL_STATES.includes(record.status) && record.status !== 'pending_verification') return undefined
    switch (record.status) {
      case 'pending_verification':
        return record.createdMs + s.unverifiedExpiryDays * DAY_MS
      case 'received':
        return (record.receivedMs ?? record.createdMs) + s.startAfterMs
      case 'in_progress':
        return (record.startedMs ?? record.createdMs) + s.workMs
      case 'awaiting_grace_period':
        return record.graceEndsMs ?? undefined
      default:
        return undefined
    }
  }

  private transition(record: RequestRecord, at: number): void {
    switch (record.status) {
      case 'pending_verification':
        if (record.type === 'ccpa_delete') return this.optOutInstead(record, at)
        return this.end(record, 'expired', `identity was not verified within ${this.settings.unverifiedExpiryDays} days`, at)
      case 'received':
        record.status = 'in_progress'
        record.startedMs = at
        return this.touch(record, at)
      case 'in_progress':
        return this.finishWork(record, at)
      case 'awaiting_grace_period':
        this.complete(record, at)
        // Only the seeded account signs in here; erasing someone a batch named closes no session.
        if (this.isSeededAccount(record)) this.erased ??= { requestId: record.id, atMs: at }
        return
      default:
        return
    }
  }

  private finishWork(record: RequestRecord, at: number): void {
    // An appeal or a complaint is answered, not carried out: the answer is the decision (or a new request).
    if (record.kind !== 'request') return this.complete(record, at)
    if (ERASURE_TYPES.includes(record.type)) {
      record.status = 'awaiting_grace_period'
      record.graceEndsMs = at + this.settings.erasureGraceDays * DAY_MS
      return this.touch(record, at)
    }
    // The platform holds a profile for the seeded account only; for anyone else there is nothing to change.
    if (record.type === 'rectification' && this.isSeededAccount(record)) this.rectify(record, at)
    if ((record.type === 'restriction' || record.type === 'objection') && this.isSeededAccount(record)) this.restrict(record, at)
    this.complete(record, at)
    if (EXPORT_TYPES.includes(record.type)) this.fixExport(record, at)
  }

  private complete(record: RequestRecord, at: number): void {
    record.status = 'completed'
    record.completedMs = at
    this.touch(record, at)
  }

  private end(record: RequestRecord, status: 'canceled' | 'denied' | 'failed' | 'expired', reason: string, at: number): void {
    record.status = status
    record.reason = reason
    record.code = null
    record.endedMs = at
    this.touch(record, at)
  }

  private endByTeam(id: string, status: 'denied' | 'failed', reason: string): PrivacyRequest {
    const record = this.settled(id)
    if (FINAL_STATES.includes(record.status)) throw new ProblemError(409, 'request_final', `The request is already ${record.status}.`)
    this.end(record, status, reason, this.now())
    return this.view(record)
  }

  /**
   * A CCPA deletion that could not be verified is denied, and handled as an opt-out of sale/sharing instead, which
   * needs no verification (Cal. Code Regs. tit. 11 §7022; §999.313(d)(1) before the 2023 regulations).
   */
  private optOutInstead(record: RequestRecord, at: number): void {
    record.handledAs = 'ccpa_opt_out'
    this.withdrawSaleConsents(record, at)
    this.end(
      record,
      'denied',
      `identity was not verified within ${this.settings.unverifiedExpiryDays} days, so nothing was deleted; handled as an opt-out of sale and sharing instead`,
      at,
    )
  }

  private withdrawSaleConsents(record: RequestRecord, at: number): void {
    if (this.isSeededAccount(record)) {
      for (const purpose of ['cookies_marketing', 'marketing_email'] as const) {
        this.consents.write(purpose, { state: 'withdrawn', collected_at: iso(at), method: 'ccpa_opt_out' })
      }
    }
  }

  private optOut(record: RequestRecord, at: number): void {
    this.withdrawSaleConsents(record, at)
    this.complete(record, at)
  }

  private isSeededAccount(record: RequestRecord): boolean {
    return record.subject.account_id === this.store.user.id
  }

  private rectify(record: RequestRecord, at: number): void {
    for (const change of record.rectification?.changes ?? []) this.profile[change.field] = change.value
    this.profile.updated_at = iso(at)
  }

  private restrict(record: RequestRecord, at: number): void {
    const list = record.type === 'restriction' ? this.profile.restricted_purposes : this.profile.objected_purposes
    for (const purpose of record.processing?.purposes ?? []) if (!list.includes(purpose)) list.push(purpose)
    this.profile.updated_at = iso(at)
  }

  /**
   * What the export holds is fixed at completion, from what the platform holds then; the first download builds the
   * archive and every later one serves those exact bytes. Someone a batch named gets what the platform knows of
   * them: who they are and their requests.
   */
  private fixExport(record: RequestRecord, at: number): void {
    const requests = this.requests.ofSubject(record.subject.account_id).map((r) => this.view(r, at))
    const contents: ArchiveContents = this.isSeededAccount(record)
      ? {
          'account.json': { profile: this.profile, organisation: this.store.user.org },
          'consents.json': this.consents.snapshot(),
          'privacy-requests.json': requests,
          'projects.json': this.store.listProjects().map((project) => ({ ...project, sandboxes: this.store.sandboxesOf(project.id) ?? [] })),
          'credentials.json': [...this.store.credentials.values()].map(({ secrets, ...metadata }) => ({ ...metadata, secret_fields: Object.keys(secrets) })),
        }
      : { 'account.json': { subject: record.subject }, 'privacy-requests.json': requests }
    record.export = { contents: structuredClone(contents), atMs: at, expiresMs: at + this.settings.exportTtlDays * DAY_MS, archive: null }
  }

  private archiveOf(pending: PendingExport, requestId: string, format: PrivacyRequest['format']): ExportArchive {
    pending.archive ??= buildExportArchive(format ?? 'zip', requestId, pending.atMs, {
      ...pending.contents,
      'activity.json': activityLog(requestId, pending.atMs, this.settings.exportPaddingBytes),
    })
    return pending.archive
  }

  private exportOf(record: RequestRecord): ExportArchive & { expiresMs: number } {
    if (!EXPORT_TYPES.includes(record.type)) {
      throw new ProblemError(404, 'not_found', `Request ${record.id} is ${article(record.type)} ${record.type} request, which has no export.`)
    }
    const pending = record.export
    if (record.status !== 'completed' || !pending) {
      throw new ProblemError(409, 'export_not_ready', `The export is not ready: the request is ${record.status}.`)
    }
    if (this.now() >= pending.expiresMs) {
      throw new ProblemError(410, 'export_expired', `The export files expired at ${iso(pending.expiresMs)}; make a new request.`)
    }
    return { ...this.archiveOf(pending, record.id, record.format), expiresMs: pending.expiresMs }
  }

  /** The law's deadline, with any extension, moved on by the time the clock stood still; null: the law sets none. */
  private legalDueMs(record: RequestRecord, at: number): number | null {
    const period = legalPeriod(record)
    if (!period) return null
    const start = record.clockStartMs ?? record.createdMs
    return addPeriod(start, period) + (record.extension?.days ?? 0) * DAY_MS + pausedUntil(record, at)
  }

  /**
   * The request's deadlines: the law's and the platform's promise (its privacy policy), and which one binds: the
   * earlier, unless an extension (which only the law allows) set the extended legal deadline.
   */
  private deadlines(record: RequestRecord, at: number): { legalMs: number | null; promisedMs: number | null; dueMs: number; basis: 'promise' | 'law' | 'extension' } | undefined {
    if (record.clockStartMs === null) return undefined
    const legalMs = this.legalDueMs(record, at)
    // The privacy policy promises answers to requests and complaints; an appeal has the law's own window.
    const promisedMs = record.kind === 'appeal' ? null : record.clockStartMs + this.settings.promisedResponseDays * DAY_MS + pausedUntil(record, at)
    if (legalMs !== null && (record.extension || promisedMs === null || legalMs <= promisedMs)) {
      return { legalMs, promisedMs, dueMs: legalMs, basis: record.extension ? 'extension' : 'law' }
    }
    if (promisedMs === null) return undefined
    return { legalMs, promisedMs, dueMs: promisedMs, basis: 'promise' }
  }

  private view(record: RequestRecord, at = this.now()): PrivacyRequest {
    const final = FINAL_STATES.includes(record.status)
    const clock = this.deadlines(record, at)
    const dueMs = clock?.dueMs ?? null
    const code = record.status === 'pending_verification' ? record.code : null
    return {
      id: record.id,
      kind: record.kind,
      regarding: record.regarding,
      type: record.type,
      regulation: record.regulation,
      subject: { ...record.subject },
      attestation: record.attestation && { ...record.attestation },
      batch_id: record.batchId,
      status: record.status,
      reason: record.reason,
      format: record.format,
      rectification: record.rectification && structuredClone(record.rectification),
      processing: record.processing && structuredClone(record.processing),
      verification: code && { method: 'email_code', sent_to: maskEmail(code.sentTo), expires_at: iso(code.expiresMs), attempts_left: code.attemptsLeft },
      created_at: iso(record.createdMs),
      channel: record.channel,
      received_at: record.clockStartMs === null ? null : iso(record.clockStartMs),
      legal_due_at: clock?.legalMs == null ? null : iso(clock.legalMs),
      promised_due_at: clock?.promisedMs == null ? null : iso(clock.promisedMs),
      due_at: dueMs === null ? null : iso(dueMs),
      due_basis: clock?.basis ?? null,
      // `|| 0` turns Math.ceil's -0 (less than a day overdue) into 0.
      days_left: dueMs === null || final ? null : Math.ceil((dueMs - at) / DAY_MS) || 0,
      extension: record.extension && { days: record.extension.days, reason: record.extension.reason, extended_at: iso(record.extension.extendedMs) },
      handled_as: record.handledAs,
      acknowledged_at: record.acknowledgedMs === null ? null : iso(record.acknowledgedMs),
      clarifications: record.clarifications.map((c) => ({
        question: c.question,
        asked_at: iso(c.askedMs),
        answer: c.answer,
        answered_at: c.answeredMs === null ? null : iso(c.answeredMs),
        pauses_clock: c.pausesClock,
      })),
      clock_paused_since: pausedSince(record, final),
      grace_period_ends_at: record.graceEndsMs === null ? null : iso(record.graceEndsMs),
      completed_at: record.completedMs === null ? null : iso(record.completedMs),
      updated_at: iso(record.updatedMs),
      version: record.version,
    }
  }
}

/** Newest first by (created, id), as RequestIndex walks: positive when `a` comes after `b`. */
function newerFirst(a: ListPosition, b: ListPosition): number {
  if (a.createdMs !== b.createdMs) return b.createdMs - a.createdMs
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0
}

/**
 * When the response period starts, once the request is received (and verified, at `verifiedMs`): when the organisation
 * says it arrived, else now; where the law's clock waits for identity (UK GDPR Art. 12A), not before it is verified.
 */
function clockStart(record: RequestRecord, verifiedMs: number): number {
  if (record.arrivedMs === null) return verifiedMs
  return lawOf(record.regulation).pauses.includes('identity') ? Math.max(record.arrivedMs, verifiedMs) : record.arrivedMs
}

/** The period the law gives to answer this record: a request's response period, an appeal's; a complaint has none. */
function legalPeriod(record: RequestRecord): LawPeriod | null {
  if (record.kind === 'complaint') return null
  if (record.kind === 'appeal') return lawOf(record.regulation).appeal?.answer ?? null
  return responsePeriod(record.regulation, record.type)
}

/** The longest extension the law allows of this record's period. */
function extensionRule(record: RequestRecord): LawPeriod | null {
  const law = lawOf(record.regulation)
  if (record.kind === 'complaint') return null
  if (record.kind === 'appeal') return law.appeal?.extension ?? null
  return law.extension?.max ?? null
}

function openClarification(record: RequestRecord): ClarificationRecord | undefined {
  const last = record.clarifications.at(-1)
  return last && last.answeredMs === null ? last : undefined
}

/** Time the clock has stood still by `at`: answered pauses, and the open one so far. */
function pausedUntil(record: RequestRecord, at: number): number {
  const open = openClarification(record)
  return record.pausedMs + (open?.pausesClock && !FINAL_STATES.includes(record.status) ? Math.max(0, at - open.askedMs) : 0)
}

function pausedSince(record: RequestRecord, final: boolean): string | null {
  const open = openClarification(record)
  return open?.pausesClock && !final ? iso(open.askedMs) : null
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}

function codeHash(requestId: string, code: string): string {
  return sha256(`${requestId}:${code}`)
}

function sameHash(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(a), Buffer.from(b))
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a'
}
