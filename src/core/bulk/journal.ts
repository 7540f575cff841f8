// The journal of a bulk submission: an append-only record of each row's transitions, bound to the input's SHA-256.
// What it remembers lets a rerun skip the rows an earlier run finished; the deterministic ids make resending the
// rest safe, so losing its last lines (a crash between write and flush) costs a duplicate answer, never a request.
import { z } from 'zod'

export const JournalHeader = z.object({
  journal: z.literal(1),
  input_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  batch_id: z.string().min(1),
  created_at: z.iso.datetime(),
})
export type JournalHeader = z.infer<typeof JournalHeader>

/** One line after the header: a transition of the rows it lists (rows are 1-based record numbers of the input). */
export const JournalEntry = z.discriminatedUnion('t', [
  z.object({ t: z.literal('planned'), rows: z.array(z.number().int().min(1)) }),
  z.object({ t: z.literal('sent'), rows: z.array(z.number().int().min(1)) }),
  /** [row, request id] */
  z.object({ t: z.literal('accepted'), rows: z.array(z.tuple([z.number().int().min(1), z.string()])) }),
  /** [row, request id, duplicate_of] */
  z.object({ t: z.literal('duplicate'), rows: z.array(z.tuple([z.number().int().min(1), z.string(), z.string()])) }),
  /** [row, request id, error code] */
  z.object({ t: z.literal('rejected'), rows: z.array(z.tuple([z.number().int().min(1), z.string(), z.string()])) }),
])
export type JournalEntry = z.infer<typeof JournalEntry>

export type FinishedOutcome = 'accepted' | 'duplicate' | 'rejected'

const CODE: Record<FinishedOutcome, number> = { accepted: 1, duplicate: 2, rejected: 3 }
const OUTCOME: (FinishedOutcome | undefined)[] = [undefined, 'accepted', 'duplicate', 'rejected']

/**
 * Which rows an earlier run finished, one byte per row (a million rows cost a megabyte), plus the few strings a
 * report of them needs (what a duplicate duplicated, why a rejection happened).
 */
export class JournalState {
  private outcomes = new Uint8Array(1024)
  private readonly details = new Map<number, string>()
  finished = 0

  apply(entry: JournalEntry): void {
    if (entry.t === 'planned' || entry.t === 'sent') return
    for (const [row, , detail] of entry.rows as [number, string, string?][]) {
      this.ensure(row)
      if (this.outcomes[row] === 0) this.finished += 1
      this.outcomes[row] = CODE[entry.t]
      if (detail === undefined) this.details.delete(row)
      else this.details.set(row, detail)
    }
  }

  outcomeOf(row: number): FinishedOutcome | undefined {
    return row < this.outcomes.length ? OUTCOME[this.outcomes[row] ?? 0] : undefined
  }

  /** duplicate_of of a duplicate row, or the error code of a rejected one. */
  detailOf(row: number): string | undefined {
    return this.details.get(row)
  }

  private ensure(row: number): void {
    if (row < this.outcomes.length) return
    let size = this.outcomes.length
    while (size <= row) size *= 2
    const grown = new Uint8Array(size)
    grown.set(this.outcomes)
    this.outcomes = grown
  }
}

/** Where the journal lives; the adapter appends lines and makes them durable in groups. */
export interface JournalWriter {
  readonly path: string
  append(entry: JournalEntry): void
  /** Everything appended so far written and fsync'd. */
  flush(): Promise<void>
  close(): Promise<void>
}

export interface OpenedJournal {
  writer: JournalWriter
  header: JournalHeader
  /** What earlier runs finished; empty for a new journal. */
  state: JournalState
  /** The journal existed: this run continues it. */
  resumed: boolean
}
