// A bulk submission run, wired: the input stream, the journal, the organisation and batch limit from the platform,
// the engine, and where the results go. The command stays a list of flags.
import { randomUUID } from 'node:crypto'
import { resolve } from 'node:path'
import { openBulkInput } from '../adapters/bulk-input.js'
import { openJournal } from '../adapters/journal.js'
import type { OpenedJournal } from '../core/bulk/journal.js'
import type { BulkSummary, CheckedRow, RawRow, RowOutcome, RowReport, UnreadableRow } from '../core/bulk/model.js'
import { checkColumns, checkRow } from '../core/bulk/rows.js'
import { SeenKeys } from '../core/bulk/seen-keys.js'
import { type BulkCounters, submitBulk } from '../core/bulk/submit.js'
import { type Attestation, endpoints } from '../core/contract/index.js'
import { UsageError } from '../core/errors.js'
import type { Deps } from '../core/ports.js'
import { NdjsonSink, ProgressLine, ReportFile } from './bulk-output.js'

/** stdin's hash is only known at its end: its journal binds to its batch id instead (and trusts no row numbers). */
const STDIN_SHA256 = '0'.repeat(64)

export interface BulkRunInput {
  file: string
  format?: 'csv' | 'jsonl' | undefined
  dryRun: boolean
  concurrency: number
  batchSize?: number | undefined
  journal?: string | undefined
  resume: boolean
  force: boolean
  report?: string | undefined
  batchId?: string | undefined
  attestation?: Attestation | undefined
}

export interface BulkRunOutput {
  /** --json: every row and the summary as NDJSON on stdout. */
  json: boolean
  /** A progress line on stderr (a terminal, not --json). */
  progress: boolean
  note(message: string): void
}

export async function runBulkSubmit(input: BulkRunInput, deps: Pick<Deps, 'api' | 'clock'>, output: BulkRunOutput): Promise<BulkSummary> {
  if (!input.dryRun && !input.attestation) {
    throw new UsageError('Requests for other people need an attestation of how their identity was verified.', {
      hint: 'Pass --attest-method (e.g. government_id, account_login, authorized_agent) and --attested-by (who verified it); there is no default.',
    })
  }
  const bulkInput = await openBulkInput({ path: input.file, ...(input.format ? { format: input.format } : {}) })
  const unknown = checkColumns(bulkInput.columns ?? [])
  if (unknown.length > 0) {
    throw new UsageError(`${input.file} has unknown column(s): ${unknown.join(', ')}; nothing was sent.`, {
      hint: 'Columns: type, regulation, email, account_id, request_id, format, note, purposes, set_name, set_email, set_phone, set_company, set_country.',
    })
  }
  const [me, discovery] = await Promise.all([deps.api.call(endpoints.me), deps.api.call(endpoints.privacyDiscovery)])
  const batchSize = Math.min(input.batchSize ?? discovery.max_batch_size, discovery.max_batch_size)

  const fromStdin = input.file === '-'
  const journalPath = input.journal ?? (fromStdin ? undefined : `${resolve(input.file)}.journal.jsonl`)
  let journal: OpenedJournal | undefined
  if (journalPath && !input.dryRun) {
    // A file's hash is known before the first row; stdin's only at its end, so a stdin journal binds to its batch id.
    const inputSha256 = fromStdin ? STDIN_SHA256 : await bulkInput.sha256()
    journal = await openJournal({
      path: journalPath,
      inputSha256,
      batchId: input.batchId ?? defaultBatchId(fromStdin ? undefined : inputSha256),
      force: input.force || fromStdin,
      mustExist: input.resume,
      now: () => deps.clock.now(),
    })
    if (journal.resumed) output.note(`Continuing the journal ${journalPath}: rows it records as finished are not sent again.`)
  } else if (input.resume) {
    throw new UsageError('--resume needs a journal: pass --journal PATH (the one the earlier run wrote).')
  } else if (fromStdin && !input.dryRun) {
    output.note('Reading stdin without --journal: a rerun cannot skip what this run finished (it creates nothing twice either way).')
  }
  const batchId = journal?.header.batch_id ?? input.batchId ?? defaultBatchId(fromStdin ? undefined : await bulkInput.sha256())

  const stdout = new NdjsonSink(process.stdout)
  const report = input.report ? ReportFile.open(input.report) : undefined
  const progress = output.progress ? new ProgressLine(process.stderr) : undefined
  const seen = new SeenKeys()
  const problems = new ProblemSample()
  try {
    const summary = await submitBulk(
      checkedChunks(bulkInput.batches(), { orgId: me.org.id, batchId }),
      {
        batchId,
        attestation: input.attestation ?? { method: 'account_login', attested_by: 'dry-run' },
        batchSize,
        concurrency: input.concurrency,
        dryRun: input.dryRun,
      },
      {
        // Nobody reads the rows without --json or --report: then they are only counted.
        row:
          output.json || report
            ? async (row: RowReport) => {
                if (output.json) await stdout.write(row)
                await report?.write(row)
              }
            : undefined,
        progress: progress ? (counters: Readonly<BulkCounters>) => progress.update(counters) : undefined,
        problem: output.json ? undefined : (row, outcome) => problems.add(row, outcome),
      },
      { api: deps.api, clock: deps.clock, seen, journal: journal && { writer: journal.writer, state: journal.state } },
    )
    progress?.end()
    await report?.write(summary)
    await report?.commit()
    problems.print(output.note)
    return summary
  } catch (error) {
    progress?.end()
    await report?.abort()
    throw error
  } finally {
    await journal?.writer.close()
  }
}

async function* checkedChunks(chunks: AsyncIterable<(RawRow | UnreadableRow)[]>, context: { orgId: string; batchId: string }): AsyncIterable<CheckedRow[]> {
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
