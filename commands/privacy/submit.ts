import { Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { NdjsonSink } from '../../src/cli/bulk-output.js'
import { BulkProgress, heartbeatMs } from '../../src/cli/bulk-progress.js'
import { renderBulkSummary } from '../../src/cli/render-privacy.js'
import { BulkReportLine, type BulkSummary } from '../../src/core/bulk/model.js'
import { type BulkFormat, runBulkSubmit } from '../../src/core/bulk/run.js'
import { ATTESTATION_METHODS, type Attestation } from '../../src/core/contract/index.js'
import { ExitCode, UsageError } from '../../src/core/errors.js'

export default class PrivacySubmit extends BaseCommand<BulkSummary> {
  static override get resultSchema() { return BulkReportLine }
  static override summary = 'Submit privacy requests for many people from a CSV or JSONL file: exactly once, resumable.'
  static override description = [
    'Each row: type, regulation (optional), email and/or account_id, optional request_id, and the fields of its type (purposes, set_name…, format, note). Rows are streamed (CSV with a header row, or JSONL; gzip is detected), validated and de-duplicated before anything is sent; invalid rows are reported by line and never sent.',
    'Request ids are UUIDv5 of the organisation, the person, the type and the batch id (or the row\'s request_id), so running the same file again can never create a request twice. The journal (default: beside the input) records what happened to each row; a rerun continues it and sends only what is not finished.',
    'Exit 0 when every valid row was accepted or was a duplicate; 11 when some rows failed or were invalid; 10 when nothing valid was found.',
  ].join('\n\n')
  static override examples = [
    '<%= config.bin %> <%= command.id %> --file offboarding.csv --dry-run',
    '<%= config.bin %> <%= command.id %> --file offboarding.csv --attest-method government_id --attested-by privacy-team@acme.example',
    'zcat backlog.jsonl.gz | <%= config.bin %> <%= command.id %> --file - --journal backlog.journal.jsonl --attest-method authorized_agent --attested-by "ticket PRIV-1234" --json',
  ]
  static override flags = {
    file: Flags.string({ char: 'f', summary: 'The input: a CSV or JSONL file (optionally gzip), or - for stdin.', required: true, helpValue: '<path|->' }),
    format: Flags.string({ summary: 'Input format (default: from the extension, else from the content).', options: ['csv', 'jsonl'] }),
    'dry-run': Flags.boolean({ summary: 'Validate, de-duplicate and compute ids; print the plan and counts; send nothing.', default: false }),
    concurrency: Flags.integer({
      summary: 'Most batches in flight (default: 4, raised up to 32 when the platform\'s advertised rate needs more through the round trip).',
      min: 1,
      max: 32,
    }),
    'batch-size': Flags.integer({ summary: "Requests per batch (default and maximum: the platform's max_batch_size).", min: 1 }),
    journal: Flags.string({ summary: 'The journal file (default: INPUT.journal.jsonl beside the input).', helpValue: '<path>' }),
    resume: Flags.boolean({ summary: 'Require the journal to exist and continue it (a rerun continues it anyway).' }),
    force: Flags.boolean({ summary: 'Continue a journal although the input file changed since it was started.' }),
    report: Flags.string({ summary: 'Also write the NDJSON results (one line per row, then the summary) to this file.', helpValue: '<path>' }),
    'batch-id': Flags.string({ summary: 'Name of this submission (default: from the input file\'s SHA-256); part of every request id.', helpValue: '<id>' }),
    'attest-method': Flags.string({ summary: 'How the identity of the people in the file was verified (required to send).', options: [...ATTESTATION_METHODS] }),
    'attested-by': Flags.string({ summary: 'Who verified it: a name, an email or a ticket reference (required to send).', helpValue: '<who>' }),
  }

  async run(): Promise<BulkSummary> {
    const { flags } = await this.parse(PrivacySubmit)
    const method = flags['attest-method']
    const by = flags['attested-by']
    if ((method === undefined) !== (by === undefined)) {
      throw new UsageError('--attest-method and --attested-by go together.', { hint: 'Pass both: how the identities were verified, and by whom.' })
    }
    const { io } = this
    const json = this.jsonEnabled()
    // On a terminal, a status line for the person watching (not under --json); without one, a heartbeat on stderr
    // (under --json too: stdout stays data), so a long run in CI is never silent.
    const progress = io.err.isTTY
      ? json
        ? undefined
        : new BulkProgress(io, this.deps.clock, { kind: 'status' })
      : new BulkProgress(io, this.deps.clock, { kind: 'heartbeat', everyMs: heartbeatMs(this.env) })
    const summary = await runBulkSubmit(
      {
        file: flags.file,
        format: flags.format as BulkFormat | undefined,
        dryRun: flags['dry-run'],
        concurrency: flags.concurrency,
        batchSize: flags['batch-size'],
        journal: flags.journal,
        resume: flags.resume,
        force: flags.force,
        report: flags.report,
        batchId: flags['batch-id'],
        attestation: method && by ? ({ method, attested_by: by } as Attestation) : undefined,
      },
      this.deps,
      {
        rows: json ? new NdjsonSink(io.out) : undefined,
        progress: progress && ((counters, read) => progress.update(counters, read)),
        note: json ? undefined : (message) => this.note(message),
      },
    ).finally(() => progress?.end())
    this.log(renderBulkSummary(summary, this.colors))
    this.exitAfterOutput(exitCodeFor(summary))
    return summary
  }

  /** --json is NDJSON here: the rows went out as they finished, and the summary is the last line. */
  override logJson(json: unknown): void {
    this.io.out.write(`${JSON.stringify(json)}\n`)
  }
}

/** 0: every valid row accepted or a duplicate, none invalid; 10: nothing valid, nothing sent; 11: some rows failed. */
function exitCodeFor(summary: BulkSummary): ExitCode {
  if (summary.valid === 0) return ExitCode.refused
  const failed = summary.invalid + summary.rejected + summary.failed
  return failed > 0 ? ExitCode.partial : ExitCode.ok
}
