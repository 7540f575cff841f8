// Bulk privacy submissions: the shapes that flow from the input file, through validation and the journal, to the report.
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

/** What finally happened to one row of the input; every row ends in exactly one. */
export type RowOutcome =
  | { outcome: 'accepted'; id: string }
  | { outcome: 'duplicate'; id: string; duplicate_of: string }
  /** The platform refused it for good; sending it again would get the same answer. */
  | { outcome: 'rejected'; id: string; code: string; message: string }
  /** Never sent: it failed local validation. */
  | { outcome: 'invalid'; code: string; reason: string }
  /** Never sent: the same person and right appear earlier in the file (that row's line). */
  | { outcome: 'in_file_duplicate'; duplicate_of_line: number; id: string }
  /** Sent, but still failing with retryable errors when retries ran out; a rerun sends it again (same id). */
  | { outcome: 'failed'; id: string; code: string; message: string }
  /** --dry-run: valid and unique, would be sent with this id. */
  | { outcome: 'planned'; id: string }

/** One NDJSON line of `--json` / `--report`: the row, its id and outcome; the identity only as a hash. */
export type RowReport = { type: 'row'; row: number; line: number; identity_sha256: string | null; resumed?: true } & RowOutcome

/** How many rows ended each way (and how much work it took): the summary's counts, and a progress display's. */
export interface BulkCounts {
  rows: number
  valid: number
  invalid: number
  in_file_duplicates: number
  accepted: number
  duplicate: number
  rejected: number
  failed: number
  /** --dry-run: rows that would be sent. */
  planned: number
  /** Rows an earlier run finished (per the journal), not sent again; their outcomes are in the counts above. */
  resumed: number
  /** Requests re-sent after a retryable failure (429, 5xx, network). */
  retried: number
  batches: number
}

export interface BulkSummary extends BulkCounts {
  type: 'summary'
  dry_run: boolean
  batch_id: string
  journal: string | null
  elapsed_ms: number
  rows_per_second: number
}
