// Submits checked rows in batches: bounded, adaptive concurrency; retries with jitter; bad batches split to find the
// bad rows; every transition journaled; every row reported with exactly one outcome.
import { hash } from 'node:crypto'
import { type Attestation, type BatchItemResult, endpoints } from '../contract/index.js'
import { ClowdopsError, PlatformError, ResponseShapeError } from '../errors.js'
import type { ApiClient, Clock } from '../ports.js'
import { type RetryPolicy, backoffMs, isRetryableError } from '../retry-policy.js'
import { Headers } from '../contract/conventions.js'
import { Pacer, type Ticket, WaitTally, parseQuotaPolicy, parseRemaining } from './pacer.js'
import type { JournalState, JournalWriter } from './journal.js'
import type { BulkCounts, BulkSummary, CheckedRow, RowOutcome, RowReport, ValidRow } from './model.js'
import { duplicateKeyOf } from './rows.js'

export interface SubmitOptions {
  batchId: string
  attestation: Attestation
  /** At most the platform's max_batch_size. */
  batchSize: number
  /** Batches in flight to start with; lowered while the platform rate-limits, raised again as it recovers. */
  concurrency: number
  /**
   * The most batches in flight (default: `concurrency`). Above `concurrency`, more go out at once only where the
   * platform advertises a rate that fewer could not reach through the round trip (Little's law: rate × round trip).
   */
  maxConcurrency?: number
  dryRun: boolean
  /** Tries per batch for retryable failures (network, 408, 429, 5xx) before its rows count as failed. */
  attempts?: number
}

/** Live numbers for a progress display: the summary's counts, rows in flight, and the concurrency in use. */
export interface BulkCounters extends BulkCounts {
  sent: number
  concurrency: number
}

export interface SubmitHooks {
  /** Each row's final report, as it happens (not in input order). May wait (e.g. for stdout to drain). */
  row?: ((report: RowReport) => void | Promise<void>) | undefined
  progress?(counters: Readonly<BulkCounters>): void
  /** Rows that did not make it (invalid, rejected, failed), for people: line and outcome, never the identity. */
  problem?(row: { row: number; line: number }, outcome: RowOutcome): void
}

/** Remembers the first line of each (person, right) in the file, compactly. */
export interface FirstSeen {
  seenAt(key: string, line: number): number | undefined
}

export interface SubmitDeps {
  api: Pick<ApiClient, 'send'>
  clock: Clock
  seen: FirstSeen
  journal?: { writer: JournalWriter; state: JournalState } | undefined
  /** Ctrl-C: no new batch is read or sent; those in flight end with it (their rows stay unfinished in the journal). */
  signal?: AbortSignal | undefined
}

const DEFAULT_ATTEMPTS = 8
/** Round trips the in-flight limit is sized on: enough to find an unqueued one, few enough to follow a change. */
const ROUND_TRIPS_KEPT = 16
/**
 * The shared retry rules with a longer reach than one interactive call: a bulk run would rather wait out a busy
 * platform (backoff up to 20 s, Retry-After honoured up to a minute) than fail rows. `retries` is set per run.
 */
const BULK_RETRY: Omit<RetryPolicy, 'retries'> = { baseDelayMs: 250, maxDelayMs: 20_000, maxRetryAfterMs: 60_000 }

