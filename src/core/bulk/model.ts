// Bulk privacy submissions: the shapes that flow from the input file, through validation and the journal, to the report.
import { z } from 'zod'
import type { BatchItem } from '../contract/index.js'

/** One record as read from the input, before any validation. CSV gives strings; JSONL whatever JSON the line held. */
export interface RawRow {
  /** 1-based line of the input where the record starts (the CSV header is line 1; a quoted newline spans lines). */
  line: number
  /** 1-based position among the records (header and blank lines not counted); the journal keys rows by it. */
  row: number
  fields: Record<string, unknown>
}

/** A record the parser could not read at all (broken quoting, a JSONL line that is not an object). */
export interface UnreadableRow {
  line: number
  row: number
  error: string
}

/** A row that passed validation: normalised, with its deterministic request id. */
export interface ValidRow {
  line: number
  row: number
  /** The request as the batch endpoint takes it (id included). */
  item: BatchItem
  /** Normalised identity, for in-file duplicate detection: `email:ada@example.com` or `account:usr_...`. */
  identityKey: string
}

export interface InvalidRow {
  line: number
  row: number
  /** Stable, machine-readable, e.g. `invalid_email`, `unknown_type`, `missing_field`, `unreadable`. */
  code: string
  /** For people; names the column and the problem, never echoes a whole field back (it may be 100 KB). */
  reason: string
}

export type CheckedRow = { ok: true; row: ValidRow } | { ok: false; row: InvalidRow }

const count = z.number().int().min(0)

/** Every report row has these; `outcome` says what happened to it, with the fields of that outcome. */
const rowFields = {
  type: z.literal('row'),
  row: z.number().int().min(1).describe('1-based position among the records of the input.'),
  line: z.number().int().min(1).describe('1-based line of the input where the record starts.'),
  identity_sha256: z.string().nullable().describe('SHA-256 of the normalised identity (never the email itself); null for an invalid row.'),
  resumed: z.literal(true).optional().describe('An earlier run finished this row (per the journal); it was not sent again.'),
}

/** One NDJSON line of `--json` / `--report`: the row, its id and outcome; the identity only as a hash. Every row ends in exactly one outcome. */
export const RowReport = z.discriminatedUnion('outcome', [
  z.object({ ...rowFields, outcome: z.literal('accepted'), id: z.string() }),
  z.object({ ...rowFields, outcome: z.literal('duplicate'), id: z.string(), duplicate_of: z.string() }),
  z
    .object({ ...rowFields, outcome: z.literal('rejected'), id: z.string(), code: z.string(), message: z.string() })
    .describe('The platform refused it for good; sending it again would get the same answer.'),
  z.object({ ...rowFields, outcome: z.literal('invalid'), code: z.string(), reason: z.string() }).describe('Never sent: it failed local validation.'),
  z
    .object({ ...rowFields, outcome: z.literal('in_file_duplicate'), duplicate_of_line: z.number().int().min(1), id: z.string() })
    .describe('Never sent: the same person and right appear earlier in the file (that row\'s line).'),
  z
    .object({ ...rowFields, outcome: z.literal('failed'), id: z.string(), code: z.string(), message: z.string() })
    .describe('Sent, but still failing with retryable errors when retries ran out; a rerun sends it again (same id).'),
  z.object({ ...rowFields, outcome: z.literal('planned'), id: z.string() }).describe('--dry-run: valid and unique, would be sent with this id.'),
])
export type RowReport = z.infer<typeof RowReport>

/** Omit from each member of a union, so the union stays discriminated. */
type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** What finally happened to one row of the input: a report row without the row's own fields. */
export type RowOutcome = OmitEach<RowReport, keyof typeof rowFields>

/** How many rows ended each way (and how much work it took): the summary's counts, and a progress display's. */
export const BulkCounts = z.object({
  rows: count,
  valid: count,
  invalid: count,
  in_file_duplicates: count,
  accepted: count,
  duplicate: count,
  rejected: count,
  failed: count,
  planned: count.describe('--dry-run: rows that would be sent.'),
  resumed: count.describe('Rows an earlier run finished (per the journal), not sent again; their outcomes are in the counts above.'),
  retried: count.describe('Requests re-sent after a retryable failure (429, 5xx, network).'),
  batches: count,
  rate_limited: count.describe('Batches the platform answered 429 (rate limited); each was sent again after its Retry-After.'),
})
export type BulkCounts = z.infer<typeof BulkCounts>

export const BulkSummary = BulkCounts.extend({
  type: z.literal('summary'),
  dry_run: z.boolean(),
  batch_id: z.string(),
  journal: z.string().nullable().describe('The journal file; null on --dry-run, and for stdin without --journal.'),
  elapsed_ms: count,
  rate_limit_wait_ms: count.describe(
    'Time the run was held back by the platform\'s rate limit: spacing its requests to the advertised rate (RateLimit-Policy) and pausing after a 429 for its Retry-After; overlapping waits count once.',
  ),
  rows_per_second: count,
  unread: z
    .string()
    .nullable()
    .describe('Why the input was not read to its end (e.g. a CSV quote that is never closed swallowed the rest), or null when it was.'),
})
export type BulkSummary = z.infer<typeof BulkSummary>

/** `privacy submit --json`: NDJSON, one line per row as it finishes, then the summary as the last line. */
export const BulkReportLine = z
  .discriminatedUnion('type', [RowReport, BulkSummary])
  .describe(
    'One line of the NDJSON that `privacy submit --json` prints (and --report writes): a row (type "row") for every row of the ' +
      'input as it finishes, then one summary (type "summary") as the last line. On stdout, a run that fails part-way ends ' +
      'with the error body (error.json) instead of the summary.',
  )
export type BulkReportLine = z.infer<typeof BulkReportLine>
