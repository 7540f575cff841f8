// How far a bulk run has got, for people: a status line that fits the terminal (percent, rows/s, ETA), or, without a
// terminal, a heartbeat line on stderr every so often so a long run in CI is never silent.
import type { InputRead } from '../core/bulk/run.js'
import type { BulkCounters } from '../core/bulk/submit.js'
import type { Clock, IO } from '../core/ports.js'

/** Without a terminal: a line this often (CLOWDOPS_PROGRESS_INTERVAL, in seconds, changes it; 0 turns it off). */
export const DEFAULT_HEARTBEAT_MS = 10_000
/** On a terminal: the status line is rewritten at most this often. */
const STATUS_EVERY_MS = 200

export interface ProgressSnapshot {
  counters: Readonly<BulkCounters>
  read: InputRead
  elapsedMs: number
}

/** The figures a progress line shows, derived from the counters and the bytes read. */
export interface ProgressFigures {
  /** Rows with their outcome. */
  finished: number
  /** The input's rows: exact once it is read to the end, else estimated from the bytes read; undefined for a pipe. */
  total: number | undefined
  exact: boolean
  percent: number | undefined
  rowsPerSecond: number
  etaSeconds: number | undefined
}

export function progressFigures({ counters: c, read, elapsedMs }: ProgressSnapshot): ProgressFigures {
  const finished = c.accepted + c.duplicate + c.rejected + c.failed + c.invalid + c.in_file_duplicates + c.planned
  const exact = read.totalBytes !== undefined && read.bytes >= read.totalBytes
  // The rows read so far came from the bytes read so far: the rest of the file holds about as many per byte.
  const total =
    read.totalBytes === undefined || read.bytes === 0 ? undefined : exact ? c.rows : Math.max(c.rows, Math.round((c.rows * read.totalBytes) / read.bytes))
  const rowsPerSecond = elapsedMs > 0 ? (finished * 1000) / elapsedMs : 0
  const percent = total === undefined ? undefined : total === 0 ? 100 : Math.min(100, Math.floor((finished * 100) / total))
  const etaSeconds = total === undefined || rowsPerSecond <= 0 ? undefined : Math.max(0, (total - finished) / rowsPerSecond)
  return { finished, total, exact, percent, rowsPerSecond, etaSeconds }
}

/** 42s, 5m07s, 1h02m. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

/** The parts of a progress line, most important first; a narrow terminal drops them from the end. */
function segments(snapshot: ProgressSnapshot): string[] {
  const f = progressFigures(snapshot)
  const c = snapshot.counters
  const parts: string[] = []
  if (f.percent !== undefined) parts.push(`${f.percent}%`)
  parts.push(f.total === undefined ? `${f.finished} rows` : `${f.finished}/${f.exact ? '' : '~'}${f.total} rows`)
  parts.push(`${Math.round(f.rowsPerSecond)} rows/s`)
  if (f.etaSeconds !== undefined) parts.push(`ETA ${formatDuration(f.etaSeconds)}`)
  parts.push(`accepted ${c.accepted}`)
  for (const [name, n] of [['failed', c.failed], ['rejected', c.rejected], ['invalid', c.invalid], ['retried', c.retried], ['duplicate', c.duplicate]] as const) {
    if (n > 0) parts.push(`${name} ${n}`)
  }
  return parts
}

const SEPARATOR = ' · '

/**
 * The status line for a terminal `columns` wide: whole parts only, as many as fit in one column less than the width
 * (writing the last column wraps some terminals), cut short only when not even the first fits.
 */
export function progressLine(snapshot: ProgressSnapshot, columns: number | undefined): string {
  const parts = segments(snapshot)
  if (columns === undefined) return parts.join(SEPARATOR)
  const room = Math.max(1, columns - 1)
  while (parts.length > 1 && parts.join(SEPARATOR).length > room) parts.pop()
  return parts.join(SEPARATOR).slice(0, room)
}

/** The line written without a terminal: what and how long, then the same parts. */
export function heartbeatLine(snapshot: ProgressSnapshot | undefined, elapsedMs: number): string {
  const parts = snapshot ? segments(snapshot) : ['starting']
  return `privacy submit: ${formatDuration(elapsedMs / 1000)} elapsed${SEPARATOR}${parts.join(SEPARATOR)}`
}

/**
 * A run's progress for people. On a terminal (`status`): the status line, rewritten as rows finish. Elsewhere
 * (`heartbeat`): a line every `heartbeatMs` on the clock, whether or not rows finish meanwhile (a run held back by a
 * long Retry-After still says it is alive). `end()` stops both.
 */
export class BulkProgress {
  private readonly started: number
  private shownAt = Number.NEGATIVE_INFINITY
  // The run's own counters and read objects, updated in place: kept as they are, so a row costs no allocation here.
  private counters: Readonly<BulkCounters> | undefined
  private read: InputRead | undefined
  private readonly stopped = new AbortController()
  private readonly beating: Promise<void> | undefined

  constructor(
    private readonly io: Pick<IO, 'err' | 'status' | 'endStatus'>,
    private readonly clock: Clock,
    private readonly mode: { kind: 'status' } | { kind: 'heartbeat'; everyMs: number },
  ) {
    this.started = clock.now().getTime()
    this.beating = mode.kind === 'heartbeat' && mode.everyMs > 0 ? this.beat(mode.everyMs) : undefined
  }

  update(counters: Readonly<BulkCounters>, read: InputRead): void {
    this.counters = counters
    this.read = read
    if (this.mode.kind !== 'status') return
    const now = this.clock.now().getTime()
    if (now - this.shownAt < STATUS_EVERY_MS) return
    this.shownAt = now
    this.io.status(progressLine({ counters, read, elapsedMs: now - this.started }, this.io.err.columns))
  }

  async end(): Promise<void> {
    this.stopped.abort()
    await this.beating
    if (this.mode.kind === 'status') this.io.endStatus()
  }

  private async beat(everyMs: number): Promise<void> {
    for (;;) {
      try {
        await this.clock.sleep(everyMs, this.stopped.signal)
      } catch {
        return // ended, or the run was interrupted
      }
      if (this.stopped.signal.aborted) return
      const elapsedMs = this.clock.now().getTime() - this.started
      const snapshot = this.counters && this.read ? { counters: this.counters, read: this.read, elapsedMs } : undefined
      this.io.err.write(`${heartbeatLine(snapshot, elapsedMs)}\n`)
    }
  }
}

/** CLOWDOPS_PROGRESS_INTERVAL in seconds (fractions allowed), else the default; nonsense falls back to the default. */
export function heartbeatMs(env: Readonly<Record<string, string | undefined>>): number {
  const value = env.CLOWDOPS_PROGRESS_INTERVAL
  if (value === undefined || value.trim() === '') return DEFAULT_HEARTBEAT_MS
  const seconds = Number(value)
  return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : DEFAULT_HEARTBEAT_MS
}