export async function submitBulk(
  chunks: AsyncIterable<readonly CheckedRow[]>,
  options: SubmitOptions,
  hooks: SubmitHooks,
  deps: SubmitDeps,
): Promise<Omit<BulkSummary, 'unread'>> {
  const started = deps.clock.now().getTime()
  const counters: BulkCounters = {
    rows: 0, valid: 0, invalid: 0, in_file_duplicates: 0, sent: 0, accepted: 0, duplicate: 0, rejected: 0,
    failed: 0, planned: 0, resumed: 0, retried: 0, batches: 0, rate_limited: 0, concurrency: options.concurrency,
  }
  const journal = deps.journal
  const sender = new BatchSender(options, counters, deps, journal?.writer, report)
  let batch: ValidRow[] = []

  /**
   * Counts the outcome and hands the row to whoever reads rows; only waits when they do (a million awaits cost), and
   * only hashes the identity for them (reports carry its SHA-256, never the email or account id).
   */
  function report(row: { line: number; row: number }, identityKey: string | null, outcome: RowOutcome, resumed = false): void | Promise<void> {
    const key = outcome.outcome === 'in_file_duplicate' ? 'in_file_duplicates' : outcome.outcome
    counters[key] += 1
    hooks.progress?.(counters)
    if (outcome.outcome === 'invalid' || outcome.outcome === 'rejected' || outcome.outcome === 'failed') hooks.problem?.(row, outcome)
    if (!hooks.row) return
    const identity_sha256 = identityKey === null ? null : hash('sha256', identityKey, 'hex')
    return hooks.row({ type: 'row', row: row.row, line: row.line, identity_sha256, ...(resumed ? { resumed: true as const } : {}), ...outcome })
  }

  try {
    for await (const chunk of chunks) {
      deps.signal?.throwIfAborted()
      for (const checked of chunk) {
        counters.rows += 1
        const reported = classify(checked)
        if (reported) await reported
        if (batch.length >= sender.batchSize) {
          await sender.dispatch(batch)
          batch = []
        }
      }
    }
    if (batch.length > 0) await sender.dispatch(batch)
  } finally {
    // Interrupted or failed: the batches in flight end first (Ctrl-C aborts them too), so none writes to the journal
    // or the report after the caller has closed them.
    await sender.drain()
  }

  /** What happens to one row before sending: reported at once (invalid, repeated, finished, planned) or batched. */
  function classify(checked: CheckedRow): void | Promise<void> {
    sender.throwIfFatal()
    if (!checked.ok) return report(checked.row, null, { outcome: 'invalid', code: checked.row.code, reason: checked.row.reason })
    const valid = checked.row
    counters.valid += 1
    const { item } = valid
    const first = deps.seen.seenAt(duplicateKeyOf(valid), valid.line)
    if (first !== undefined) return report(valid, valid.identityKey, { outcome: 'in_file_duplicate', duplicate_of_line: first, id: item.id })
    const finished = journal?.state.outcomeOf(valid.row)
    if (finished) {
      counters.resumed += 1
      return report(valid, valid.identityKey, resumedOutcome(finished, item.id, journal?.state.detailOf(valid.row)), true)
    }
    if (options.dryRun) return report(valid, valid.identityKey, { outcome: 'planned', id: item.id })
    batch.push(valid)
  }
  await journal?.writer.flush()
  sender.throwIfFatal()

  const elapsed = Math.max(1, deps.clock.now().getTime() - started)
  const { sent: _sent, concurrency: _concurrency, ...counts } = counters
  const done = counts.accepted + counts.duplicate + counts.rejected - counts.resumed
  return {
    type: 'summary',
    ...counts,
    dry_run: options.dryRun,
    batch_id: options.batchId,
    journal: journal?.writer.path ?? null,
    elapsed_ms: elapsed,
    rate_limit_wait_ms: Math.round(sender.rateLimitWaitMs),
    rows_per_second: Math.round((Math.max(0, done) / elapsed) * 1000),
  }
}

function resumedOutcome(finished: 'accepted' | 'duplicate' | 'rejected', id: string, detail: string | undefined): RowOutcome {
  if (finished === 'accepted') return { outcome: 'accepted', id }
  if (finished === 'duplicate') return { outcome: 'duplicate', id, duplicate_of: detail ?? id }
  return { outcome: 'rejected', id, code: detail ?? 'rejected', message: 'rejected in an earlier run (see its report)' }
}

type Report = (row: ValidRow, identityKey: string, outcome: RowOutcome) => void | Promise<void>

/**
 * Sends batches with at most `limit` in flight. Where the platform advertises its rate (RateLimit-Policy), a pacer
 * spaces the requests to it and the limit is what that rate needs through the measured round trip. Otherwise additive
 * increase, multiplicative decrease: a 429 halves the limit, each success raises it by one up to the configured
 * concurrency, and `RateLimit-Remaining` caps it so the next round does not run into the limit. Either way a 429
 * pauses every sender until its Retry-After.
 */
class BatchSender {
  batchSize: number
  private limit: number
  private readonly maxLimit: number
  private readonly inFlight = new Set<Promise<void>>()
  private pausedUntil = 0
  private fatal: unknown
  private readonly attempts: number
  private readonly pacer = new Pacer()
  private readonly waits: WaitTally
  /** The latest round trips of a batch, sending to answer, in ms (at most ROUND_TRIPS_KEPT). */
  private readonly roundTrips: number[] = []

  constructor(
    private readonly options: SubmitOptions,
    private readonly counters: BulkCounters,
    private readonly deps: SubmitDeps,
    private readonly journal: JournalWriter | undefined,
    private readonly report: Report,
  ) {
    this.batchSize = Math.max(1, options.batchSize)
    this.limit = Math.max(1, options.concurrency)
    this.maxLimit = Math.max(this.limit, options.maxConcurrency ?? this.limit)
    this.attempts = options.attempts ?? DEFAULT_ATTEMPTS
    this.waits = new WaitTally(() => this.now())
  }

