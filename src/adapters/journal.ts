// The bulk journal on disk: JSONL, a header line then one line per transition, appended and fsync'd in groups.
import { createReadStream } from 'node:fs'
import { lstat, open } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { JournalEntry, JournalHeader, JournalState, type JournalWriter, type OpenedJournal } from '../core/bulk/journal.js'
import type { JournalOptions } from '../core/bulk/run.js'
import { ConflictError, RefusedError, UsageError } from '../core/errors.js'

/** Lines reach the disk at most this long after they were appended (a crash loses at most that, never a request). */
const GROUP_COMMIT_MS = 100

export async function openJournal(options: JournalOptions): Promise<OpenedJournal> {
  const found = await lstat(options.path).catch(() => undefined)
  if (found?.isSymbolicLink()) {
    // Followed, a link would make the journal (personal data, request ids) land wherever it points, or fail if nowhere.
    throw new UsageError(`--journal ${options.path} is a symbolic link.`, { hint: 'Name the journal file itself, or another path.' })
  }
  if (found && !found.isFile()) throw new UsageError(`--journal ${options.path} is not a regular file.`, { hint: 'Name another path.' })
  const exists = found !== undefined
  if (!exists && options.mustExist) {
    throw new UsageError(`--resume: there is no journal at ${options.path}.`, { hint: 'Point --journal at the journal of the run to resume, or drop --resume to start one.' })
  }
  if (exists) {
    const { header, state } = await readJournal(options.path)
    if (header.input_sha256 !== options.inputSha256) {
      if (!options.force) {
        throw new RefusedError(`The input changed since the journal ${options.path} was started (its SHA-256 differs).`, {
          code: 'journal_input_changed',
          hint: 'Pass --force to submit the changed file anyway (the same people get the same ids, so nothing is created twice), or --journal NEW_PATH to start a new journal.',
        })
      }
      // Row numbers of another file mean other people: keep the batch id (and so the ids), forget the outcomes.
      return { writer: await appender(options.path), header, state: new JournalState(), resumed: true }
    }
    return { writer: await appender(options.path), header, state, resumed: true }
  }
  const header: JournalHeader = { journal: 1, input_sha256: options.inputSha256, batch_id: options.batchId, created_at: options.now().toISOString() }
  try {
    const writer = await appender(options.path, header)
    return { writer, header, state: new JournalState(), resumed: false }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    throw new ConflictError(`Another run created the journal ${options.path} just now.`, {
      code: 'journal_in_use',
      hint: 'Run one submission per journal at a time; run this one again once the other has finished, and it continues the journal.',
    })
  }
}

async function readJournal(path: string): Promise<{ header: JournalHeader; state: JournalState }> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })
  let header: JournalHeader | undefined
  const state = new JournalState()
  let number = 0
  for await (const line of lines) {
    number += 1
    if (line.trim() === '') continue
    let json: unknown
    try {
      json = JSON.parse(line)
    } catch {
      // A crash can cut the last line short: everything before it still counts; anything after would be a bug.
      continue
    }
    if (!header) {
      const parsed = JournalHeader.safeParse(json)
      if (!parsed.success) throw new UsageError(`${path} is not a clowdops journal (line ${number}).`, { hint: 'Point --journal at another path.' })
      header = parsed.data
      continue
    }
    const entry = JournalEntry.safeParse(json)
    if (entry.success) state.apply(entry.data)
  }
  if (!header) {
    // Empty: most likely another run created it a moment ago and has not written its header yet.
    throw new ConflictError(`The journal ${path} is empty: another run is creating it right now, or one left it empty.`, {
      code: 'journal_in_use',
      hint: 'Run one submission per journal at a time; if no other run is going, delete the empty file and run again.',
    })
  }
  return { header, state }
}

/** Appends in order; a timer writes and fsyncs what accumulated, so fsyncs stay few however many batches finish. */
async function appender(path: string, header?: JournalHeader): Promise<JournalWriter> {
  const handle = await open(path, header ? 'wx' : 'a', 0o600)
  let pending: string[] = []
  let chain: Promise<void> = Promise.resolve()
  let timer: NodeJS.Timeout | undefined
  /** A failed background write (disk full): reported by the next flush, so the run stops instead of going on blind. */
  let failure: unknown

  const flush = (): Promise<void> => {
    if (failure !== undefined) return Promise.reject(failure)
    if (timer) clearTimeout(timer)
    timer = undefined
    const lines = pending
    pending = []
    chain = chain.then(async () => {
      if (lines.length > 0) await handle.write(lines.join(''))
      await handle.sync()
    })
    return chain
  }
  if (header) {
    pending.push(`${JSON.stringify(header)}\n`)
    await flush()
  }
  return {
    path,
    append(entry) {
      pending.push(`${JSON.stringify(entry)}\n`)
      timer ??= setTimeout(() => {
        flush().catch((error: unknown) => (failure = error))
      }, GROUP_COMMIT_MS)
    },
    flush,
    async close() {
      await flush()
      await handle.close()
    },
  }
}
