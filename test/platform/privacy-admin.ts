// Test controls of the privacy engine: the typed `platform.privacy` object and the same controls over /_admin/privacy/.
import { z } from 'zod'
import type { PrivacyRequest } from '../../src/core/contract/privacy.js'
import type { DownloadKnobs, DownloadLogEntry } from './download-response.js'
import type { Email, PrivacyEngine } from './privacy.js'
import { ProblemError } from './problems.js'

export interface PrivacyKnobs {
  /** Moves the privacy clock forward; due transitions happen on the next request that looks. */
  advance(ms: number): void
  /** The privacy clock's current time. */
  now(): Date
  /** Every verification email sent, oldest first. */
  outbox(): Email[]
  lastCode(requestId: string): string | undefined
  deny(id: string, reason: string): PrivacyRequest
  fail(id: string, reason: string): PrivacyRequest
  extend(id: string, days: number, reason: string): PrivacyRequest
  cutNextDownloadAt(bytes: number): void
  corruptNextDownload(): void
  /** One entry per file response (200, 206, 416), oldest first; live. */
  readonly downloads: DownloadLogEntry[]
  creations(id: string): number
  /** How many batches that reached the engine carried this id; idempotent replays are answered before it and do not count. */
  received(id: string): number
  /** Batch submissions that reached the engine, including those refused whole (413, invalid_batch). */
  batchCalls(): number
  /** Lowers (or raises, up to 1000) max_batch_size, e.g. after the CLI has read discovery, to provoke a 413. */
  setMaxBatchSize(size: number): void
  /** Refuse, with 400 invalid_batch, every batch in which some item's subject email contains `text`; null stops it. */
  rejectBatchesContaining(text: string | null): void
  /** A person the platform knows, so a batch item may name them by this account id; the same email gives the same account. */
  addAccount(email: string): { account_id: string; email: string }
  requests(): PrivacyRequest[]
}

export function privacyKnobs(engine: PrivacyEngine, downloads: DownloadKnobs): PrivacyKnobs {
  return {
    advance: (ms) => engine.advance(ms),
    now: () => new Date(engine.now()),
    outbox: () => structuredClone(engine.outbox),
    lastCode: (id) => engine.lastCode(id),
    deny: (id, reason) => engine.deny(id, reason),
    fail: (id, reason) => engine.fail(id, reason),
    extend: (id, days, reason) => engine.extend(id, days, reason),
    cutNextDownloadAt: (bytes) => downloads.cutNextDownloadAt(bytes),
    corruptNextDownload: () => downloads.corruptNextDownload(),
    downloads: downloads.log,
    creations: (id) => engine.creations(id),
    received: (id) => engine.batches.received(id),
    batchCalls: () => engine.batches.batchCalls(),
    setMaxBatchSize: (size) => engine.batches.setMaxBatchSize(size),
    rejectBatchesContaining: (text) => engine.batches.rejectBatchesContaining(text),
    addAccount: (email) => ({ ...engine.subjects.ensure(email) }),
    requests: () => engine.all(),
  }
}

const AdminClock = z.object({ advance_seconds: z.number().min(0) }).strict()

const AdminRequestAction = z.discriminatedUnion('action', [
  z.object({ action: z.literal('deny'), reason: z.string().min(1) }).strict(),
  z.object({ action: z.literal('fail'), reason: z.string().min(1) }).strict(),
  z.object({ action: z.literal('extend'), reason: z.string().min(1), days: z.number().int().min(1) }).strict(),
])

const AdminBatches = z
  .object({
    max_batch_size: z.number().int().min(1).optional(),
    reject_batches_containing: z.string().min(1).nullable().optional(),
  })
  .strict()

const AdminAccount = z.object({ email: z.email() }).strict()

const AdminDownloads = z
  .object({ cut_next_at: z.number().int().min(0).optional(), corrupt_next: z.literal(true).optional(), clear: z.literal(true).optional() })
  .strict()

/**
 * Answers an admin route under /_admin/privacy/, or returns undefined when the route is not one of these.
 * `parse` validates the JSON body against a schema (400 otherwise), as the other admin routes do.
 */
export function privacyAdminRoute(
  method: string,
  path: string,
  parse: <S extends z.ZodType>(schema: S) => z.output<S>,
  engine: PrivacyEngine,
  downloads: DownloadKnobs,
): unknown {
  const route = `${method} ${path}`
  if (route === 'GET /_admin/privacy/outbox') return { data: engine.outbox }
  if (route === 'POST /_admin/privacy/clock') {
    engine.advance(parse(AdminClock).advance_seconds * 1000)
    return { now: new Date(engine.now()).toISOString() }
  }
  if (route === 'GET /_admin/privacy/requests') {
    const { batches } = engine
    return { data: engine.all().map((request) => ({ ...request, creations: engine.creations(request.id), received: batches.received(request.id) })) }
  }
  if (route === 'GET /_admin/privacy/batches') return describeBatches(engine)
  if (route === 'POST /_admin/privacy/batches') {
    const change = parse(AdminBatches)
    try {
      if (change.max_batch_size !== undefined) engine.batches.setMaxBatchSize(change.max_batch_size)
      if (change.reject_batches_containing !== undefined) engine.batches.rejectBatchesContaining(change.reject_batches_containing)
    } catch (error) {
      if (error instanceof RangeError) throw new ProblemError(400, 'invalid_request', error.message)
      throw error
    }
    return describeBatches(engine)
  }
  if (route === 'POST /_admin/privacy/accounts') return { ...engine.subjects.ensure(parse(AdminAccount).email) }
  const requestId = /^POST \/_admin\/privacy\/requests\/([^/]+)$/.exec(route)?.[1]
  if (requestId !== undefined) {
    const change = parse(AdminRequestAction)
    const id = decodeURIComponent(requestId)
    if (change.action === 'deny') return engine.deny(id, change.reason)
    if (change.action === 'fail') return engine.fail(id, change.reason)
    return engine.extend(id, change.days, change.reason)
  }
  if (route === 'GET /_admin/privacy/downloads') return { data: downloads.log, ...downloads.describe() }
  if (route === 'POST /_admin/privacy/downloads') {
    const change = parse(AdminDownloads)
    try {
      if (change.clear) downloads.clear()
      if (change.cut_next_at !== undefined) downloads.cutNextDownloadAt(change.cut_next_at)
      if (change.corrupt_next) downloads.corruptNextDownload()
    } catch (error) {
      if (error instanceof RangeError) throw new ProblemError(400, 'invalid_request', error.message)
      throw error
    }
    return downloads.describe()
  }
  return undefined
}

/** The batch knobs and counters; `received` is keyed by request id, including ids that were never created. */
function describeBatches(engine: PrivacyEngine) {
  const { batches } = engine
  return {
    batch_calls: batches.batchCalls(),
    max_batch_size: engine.settings.maxBatchSize,
    reject_batches_containing: batches.refusedText,
    received: batches.receivedAll(),
  }
}