  get rateLimitWaitMs(): number {
    return this.waits.ms
  }

  throwIfFatal(): void {
    if (this.fatal !== undefined) throw this.fatal
  }

  async dispatch(rows: ValidRow[]): Promise<void> {
    while (this.inFlight.size >= this.limit) await Promise.race(this.inFlight)
    this.throwIfFatal()
    this.deps.signal?.throwIfAborted()
    this.journal?.append({ t: 'planned', rows: rows.map((r) => r.row) })
    const sending = this.send(rows).catch((error: unknown) => {
      this.fatal ??= error
    })
    const tracked = sending.finally(() => this.inFlight.delete(tracked))
    this.inFlight.add(tracked)
  }

  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.race(this.inFlight)
  }

  /** One batch to its end: results, or split on a non-retryable error, or failed after the last retry. */
  private async send(rows: ValidRow[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.waitForPause()
      const ticket = await this.paced()
      if (this.fatal !== undefined) return
      this.journal?.append({ t: 'sent', rows: rows.map((r) => r.row) })
      this.counters.batches += 1
      this.counters.sent += rows.length
      const outcome = await this.post(rows, ticket)
      if (outcome.kind === 'results') return this.record(rows, outcome.results)
      const error = outcome.error
      if (isRetryableError(error)) {
        if (attempt >= this.attempts) return this.fail(rows, error)
        this.counters.retried += rows.length
        const delay = this.retryDelay(error, attempt)
        if (error instanceof PlatformError && error.status === 429) {
          this.counters.rate_limited += 1
          this.pacer.throttled(this.now())
          // A pacer already keeps to the rate: fewer in flight would only leave it short once the pause is over.
          if (!this.pacer.pacing) this.setLimit(Math.floor(this.limit / 2))
          this.pausedUntil = Math.max(this.pausedUntil, this.now() + delay)
        } else {
          await this.deps.clock.sleep(delay)
        }
        continue
      }
      if (!(error instanceof PlatformError) || error.status === 401 || error.status === 403) throw error
      // The platform refused the batch as a whole: halve it until the rows it refuses stand alone.
      if (rows.length === 1) return this.reject(rows, error)
      if (error.status === 413) this.batchSize = Math.max(1, Math.min(this.batchSize, Math.floor(rows.length / 2)))
      const half = Math.ceil(rows.length / 2)
      await this.send(rows.slice(0, half))
      await this.send(rows.slice(half))
      return
    }
  }

  private async post(rows: ValidRow[], ticket: Ticket): Promise<{ kind: 'results'; results: BatchItemResult[] } | { kind: 'error'; error: unknown }> {
    try {
      const response = await this.deps.api.send(endpoints.submitPrivacyBatch, {
        body: { batch_id: this.options.batchId, attestation: this.options.attestation, requests: rows.map((r) => r.item) },
        idempotencyKey: idempotencyKeyFor(rows),
        retry: false,
        bodyChecked: true,
      })
      this.adapt(ticket, response.headers)
      return { kind: 'results', results: response.data.results }
    } catch (error) {
      return { kind: 'error', error }
    }
  }

  /** After an answer: the pacer learns the server's bucket, and the limit follows the rate or the legacy rules. */
  private adapt(ticket: Ticket, headers: Readonly<Record<string, string | string[] | undefined>>): void {
    const now = this.now()
    this.roundTrips.push(now - ticket.sentAt)
    if (this.roundTrips.length > ROUND_TRIPS_KEPT) this.roundTrips.shift()
    const policy = parseQuotaPolicy(first(headers[Headers.rateLimitPolicy]))
    const legacyRemaining = Number(first(headers[Headers.rateLimitRemaining]))
    const remaining = parseRemaining(first(headers[Headers.rateLimit])) ?? (Number.isFinite(legacyRemaining) ? legacyRemaining : undefined)
    this.pacer.observe(ticket, policy, remaining, now)
    const rate = this.pacer.ratePerSecond
    if (rate !== undefined) {
      // Little's law: to keep `rate` requests a second going with each taking a round trip, rate × round trip must be
      // in flight. The round trip is the shortest of the latest few, the network's and the server's own time without
      // queueing: sized on a typical one, a queue we built would call for more in flight, which builds more queue. Twice
      // that, and one spare, absorb the jitter.
      const roundTrip = Math.min(...this.roundTrips)
      this.setLimit(Math.max(this.options.concurrency, Math.ceil(((rate * roundTrip) / 1000) * 2) + 1))
      return
    }
    let limit = this.limit < this.options.concurrency ? this.limit + 1 : this.limit
    if (remaining !== undefined) limit = Math.min(limit, remaining)
    this.setLimit(limit)
  }

  private setLimit(limit: number): void {
    this.limit = Math.max(1, Math.min(this.maxLimit, limit))
    this.counters.concurrency = this.limit
  }

  /** Waits for the pacer's go (counted as time held back by the rate limit); the ticket goes with the request. */
  private async paced(): Promise<Ticket> {
    const { waitMs, ticket } = this.pacer.reserve(this.now())
    if (waitMs > 0) await this.waits.during(() => this.deps.clock.sleep(waitMs, this.deps.signal))
    return ticket(this.now())
  }

  private async record(rows: ValidRow[], results: BatchItemResult[]): Promise<void> {
    if (results.length !== rows.length || results.some((result, i) => result.id !== rows[i]?.item.id)) {
      throw new ResponseShapeError(`${endpoints.submitPrivacyBatch.method} ${endpoints.submitPrivacyBatch.path}`, 'results do not match the submitted items one for one')
    }
    const accepted: [number, string][] = []
    const duplicate: [number, string, string][] = []
    const rejected: [number, string, string][] = []
    results.forEach((result, i) => {
      const row = rows[i] as ValidRow
      if (result.outcome === 'accepted') accepted.push([row.row, result.id])
      else if (result.outcome === 'duplicate') duplicate.push([row.row, result.id, result.duplicate_of ?? result.id])
      else rejected.push([row.row, result.id, result.error?.code ?? 'rejected'])
    })
    if (accepted.length) this.journal?.append({ t: 'accepted', rows: accepted })
    if (duplicate.length) this.journal?.append({ t: 'duplicate', rows: duplicate })
    if (rejected.length) this.journal?.append({ t: 'rejected', rows: rejected })
    for (const [i, result] of results.entries()) {
      const row = rows[i] as ValidRow
      const reported = this.report(row, row.identityKey, outcomeOf(result))
      if (reported) await reported
    }
  }

  private async reject(rows: ValidRow[], error: PlatformError): Promise<void> {
    this.journal?.append({ t: 'rejected', rows: rows.map((r) => [r.row, r.item.id, error.code] as [number, string, string]) })
    for (const row of rows) await this.report(row, row.identityKey, { outcome: 'rejected', id: row.item.id, code: error.code, message: error.message })
  }

  /** Out of retries: not journaled as finished, so the next run sends these rows again (with the same ids). */
  private async fail(rows: ValidRow[], error: unknown): Promise<void> {
    const code = error instanceof ClowdopsError ? error.code : 'failed'
    const message = error instanceof Error ? error.message : String(error)
    for (const row of rows) await this.report(row, row.identityKey, { outcome: 'failed', id: row.item.id, code, message })
  }

  /** A Retry-After beyond the policy's reach is waited for only that long, then the batch tries again. */
  private retryDelay(error: unknown, attempt: number): number {
    const retryAfter = error instanceof PlatformError ? error.retryAfterMs : undefined
    const policy = { ...BULK_RETRY, retries: this.attempts - 1 }
    return backoffMs(attempt, retryAfter === undefined ? undefined : Math.min(retryAfter, policy.maxRetryAfterMs), policy) ?? policy.maxRetryAfterMs
  }

  private async waitForPause(): Promise<void> {
    if (this.pausedUntil <= this.now()) return
    await this.waits.during(async () => {
      for (let wait = this.pausedUntil - this.now(); wait > 0; wait = this.pausedUntil - this.now()) await this.deps.clock.sleep(wait)
    })
  }

  private now(): number {
    return this.deps.clock.now().getTime()
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

function outcomeOf(result: BatchItemResult): RowOutcome {
  if (result.outcome === 'accepted') return { outcome: 'accepted', id: result.id }
  if (result.outcome === 'duplicate') return { outcome: 'duplicate', id: result.id, duplicate_of: result.duplicate_of ?? result.id }
  return { outcome: 'rejected', id: result.id, code: result.error?.code ?? 'rejected', message: result.error?.message ?? 'rejected' }
}

/** The same rows make the same key, so a batch resent after a lost response is replayed, not redone. */
function idempotencyKeyFor(rows: ValidRow[]): string {
  return `bulk-${hash('sha256', rows.map((r) => r.item.id).join(','), 'hex').slice(0, 40)}`
}
