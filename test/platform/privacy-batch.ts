// Batch submissions by an organisation for other people: each item is judged on its own, in order (accepted, duplicate
// or rejected), never the batch as a whole, except when it is too large or a test asks for it to be refused.
import {
  EXPORT_TYPES,
  type Attestation,
  type BatchItem,
  type BatchItemResult,
  type BatchResult,
  type BatchSubmission,
  type PrivacyRequest,
  type Regulation,
  type RequestType,
} from '../../src/core/contract/privacy.js'
import type { PrivacySettings } from './privacy-rules.js'
import { normaliseEmail, type Subject, type SubjectRegistry } from './privacy-subjects.js'
import { ProblemError } from './problems.js'
import { canonicalJson } from './store.js'

/** What an existing request holds that decides whether an item with its id is the same request sent again. */
export interface StoredContent {
  type: RequestType
  regulation: Regulation
  subject: Subject
  format: PrivacyRequest['format']
  rectification: PrivacyRequest['rectification']
  processing: PrivacyRequest['processing']
  note: string | null
}

/** What a batch needs of the privacy engine. */
export interface BatchTarget {
  readonly subjects: SubjectRegistry
  /** Applies due transitions once per batch, so "open" means open now. */
  settle(): void
  stored(id: string): StoredContent | undefined
  /** The id of an open request of this type for this person, if there is one. */
  openFor(accountId: string, type: RequestType): string | undefined
  /** Why the item's receipt time cannot be right (in the future, before its law took effect), if it cannot. */
  receiptRefusal(item: BatchItem): { code: string; field: string; message: string } | undefined
  /** Creates the request as received: the attestation stands in for the emailed code. */
  createAttested(item: BatchItem, subject: Subject, attestation: Attestation, batchId: string): void
}

/**
 * The contract caps a batch body at 1000 items, so a larger limit could never be reached and discovery would promise
 * more than the schema accepts.
 */
const MAX_BATCH_SIZE_CEILING = 1000

export function checkMaxBatchSize(size: number): void {
  if (!Number.isInteger(size) || size < 1 || size > MAX_BATCH_SIZE_CEILING) {
    throw new RangeError(`max batch size must be a whole number from 1 to ${MAX_BATCH_SIZE_CEILING}; got ${size}`)
  }
}

export class BatchDesk {
  private refusing: string | null = null
  private readonly receivedCounts = new Map<string, number>()
  private calls = 0

  constructor(
    private readonly target: BatchTarget,
    private readonly settings: PrivacySettings,
  ) {
    checkMaxBatchSize(settings.maxBatchSize)
  }

  setMaxBatchSize(size: number): void {
    checkMaxBatchSize(size)
    this.settings.maxBatchSize = size
  }

  /** A test knob: a batch with an item whose subject email contains `text` is refused whole (null: none is). */
  rejectBatchesContaining(text: string | null): void {
    if (text === '') throw new RangeError('an empty text would refuse every batch with an email; pass null for none')
    this.refusing = text
  }

  get refusedText(): string | null {
    return this.refusing
  }

  /** Batches that reached the engine, refused ones included; idempotent replays are answered before it and do not count. */
  batchCalls(): number {
    return this.calls
  }

  /** How many batches that reached the engine carried this id (twice in one batch counts twice). */
  received(id: string): number {
    return this.receivedCounts.get(id) ?? 0
  }

  receivedAll(): Record<string, number> {
    return Object.fromEntries(this.receivedCounts)
  }

  submit(submission: BatchSubmission): BatchResult {
    this.calls += 1
    for (const item of submission.requests) this.receivedCounts.set(item.id, this.received(item.id) + 1)
    this.refuseWhole(submission)
    this.target.settle()
    const firsts = new Map<string, { item: BatchItem; result: BatchItemResult }>()
    const results = submission.requests.map((item) => {
      const first = firsts.get(item.id)
      // A repeat of an id the batch already created is judged against the stored request like any other.
      const result = first && !this.target.stored(item.id) ? repeatOf(first, item) : this.judge(item, submission)
      if (!first) firsts.set(item.id, { item, result })
      return result
    })
    return { results }
  }

  private refuseWhole(submission: BatchSubmission): void {
    const limit = this.settings.maxBatchSize
    if (submission.requests.length > limit) {
      throw new ProblemError(
        413,
        'batch_too_large',
        `A batch may carry at most ${limit} requests (max_batch_size); this one has ${submission.requests.length}. Split it.`,
      )
    }
    const refusing = this.refusing
    if (refusing !== null && submission.requests.some((item) => item.subject.email?.includes(refusing))) {
      // Like a real platform's opaque failure, it does not say which item: finding it is the client's job.
      throw new ProblemError(400, 'invalid_batch', 'The batch could not be processed; nothing in it was created. Send its items in smaller batches.')
    }
  }

  private judge(item: BatchItem, submission: BatchSubmission): BatchItemResult {
    const existing = this.target.stored(item.id)
    if (existing) {
      if (sameContent(item, existing)) return duplicate(item.id, item.id)
      return rejected(item.id, 'id_conflict', 'id', `Request ${item.id} exists with other content; a new request needs a new id.`)
    }
    const refusal = this.target.receiptRefusal(item)
    if (refusal) return rejected(item.id, refusal.code, refusal.field, refusal.message)
    const lookup = this.target.subjects.lookup(item.subject)
    if ('error' in lookup) return rejected(item.id, lookup.error, lookup.field, lookup.message)
    if ('found' in lookup) {
      const open = this.target.openFor(lookup.found.account_id, item.type)
      if (open !== undefined) return duplicate(item.id, open)
    }
    const subject = 'found' in lookup ? lookup.found : this.target.subjects.ensure(lookup.unknownEmail)
    this.target.createAttested(item, subject, submission.attestation, submission.batch_id)
    return { id: item.id, outcome: 'accepted', duplicate_of: null, error: null }
  }
}

/** A second item with an id the batch did not create: the first one's answer if it is the same item, a conflict if not. */
function repeatOf(first: { item: BatchItem; result: BatchItemResult }, item: BatchItem): BatchItemResult {
  if (canonicalJson(first.item) === canonicalJson(item)) return { ...first.result }
  return rejected(item.id, 'id_conflict', 'id', `Request ${item.id} appears earlier in this batch with other content.`)
}

/** The same type, regulation, person and payload: a resend of the request, not a new one under a used id. */
function sameContent(item: BatchItem, stored: StoredContent): boolean {
  const samePerson =
    (item.subject.account_id === undefined || item.subject.account_id === stored.subject.account_id) &&
    (item.subject.email === undefined || normaliseEmail(item.subject.email) === stored.subject.email)
  const format = item.format ?? (EXPORT_TYPES.includes(item.type) ? 'zip' : null)
  return (
    samePerson &&
    item.type === stored.type &&
    item.regulation === stored.regulation &&
    format === stored.format &&
    (item.note ?? null) === stored.note &&
    canonicalJson(item.rectification ?? null) === canonicalJson(stored.rectification) &&
    canonicalJson(item.processing ?? null) === canonicalJson(stored.processing)
  )
}

function duplicate(id: string, of: string): BatchItemResult {
  return { id, outcome: 'duplicate', duplicate_of: of, error: null }
}

function rejected(id: string, code: string, field: string, message: string): BatchItemResult {
  return { id, outcome: 'rejected', duplicate_of: null, error: { code, message, field } }
}
