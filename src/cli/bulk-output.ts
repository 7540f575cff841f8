// Where a bulk run's results go for people and pipes: NDJSON on stdout (--json), a progress line on stderr.
import type { RowSink } from '../core/bulk/run.js'
import type { BulkCounters } from '../core/bulk/submit.js'
import type { IO, OutputStream } from '../core/ports.js'

/** One JSON object per line, waiting for the stream to drain, so a slow reader slows the run instead of filling memory. */
export class NdjsonSink implements RowSink {
  /** One wait for 'drain' shared by every writer that finds the stream full (concurrent batches report at once). */
  private drained: Promise<void> | undefined

  constructor(private readonly stream: OutputStream) {}

  async write(value: unknown): Promise<void> {
    if (this.stream.write(`${JSON.stringify(value)}\n`)) return
    this.drained ??= this.stream.drain().then(() => {
      this.drained = undefined
    })
    await this.drained
  }
}

/** The counters as a status line, a few times a second at most. */
export class ProgressLine {
  private shownAt = 0
  private readonly started = Date.now()

  constructor(private readonly io: Pick<IO, 'status' | 'endStatus'>) {}

  update(c: Readonly<BulkCounters>): void {
    const now = Date.now()
    if (now - this.shownAt < 200) return
    this.shownAt = now
    const done = c.accepted + c.duplicate + c.rejected - c.resumed
    const rate = Math.round(done / Math.max(0.001, (now - this.started) / 1000))
    this.io.status(
      `read ${c.rows} · sent ${c.sent} · accepted ${c.accepted} · duplicate ${c.duplicate} · rejected ${c.rejected}` +
        ` · invalid ${c.invalid} · retried ${c.retried} · ${rate}/s`,
    )
  }

  end(): void {
    this.io.endStatus()
  }
}
