// Where a bulk run's results go for pipes: NDJSON on stdout (--json). Progress for people is in bulk-progress.ts.
import type { RowSink } from '../core/bulk/run.js'
import type { OutputStream } from '../core/ports.js'

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
