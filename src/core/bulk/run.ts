// A bulk submission run as a use case: policy (attestation, columns, batch size, journal binding) over the files it
// reads and writes (BulkFiles), the engine, and the sinks the CLI hands in for rows, progress and notes.
import { randomUUID } from 'node:crypto'
import { type Attestation, endpoints } from '../contract/index.js'
import { UsageError } from '../errors.js'
import type { Deps } from '../ports.js'
import type { OpenedJournal } from './journal.js'
import type { BulkSummary, CheckedRow, RawRow, RowOutcome, RowReport, UnreadableRow } from './model.js'
import { checkColumns, checkRow, type RowContext } from './rows.js'
import { SeenKeys } from './seen-keys.js'
import { type BulkCounters, submitBulk } from './submit.js'

export type BulkFormat = 'csv' | 'jsonl'

export interface BulkSource {
  /** A file path, or '-' for stdin. */
  path: string
  /** From --format; otherwise the extension decides, otherwise the first non-blank byte does. */
  format?: BulkFormat
}

/** An opened bulk input (CSV or JSONL, maybe gzip): its columns, its rows as a stream, and its hash. */
export interface BulkInput {
  format: BulkFormat
  /** Whether the bytes were gzip (found by their magic bytes, not by the file name). */
  gzip: boolean
  /** CSV: the header's column names, trimmed and lowercased, read when the input was opened. JSONL: undefined. */
  columns: string[] | undefined
  /**
   * Every record of the input, in order, each exactly once: a RawRow, or an UnreadableRow for a record that cannot
   * be read (broken quoting, wrong number of fields, a JSONL line that is not an object). Blank lines and records
   * whose fields are all blank are skipped and not counted as rows. Can be iterated once.
   * Throws a UsageError when the input itself fails (not gzip after all, an I/O error).
   */
  rows(): AsyncIterable<RawRow | UnreadableRow>
  /**
   * The same rows in the order read, as arrays of whatever was parsed at once: one asynchronous step per chunk of the
   * input instead of one per row, which is most of the cost of a million-row run. Either this or rows(), once.
   */
  batches(): AsyncIterable<(RawRow | UnreadableRow)[]>
  /**
   * SHA-256 (hex) of the input's bytes as read (still compressed when gzip). For a file it is computed by a
   * separate streaming pass, so it is known before any row is read. For stdin it resolves only once rows() has
   * been read to the end (stdin cannot be read twice), and rejects if reading stopped before the end.
   */
  /**
   * Why part of the input was not read as rows (a quote that is never closed swallows the rest of a CSV file; a record
   * csv-parse cannot delimit stops reading), or undefined when every record was read. Known once the rows have ended.
   */
  unread(): string | undefined
  /** How far reading has got, updated in place as bytes are read: for a progress display's percent. */
  readonly read: InputRead
  sha256(): Promise<string>
  /** Releases the file when rows() will not be read to the end (e.g. the columns were refused). */
  close(): Promise<void>
}

/** Bytes of the input read so far (as read: still compressed when gzip), of `totalBytes` when its size is known. */
export interface InputRead {
  readonly bytes: number
  /** A regular file's size; undefined for stdin, a pipe or a device. */
  readonly totalBytes: number | undefined
}

export interface JournalOptions {
  path: string
  inputSha256: string
  /** For a new journal; an existing one keeps its own, so ids stay the same across runs. */
  batchId: string
  /** Accept a journal written for other input bytes (its batch id is kept; row numbers are not trusted). */
  force: boolean
  /** Require the journal to exist. */
  mustExist: boolean
  now: () => Date
}

/** Where NDJSON lines go, one value a line, waiting while the reader is slow. */
export interface RowSink {
  write(value: unknown): Promise<void>
}

/** A report file: written beside its path, renamed into place by commit(), removed by abort(). */
export interface ReportWriter extends RowSink {
  commit(): Promise<void>
  abort(): Promise<void>
}

export interface RequestIdList {
  /** In the order read, lower case, each once. */
  ids: string[]
  /** Report rows that name no request to wait for: rejected, invalid, failed, in-file duplicates, planned. */
  skipped: number
}

/** Without --concurrency: batches in flight to start with, and the most a platform's advertised rate may call for. */
export const AUTO_CONCURRENCY = 4
export const MAX_AUTO_CONCURRENCY = 32

/** stdin's hash is only known at its end: its journal binds to its batch id instead (and trusts no row numbers). */
const STDIN_SHA256 = '0'.repeat(64)

export interface BulkRunInput {
  file: string
  format?: BulkFormat | undefined
  dryRun: boolean
  /** Most batches in flight; undefined: adaptive, from AUTO_CONCURRENCY up to MAX_AUTO_CONCURRENCY as the rate needs. */
  concurrency?: number | undefined
  batchSize?: number | undefined
  journal?: string | undefined
  resume: boolean
  force: boolean
  report?: string | undefined
  batchId?: string | undefined
  attestation?: Attestation | undefined
}

/** Where a run's results go, chosen by the CLI. */
export interface BulkRunOutput {
  /** Every row as it finishes (--json); the summary is the command's own last line. */
  rows?: RowSink | undefined
  /** Called as rows finish, with the same two objects each time, updated in place. */
  progress?: ((counters: Readonly<BulkCounters>, read: InputRead) => void) | undefined
  /** For people: continuing a journal, rows that did not make it. Not called under --json. */
  note?: ((message: string) => void) | undefined
}

