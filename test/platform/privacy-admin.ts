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
    requests: () => engine.all(),
  }
}

const AdminClock = z.object({ advance_seconds: z.number().min(0) }).strict()

const AdminRequestAction = z.discriminatedUnion('action', [
  z.object({ action: z.literal('deny'), reason: z.string().min(1) }).strict(),
  z.object({ action: z.literal('fail'), reason: z.string().min(1) }).strict(),
  z.object({ action: z.literal('extend'), reason: z.string().min(1), days: z.number().int().min(1) }).strict(),
])

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
    return { data: engine.all().map((request) => ({ ...request, creations: engine.creations(request.id) })) }
  }
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
