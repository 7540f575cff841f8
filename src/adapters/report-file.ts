// The NDJSON report of a bulk run (--report): written beside its path and renamed into place at the end, so PATH never
// holds a half-written report; an interrupted or failed run removes what it wrote.
import { createWriteStream, type WriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { once } from 'node:events'
import type { ReportWriter } from '../core/bulk/run.js'

class ReportFile implements ReportWriter {
  /** A failed write (disk full, or a write still queued when abort() destroyed the stream): thrown by the next call. */
  private failure: Error | undefined

  constructor(
    private readonly file: WriteStream,
    private readonly path: string,
    private readonly temporary: string,
  ) {
    file.on('error', (error) => (this.failure ??= error))
  }

  async write(value: unknown): Promise<void> {
    if (this.failure) throw this.failure
    if (!this.file.write(`${JSON.stringify(value)}\n`)) await once(this.file, 'drain')
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

export async function createReportFile(path: string): Promise<ReportWriter> {
  const temporary = `${path}.${process.pid}.partial`
  const file = createWriteStream(temporary, { mode: 0o600 })
  await once(file, 'open')
  return new ReportFile(file, path, temporary)
}
