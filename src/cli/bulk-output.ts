// Where a bulk run's results go: NDJSON on stdout (--json), an NDJSON report file (--report), a progress line on stderr.
import { createWriteStream, type WriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { once } from 'node:events'
import type { Writable } from 'node:stream'
import type { BulkCounters } from '../core/bulk/submit.js'

/** One JSON object per line, waiting for the stream to drain, so a slow reader slows the run instead of filling memory. */
export class NdjsonSink {
  /** One wait for 'drain' shared by every writer that finds the stream full (concurrent batches report at once). */
  private drained: Promise<void> | undefined

  constructor(private readonly stream: Writable) {}

  async write(value: unknown): Promise<void> {
    if (this.stream.write(`${JSON.stringify(value)}\n`)) return
    this.drained ??= once(this.stream, 'drain').then(() => {
      this.drained = undefined
    })
    await this.drained
  }
}

/** The report is written beside its path and renamed into place at the end: never a half-written report at PATH. */
export class ReportFile extends NdjsonSink {
  private constructor(
    private readonly file: WriteStream,
    private readonly path: string,
    private readonly temporary: string,
  ) {
    super(file)
  }

  static open(path: string): ReportFile {
    const temporary = `${path}.${process.pid}.partial`
    return new ReportFile(createWriteStream(temporary, { mode: 0o600 }), path, temporary)
  }

  async commit(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.file.end((error?: Error | null) => (error ? reject(error) : resolve())))
    await rename(this.temporary, this.path)
  }

  async abort(): Promise<void> {
    this.file.destroy()
    await rm(this.temporary, { force: true })
  }
}

/** A progress line rewritten in place, a few times a second at most; only on a terminal. */
export class ProgressLine {
  private shownAt = 0
  private readonly started = Date.now()
  private shown = false

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(c: Readonly<BulkCounters>, force = false): void {
    const now = Date.now()
    if (!force && now - this.shownAt < 200) return
    this.shownAt = now
    this.shown = true
    const done = c.accepted + c.duplicate + c.rejected - c.resumed
    const rate = Math.round(done / Math.max(0.001, (now - this.started) / 1000))
    this.stream.write(
      `\r\u001b[Kread ${c.rows} · sent ${c.sent} · accepted ${c.accepted} · duplicate ${c.duplicate} · rejected ${c.rejected}` +
        ` · invalid ${c.invalid} · retried ${c.retried} · ${rate}/s`,
    )
  }

  end(): void {
    if (this.shown) this.stream.write('\n')
  }
}