export async function runBulkSubmit(
  input: BulkRunInput,
  deps: Pick<Deps, 'api' | 'clock' | 'files' | 'interruption'>,
  output: BulkRunOutput,
): Promise<BulkSummary> {
  if (!input.dryRun && !input.attestation) {
    throw new UsageError('Requests for other people need an attestation of how their identity was verified.', {
      hint: 'Pass --attest-method (e.g. government_id, account_login, authorized_agent) and --attested-by (who verified it); there is no default.',
    })
  }
  const files = deps.files
  const bulkInput = await files.openBulkInput({ path: input.file, ...(input.format ? { format: input.format } : {}) })
  let journal: OpenedJournal | undefined
  let report: ReportWriter | undefined
  try {
    const unknown = checkColumns(bulkInput.columns ?? [])
    if (unknown.length > 0) {
      throw new UsageError(`${input.file} has unknown column(s): ${unknown.join(', ')}; nothing was sent.`, {
        hint: 'Columns: type, regulation, email, account_id, request_id, format, note, purposes, set_name, set_email, set_phone, set_company, set_country.',
      })
    }
    // Where the results go is checked before anything is asked of the platform.
    if (input.report) await files.checkOutput('--report', input.report, 'file')
    if (input.journal && !input.dryRun) await files.checkOutput('--journal', input.journal, 'file')
    const [me, discovery] = await Promise.all([deps.api.call(endpoints.me), deps.api.call(endpoints.privacyDiscovery)])
    const batchSize = Math.min(input.batchSize ?? discovery.max_batch_size, discovery.max_batch_size)

    const fromStdin = input.file === '-'
    const journalPath = input.journal ?? (fromStdin ? undefined : `${files.absolute(input.file)}.journal.jsonl`)
    if (journalPath && !input.dryRun) {
      // A file's hash is known before the first row; stdin's only at its end, so a stdin journal binds to its batch id.
      const inputSha256 = fromStdin ? STDIN_SHA256 : await bulkInput.sha256()
      journal = await files.openJournal({
        path: journalPath,
        inputSha256,
        batchId: input.batchId ?? defaultBatchId(fromStdin ? undefined : inputSha256),
        force: input.force || fromStdin,
        mustExist: input.resume,
        now: () => deps.clock.now(),
      })
      if (journal.resumed) output.note?.(`Continuing the journal ${journalPath}: rows it records as finished are not sent again.`)
    } else if (input.resume) {
      throw new UsageError('--resume needs a journal: pass --journal PATH (the one the earlier run wrote).')
    } else if (fromStdin && !input.dryRun) {
      output.note?.('Reading stdin without --journal: a rerun cannot skip what this run finished (it creates nothing twice either way).')
    }
    const batchId = journal?.header.batch_id ?? input.batchId ?? defaultBatchId(fromStdin ? undefined : await bulkInput.sha256())

    report = input.report ? await files.createReport(input.report) : undefined
    const problems = new ProblemSample()
    const rows = output.rows
    const reportTo = report
    const submitted = await submitBulk(
      checkedChunks(bulkInput.batches(), { orgId: me.org.id, batchId, nowMs: deps.clock.now().getTime() }),
      {
        batchId,
        attestation: input.attestation ?? { method: 'account_login', attested_by: 'dry-run' },
        batchSize,
        concurrency: input.concurrency ?? AUTO_CONCURRENCY,
        maxConcurrency: input.concurrency ?? MAX_AUTO_CONCURRENCY,
        dryRun: input.dryRun,
      },
      {
        // Nobody reads the rows without --json or --report: then they are only counted.
        row:
          rows || reportTo
            ? async (row: RowReport) => {
                await rows?.write(row)
                await reportTo?.write(row)
              }
            : undefined,
        progress: output.progress && ((counters: Readonly<BulkCounters>) => output.progress?.(counters, bulkInput.read)),
        problem: output.note ? (row, outcome) => problems.add(row, outcome) : undefined,
      },
      {
        api: deps.api,
        clock: deps.clock,
        signal: deps.interruption.signal,
        seen: new SeenKeys(),
        journal: journal && { writer: journal.writer, state: journal.state },
      },
    )
    const summary: BulkSummary = { ...submitted, unread: bulkInput.unread() ?? null }
    await report?.write(summary)
    await report?.commit()
    report = undefined
    if (output.note) problems.print(output.note)
    return summary
  } finally {
    // Interrupted or failed: no half-written report at its path, and the journal holds every outcome received.
    await report?.abort()
    await journal?.writer.close()
    await bulkInput.close()
  }
}

async function* checkedChunks(chunks: AsyncIterable<(RawRow | UnreadableRow)[]>, context: RowContext): AsyncIterable<CheckedRow[]> {
  for await (const chunk of chunks) yield chunk.map((raw) => checkRow(raw, context))
}

/** The first rows that did not make it, shown to people after the summary; all of them are in --report and --json. */
class ProblemSample {
  private static readonly SHOWN = 10
  private readonly lines: string[] = []
  private count = 0

  add(row: { line: number }, outcome: RowOutcome): void {
    this.count += 1
    if (this.lines.length >= ProblemSample.SHOWN) return
    const why = outcome.outcome === 'invalid' ? `${outcome.code}: ${outcome.reason}` : 'code' in outcome ? `${outcome.outcome} (${outcome.code})` : outcome.outcome
    this.lines.push(`  line ${row.line}: ${why}`)
  }

  print(note: (message: string) => void): void {
    if (this.count === 0) return
    const more = this.count - this.lines.length
    note(['Rows not submitted:', ...this.lines, ...(more > 0 ? [`  … and ${more} more (--report FILE lists them all)`] : [])].join('\n'))
  }
}

/** Named after the input's content, so the same file makes the same ids even without its journal. */
function defaultBatchId(inputSha256: string | undefined): string {
  return inputSha256 ? `file-${inputSha256.slice(0, 32)}` : `stdin-${randomUUID()}`
}
