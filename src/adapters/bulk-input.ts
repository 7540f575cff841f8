// Reads a bulk privacy-request file (CSV or JSONL, maybe gzipped, or stdin) as a stream of records, in flat memory.
import { createHash, randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { Readable, pipeline } from 'node:stream'
import { createGunzip } from 'node:zlib'
import type { RawRow, UnreadableRow } from '../core/bulk/model.js'
import type { BulkFormat, BulkInput, BulkSource } from '../core/bulk/run.js'
import { ClowdopsError, UsageError } from '../core/errors.js'

/** The longest JSONL line accepted; a longer one is an UnreadableRow, not a memory leak. */
export const MAX_JSONL_LINE_BYTES = 1024 * 1024
/**
 * The largest CSV record. A longer one is one UnreadableRow and reading goes on with the next record; one whose quote
 * is never closed runs to the end of the input, so the summary says the input was not read to its end.
 */
export const MAX_CSV_RECORD_BYTES = 4 * 1024 * 1024
/** How far into the input the format is sniffed before falling back to CSV. */
const SNIFF_BYTES = 64 * 1024
/**
 * Read size of the data itself. csv-parse turns a whole read into records at once, and they wait in its buffer until
 * the sender takes them: 16 KB (~650 short rows) instead of 64 KB (~2,600) means fewer of them live long enough to be
 * promoted to the old generation (measured on 100,000 rows: 70 instead of 90 MB promoted).
 */
const CHUNK_BYTES = 16 * 1024
/**
 * Rows handed on together. Enough to make the asynchronous steps between reader and sender rare; few enough that a
 * chunk dies young (keeping a whole read's rows alive at once costs more memory).
 */
const ROWS_PER_CHUNK = 256

/** `stdin` is read when the path is '-'. */
export async function openBulkInput(source: BulkSource, stdin?: AsyncIterable<Uint8Array>): Promise<BulkInput> {
  const label = source.path === '-' ? 'stdin' : source.path
  const fail = (error: unknown): never => {
    if (error instanceof ClowdopsError) throw error
    throw new UsageError(`Cannot read ${label}: ${describe(error)}`, { cause: error })
  }

  let raw: AsyncIterable<Buffer>
  let sha256: () => Promise<string>
  const read: { bytes: number; totalBytes: number | undefined } = { bytes: 0, totalBytes: undefined }
  if (source.path === '-') {
    if (!stdin) throw new UsageError('This run has no stdin to read --file - from.')
    const hashed = hashWhileReading(stdin)
    raw = hashed.bytes
    sha256 = () => hashed.digest
  } else {
    const file = await openFile(source.path)
    raw = file.bytes
    read.totalBytes = file.size
    let digest: Promise<string> | undefined
    sha256 = () => (digest ??= hashFile(source.path).catch(fail))
  }

  const reader = new ByteReader(counting(raw, read))
  try {
    const magic = await reader.peek(2)
    const gzip = magic.length >= 2 && magic[0] === 0x1f && magic[1] === 0x8b
    const data = gzip ? new ByteReader(gunzip(reader)) : reader
    const bom = await data.peek(3)
    if (bom.length >= 3 && bom[0] === 0xef && bom[1] === 0xbb && bom[2] === 0xbf) data.skip(3)
    const format = source.format ?? formatFromName(source.path) ?? (await sniffFormat(data))

    let started = false
    const once = (batches: () => AsyncGenerator<(RawRow | UnreadableRow)[]>) => {
      const start = () => {
        if (started) throw new Error('rows() or batches() can be read only once: the input is a stream')
        started = true
        return guard(batches(), fail)
      }
      return { batches: start, rows: () => flatten(start()) }
    }
    const close = async () => {
      await data.close()
      await reader.close()
    }
    if (format === 'jsonl') {
      return {
        format,
        gzip,
        columns: undefined,
        ...once(() => jsonlRows(data)),
        unread: () => undefined, // an overlong line is skipped to its newline: the next line is always read
        read,
        sha256,
        close,
      }
    }
    const csv = await openCsv(data, label)
    return {
      format,
      gzip,
      columns: csv.columns,
      ...once(() => csv.rows),
      unread: csv.unread,
      read,
      sha256,
      close,
    }
  } catch (error) {
    await reader.close().catch(() => undefined)
    return fail(error)
  }
}

/** The name's extension, ignoring a trailing .gz: .csv, .jsonl or .ndjson; undefined when it says nothing. */
export function formatFromName(path: string): BulkFormat | undefined {
  const name = path.toLowerCase().replace(/\.gz$/, '')
  if (name.endsWith('.csv')) return 'csv'
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'jsonl'
  return undefined
}

/** The file's bytes, and its size when it is a regular file (a FIFO or a device has none to count against). */
async function openFile(path: string): Promise<{ bytes: AsyncIterable<Buffer>; size: number | undefined }> {
  let handle
  let size: number | undefined
  try {
    handle = await open(path, 'r')
    const stats = await handle.stat()
    if (stats.isDirectory()) throw new UsageError(`${path} is a directory, not a CSV or JSONL file.`)
    if (stats.isFile()) size = stats.size
  } catch (error) {
    await handle?.close().catch(() => undefined)
    if (error instanceof ClowdopsError) throw error
    throw new UsageError(`Cannot read ${path}: ${describe(error)}`, {
      cause: error,
      hint: 'Pass --file with the path of a CSV or JSONL file, or --file - to read stdin.',
    })
  }
  return { bytes: handle.createReadStream({ highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>, size }
}

/** Passes the bytes through, adding up how many went by (as read: still compressed when gzip). */
async function* counting(bytes: AsyncIterable<Buffer>, read: { bytes: number }): AsyncGenerator<Buffer> {
  for await (const chunk of bytes) {
    read.bytes += chunk.length
    yield chunk
  }
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Passes stdin's bytes through while hashing them; the digest settles when the bytes end (or reading stops). */
function hashWhileReading(input: AsyncIterable<Uint8Array | string>): { bytes: AsyncIterable<Buffer>; digest: Promise<string> } {
  let settle!: { resolve: (hex: string) => void; reject: (error: Error) => void }
  const digest = new Promise<string>((resolve, reject) => (settle = { resolve, reject }))
  digest.catch(() => undefined) // nobody may ask; a rejection nobody asked for is not a crash
  async function* bytes(): AsyncGenerator<Buffer> {
    const hash = createHash('sha256')
    let finished = false
    try {
      for await (const chunk of input) {
        const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
        hash.update(buffer)
        yield buffer
      }
      finished = true
      settle.resolve(hash.digest('hex'))
    } finally {
      if (!finished) settle.reject(new Error('stdin was not read to the end, so its SHA-256 is unknown'))
    }
  }
  return { bytes: bytes(), digest }
}

function gunzip(compressed: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  const inflate = createGunzip({ chunkSize: CHUNK_BYTES })
  pipeline(Readable.from(compressed), inflate, () => undefined) // errors surface where `inflate` is read
  return inflate as AsyncIterable<Buffer>
}

/** `{` first (after blanks) means JSONL; anything else, or nothing, CSV. */
async function sniffFormat(data: ByteReader): Promise<BulkFormat> {
  for (let scanned = 0; ; ) {
    const head = await data.peek(scanned + 1)
    for (; scanned < head.length; scanned++) {
      const byte = head[scanned]!
      if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return byte === 0x7b ? 'jsonl' : 'csv'
    }
    if (head.length < scanned + 1 || scanned >= SNIFF_BYTES) return 'csv'
  }
}

async function* flatten<T>(batches: AsyncIterable<T[]>): AsyncGenerator<T> {
  for await (const batch of batches) yield* batch
}

/** Turns failures of the input into a UsageError naming it, and closes it when the consumer stops early. */
async function* guard<T>(rows: AsyncGenerator<T>, fail: (error: unknown) => never): AsyncGenerator<T> {
  try {
    yield* rows
  } catch (error) {
    fail(error)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// CSV, on csv-parse

interface CsvRecord {
  line: number
  fields: string[]
  /** Set when the record cannot be read: why. */
  broken?: string
  /** Set when reading has to stop after this record (it ran to the end of the input or past the size limit). */
  fatal?: boolean
}

async function openCsv(
  data: ByteReader,
  label: string,
): Promise<{ columns: string[]; rows: AsyncGenerator<(RawRow | UnreadableRow)[]>; unread: () => string | undefined }> {
  const records = await csvRecords(data)
  let unread: string | undefined
  // The header is the first record; the rest of its chunk are rows.
  let first: CsvRecord[] = []
  for (let next = await records.next(); !next.done; next = await records.next()) {
    first = next.value
    if (first.length > 0) break
  }
  const header = first.shift()
  if (header === undefined) throw new UsageError(`${label} is empty: a CSV file starts with a header row naming its columns.`)
  if (header.broken) throw new UsageError(`${label}: the header row (line ${header.line}) cannot be read: ${header.broken}.`)
  const columns = header.fields.map((name) => name.trim().toLowerCase())
  const empty = columns.indexOf('')
  if (empty >= 0) throw new UsageError(`${label}: column ${empty + 1} of the header row has no name.`)
  const twice = columns.find((name, index) => columns.indexOf(name) !== index)
  if (twice !== undefined) throw new UsageError(`${label}: the header row names the column ${JSON.stringify(twice)} twice.`)

  let row = 0
  const toRow = (record: CsvRecord): RawRow | UnreadableRow => {
    row++
    if (record.fatal) unread = `reading stopped at line ${record.line}: ${record.broken ?? 'the record cannot be read'}`
    if (record.broken !== undefined) return { line: record.line, row, error: record.broken }
    if (record.fields.length !== columns.length) {
      return { line: record.line, row, error: `has ${record.fields.length} fields; the header has ${columns.length}` }
    }
    const fields: Record<string, string | undefined> = {}
    for (let index = 0; index < columns.length; index++) fields[columns[index] as string] = record.fields[index]
    return { line: record.line, row, fields }
  }
  async function* rows(): AsyncGenerator<(RawRow | UnreadableRow)[]> {
    for (let chunk: CsvRecord[] | undefined = first; chunk !== undefined; ) {
      const fatal = chunk.findIndex((record) => record.fatal)
      const taken = fatal === -1 ? chunk : chunk.slice(0, fatal + 1)
      if (taken.length > 0) yield taken.map(toRow)
      if (fatal !== -1) return
      const next = await records.next()
      chunk = next.done ? undefined : next.value
    }
  }
  return { columns, rows: rows(), unread: () => unread }
}

/**
 * The records of a CSV stream with the line each starts on. csv-parse delimits them with relaxed quoting, so a
 * broken quote (`"a"b`, `a"b`) ends at the end of its line instead of swallowing the rest of the file; each
 * record's raw text is then checked against RFC 4180 and a broken one is reported, not guessed at. Line numbers
 * come from that raw text too (csv-parse's own counter is where a record ends, not where it starts).
 */
async function csvRecords(data: AsyncIterable<Buffer>): Promise<AsyncGenerator<CsvRecord[]>> {
  const { parse } = await import('csv-parse')
  // Errors must not travel as stream errors: a stream that errors drops the records it still holds. So the one
  // record csv-parse cannot delimit is noted here, with how many records came before it, and reading stops.
  let undelimited: { code: string; raw: string; after: number } | undefined
  const limited = new RecordLimiter(MAX_CSV_RECORD_BYTES)
  const source = Readable.from(limited.pass(data))
  const parser = parse({
    raw: true,
    bom: false, // stripped already, before sniffing
    skip_empty_lines: true,
    relax_quotes: true,
    relax_column_count: true,
    record_delimiter: ['\r\n', '\n', '\r'],
    // A backstop only: the limiter has already replaced every record it delimits as longer than this.
    max_record_size: MAX_CSV_RECORD_BYTES + 1024,
    skip_records_with_error: true,
    on_skip: (error, raw) => {
      if (undelimited !== undefined) return
      // info.records counts the records handed on so far (on_record could count them too, at an info object each).
      undelimited = { code: error?.code ?? 'CSV_ERROR', raw: raw ?? '', after: parser.info.records }
      // Nothing after a record that cannot be delimited can be trusted: stop feeding the parser.
      source.unpipe(parser)
      source.destroy()
      process.nextTick(() => parser.end())
    },
  })
  source.on('error', (error) => parser.destroy(error))
  // Read in chunks, the parser is not always being waited on when it fails: the failure is kept in `parser.errored`
  // and thrown at the next wait (readableOrEnd), instead of crashing the process as an unheard 'error' event.
  parser.on('error', () => undefined)
  source.pipe(parser)

  async function* records(): AsyncGenerator<CsvRecord[]> {
    let nextLine = 1
    let seen = 0
    const stop = (): CsvRecord => {
      const { code, raw } = undelimited!
      const line = nextLine + leadingBlankLength(raw)
      const broken =
        code === 'CSV_MAX_RECORD_SIZE'
          ? `the record is longer than ${MAX_CSV_RECORD_BYTES / 1024 / 1024} MB (a quote that is never closed?); reading stopped here`
          : code === 'CSV_QUOTE_NOT_CLOSED'
            ? 'a quote opened in this record is never closed; everything after it was read as one field'
            : `cannot be read (${code}); reading stopped here`
      return { line, fields: [], broken, fatal: true }
    }
    /** The record csv-parse made of one output, or undefined for a blank one (only delimiters). */
    const recordOf = ({ record, raw }: { record: string[]; raw: string }): CsvRecord | undefined => {
      const line = nextLine + leadingBlankLength(raw)
      nextLine += recordLineBreaks(raw)
      const skipped = limited.skippedIn(record)
      if (skipped !== undefined) {
        const mb = (skipped.bytes / 1024 / 1024).toFixed(1)
        const limit = `${MAX_CSV_RECORD_BYTES / 1024 / 1024} MB`
        return skipped.unclosed
          ? { line, fields: [], fatal: true, broken: `a quote opened in this record is never closed: the rest of the input (${mb} MB) was read as one field, longer than ${limit}` }
          : { line, fields: [], broken: `the record is ${mb} MB, longer than ${limit}; skipped to its end` }
      }
      if (raw.includes('"')) {
        const broken = quotingProblem(raw)
        if (broken !== undefined) return { line, fields: [], broken }
      }
      if (record.every((field) => field.trim() === '')) return undefined // a blank line, or only delimiters (",,,")
      return { line, fields: record }
    }
    try {
      // Whatever the parser holds is taken at once: one asynchronous step per chunk of input, not per record.
      for (;;) {
        const chunk: CsvRecord[] = []
        let output: { record: string[]; raw: string } | null
        while (chunk.length < ROWS_PER_CHUNK && (output = parser.read() as { record: string[]; raw: string } | null) !== null) {
          if (undelimited !== undefined && seen === undelimited.after) break
          seen++
          const record = recordOf(output)
          if (record) chunk.push(record)
        }
        if (undelimited !== undefined && seen === undelimited.after) {
          chunk.push(stop())
          yield chunk
          return
        }
        if (chunk.length > 0) yield chunk
        if (chunk.length === ROWS_PER_CHUNK) continue // more may be waiting already
        if (parser.readableEnded || (parser.destroyed && !parser.errored)) break
        await readableOrEnd(parser)
      }
      if (undelimited !== undefined) yield [stop()]
    } finally {
      source.destroy()
      parser.destroy()
    }
  }
  return records()
}

/**
 * Keeps csv-parse from ever holding a record longer than the limit, so one long field costs one row, not the rest of the
 * file. It delimits records as csv-parse does (RFC 4180 with relaxed quotes: a quote opens a field only at its start;
 * inside, "" is a quote and a quote before anything but a delimiter ends the quoting), passes each record on once it
 * ends, and replaces one that grows past the limit with a placeholder: a quoted field holding a token of this run and the
 * record's size, with as many line breaks as the record had inside quotes, so the line numbers after it stay right.
 */
class RecordLimiter {
  private readonly token = `\u0000clowdops-skipped-${randomUUID()}:`
  private readonly skipped = new Map<string, { bytes: number; unclosed: boolean }>()

  constructor(private readonly max: number) {}

  /** The skipped record a parsed record stands for, if it is a placeholder. */
  skippedIn(record: string[]): { bytes: number; unclosed: boolean } | undefined {
    const first = record[0]
    if (record.length !== 1 || first === undefined || !first.startsWith(this.token)) return undefined
    return this.skipped.get(first.slice(this.token.length, first.indexOf('\n') === -1 ? undefined : first.indexOf('\n')))
  }

  async *pass(data: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    let held: Buffer[] = [] // the start of the current record, from earlier chunks, while it is within the limit
    let heldBytes = 0
    let dropped = -1 // bytes of an overlong record dropped so far; -1 while within the limit
    let breaks = 0 // line breaks inside the dropped record's quotes
    let quoting = false
    let quoteSeen = false // a quote inside quotes, whose meaning the next byte decides
    let fieldEmpty = true
    let previous = 0
    const placeholder = (unclosed: boolean): Buffer => {
      const id = String(this.skipped.size)
      this.skipped.set(id, { bytes: dropped, unclosed })
      dropped = -1
      const text = `"${this.token}${id}${'\n'.repeat(breaks)}"`
      breaks = 0
      return Buffer.from(text)
    }
    for await (const chunk of data) {
      const out: Buffer[] = []
      let passFrom = 0 // bytes of this chunk before it are passed on (or dropped) already
      let recordStart = 0 // where the current record begins in this chunk (after the delimiter that ended the last)
      for (let index = 0; index < chunk.length; index++) {
        const byte = chunk[index]!
        if (quoteSeen) {
          quoteSeen = false
          if (byte === QUOTE) {
            previous = byte
            continue // "" inside quotes: a quote
          }
          quoting = false
          fieldEmpty = false
        }
        if (quoting) {
          if (byte === QUOTE) quoteSeen = true
          else if (dropped >= 0 && (byte === LF ? previous !== CR : byte === CR)) breaks++
        } else if (byte === QUOTE) {
          if (fieldEmpty) quoting = true
          fieldEmpty = false
        } else if (byte === COMMA) fieldEmpty = true
        else if (byte === LF || byte === CR) {
          // The record ends here. Its delimiter goes on after it, or after its placeholder.
          if (dropped >= 0) {
            dropped += index - passFrom
            out.push(placeholder(false))
            passFrom = index
          } else if (held.length > 0) {
            out.push(...held)
            held = []
            heldBytes = 0
          }
          recordStart = index + 1
          fieldEmpty = true
        } else fieldEmpty = false
        previous = byte
        if (dropped < 0 && heldBytes + index + 1 - recordStart > this.max) {
          // Too long: the records before it go on, and it is dropped from here to its end.
          if (recordStart > passFrom) out.push(chunk.subarray(passFrom, recordStart))
          dropped = heldBytes + index + 1 - recordStart
          held = []
          heldBytes = 0
          passFrom = index + 1
        }
      }
      if (dropped >= 0) dropped += chunk.length - passFrom
      else {
        if (recordStart > passFrom) out.push(chunk.subarray(passFrom, recordStart))
        if (recordStart < chunk.length) {
          held.push(chunk.subarray(Math.max(recordStart, passFrom)))
          heldBytes += chunk.length - Math.max(recordStart, passFrom)
        }
      }
      // Complete records are passed on at once; only the record still open waits.
      if (out.length === 1) yield out[0]!
      else if (out.length > 1) yield Buffer.concat(out)
    }
    if (dropped >= 0) yield placeholder(quoting && !quoteSeen)
    else if (held.length > 0) yield Buffer.concat(held)
  }
}

const QUOTE = 0x22
const COMMA = 0x2c
const CR = 0x0d
const LF = 0x0a

/** Waits until the stream has something to read, or has ended; rejects with its error (also one it already had). */
function readableOrEnd(stream: Readable): Promise<void> {
  if (stream.errored) return Promise.reject(stream.errored)
  if (stream.destroyed || stream.readableEnded) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const settle = () => {
      stream.off('readable', settle)
      stream.off('end', settle)
      stream.off('close', settle)
      stream.off('error', settle)
      if (stream.errored) reject(stream.errored)
      else resolve()
    }
    stream.once('readable', settle)
    stream.once('end', settle)
    stream.once('close', settle)
    stream.once('error', settle)
  })
}

/*
 * Line accounting on csv-parse's raw text. Outside quotes, raw keeps one character per record delimiter (the CR
 * of a CRLF, or the LF, or the lone CR), and skipped empty lines stay in front of the next record's raw: so each
 * CR or LF there is one line break. Inside quotes raw is the text as written, where CRLF is one break.
 */

/** Skipped empty lines at the start of a record's raw text (one character each). */
function leadingBlankLength(raw: string): number {
  let index = 0
  while (index < raw.length && (raw.charCodeAt(index) === 0x0a || raw.charCodeAt(index) === 0x0d)) index++
  return index
}

/** Where a record's own text ends: before its delimiter character, if it has one (the last record may not). */
function bodyEnd(raw: string): number {
  const last = raw.charCodeAt(raw.length - 1)
  return last === 0x0a || last === 0x0d ? raw.length - 1 : raw.length
}

/** Line breaks in the record's raw text: blank lines before it, breaks inside quoted fields, its delimiter. */
function recordLineBreaks(raw: string): number {
  const start = leadingBlankLength(raw)
  if (start === raw.length) return start
  const end = bodyEnd(raw)
  let count = start + (raw.length - end)
  for (let index = start; index < end; index++) {
    const code = raw.charCodeAt(index)
    if (code === 0x0a) count++
    else if (code === 0x0d && raw.charCodeAt(index + 1) !== 0x0a) count++
  }
  return count
}

/** Why a record's raw text breaks RFC 4180 quoting, or undefined when it does not. */
function quotingProblem(raw: string): string | undefined {
  const end = bodyEnd(raw)
  let index = leadingBlankLength(raw)
  let column = 1
  while (index <= end) {
    if (raw.charCodeAt(index) === 0x22 /* " */) {
      // A quoted field: runs to a quote that is not doubled, which must end the field.
      index++
      for (;;) {
        const quote = raw.indexOf('"', index)
        if (quote === -1 || quote >= end) return `column ${column}: a quoted field is not closed`
        if (raw.charCodeAt(quote + 1) === 0x22 && quote + 1 < end) {
          index = quote + 2
          continue
        }
        index = quote + 1
        break
      }
      if (index < end && raw.charCodeAt(index) !== 0x2c /* , */) {
        return `column ${column}: text after a closing quote (a quote inside a quoted field is written "")`
      }
    } else {
      const comma = raw.indexOf(',', index)
      const fieldEnd = comma === -1 || comma > end ? end : comma
      const quote = raw.indexOf('"', index)
      if (quote !== -1 && quote < fieldEnd) return `column ${column}: a quote inside an unquoted field (quote the whole field)`
      index = fieldEnd
    }
    index++ // past the comma, or past the end
    column++
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------------------------
// JSONL

async function* jsonlRows(data: AsyncIterable<Buffer>): AsyncGenerator<(RawRow | UnreadableRow)[]> {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let row = 0
  const toRow = ({ line, bytes, tooLong }: JsonlLine): RawRow | UnreadableRow | undefined => {
    if (tooLong !== undefined) {
      row++
      return { line, row, error: `the line is longer than ${MAX_JSONL_LINE_BYTES / 1024 / 1024} MB (${tooLong} bytes)` }
    }
    let text: string
    try {
      text = decoder.decode(bytes)
    } catch {
      row++
      return { line, row, error: 'the line is not valid UTF-8' }
    }
    if (text.trim() === '') return undefined
    row++
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (error) {
      // V8's message quotes the line; say where instead, since the line holds personal data.
      const at = /position (\d+)/.exec(describe(error))?.[1]
      return { line, row, error: `the line is not valid JSON${at === undefined ? '' : ` (at character ${at})`}` }
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { line, row, error: `the line is JSON but not an object (it is ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`})` }
    }
    return { line, row, fields: value as Record<string, unknown> }
  }
  for await (const lines of jsonlLines(data)) {
    const rows: (RawRow | UnreadableRow)[] = []
    for (const line of lines) {
      const parsed = toRow(line)
      if (parsed) rows.push(parsed)
    }
    for (let start = 0; start < rows.length; start += ROWS_PER_CHUNK) yield rows.slice(start, start + ROWS_PER_CHUNK)
  }
}

interface JsonlLine {
  line: number
  bytes: Buffer
  tooLong?: number
}

/**
 * Lines split on LF (a CR before it dropped), each at most MAX_JSONL_LINE_BYTES; a longer one is reported by size
 * only. The lines of each chunk of input come out together.
 */
async function* jsonlLines(data: AsyncIterable<Buffer>): AsyncGenerator<JsonlLine[]> {
  let parts: Buffer[] = []
  let length = 0
  let discarded = 0 // bytes of an overlong line thrown away so far
  let line = 1
  const finish = (): JsonlLine => {
    let done: JsonlLine
    if (discarded > 0) {
      done = { line, bytes: Buffer.alloc(0), tooLong: discarded + length }
    } else {
      let bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, length)
      if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1)
      done = { line, bytes }
    }
    parts = []
    length = 0
    discarded = 0
    return done
  }
  for await (const chunk of data) {
    const lines: JsonlLine[] = []
    let start = 0
    for (let newline = chunk.indexOf(0x0a); newline !== -1; newline = chunk.indexOf(0x0a, start)) {
      parts.push(chunk.subarray(start, newline))
      length += newline - start
      if (discarded > 0 || length > MAX_JSONL_LINE_BYTES + 1) {
        discarded += length
        parts = []
        length = 0
      }
      lines.push(finish())
      line++
      start = newline + 1
    }
    if (start < chunk.length) {
      parts.push(chunk.subarray(start))
      length += chunk.length - start
      if (discarded > 0 || length > MAX_JSONL_LINE_BYTES + 1) {
        discarded += length
        parts = []
        length = 0
      }
    }
    if (lines.length > 0) yield lines
  }
  if (length > 0 || discarded > 0) yield [finish()]
}

// ---------------------------------------------------------------------------------------------------------------

/** An async byte stream whose first bytes can be looked at before it is read on. */
class ByteReader implements AsyncIterable<Buffer> {
  private readonly iterator: AsyncIterator<Buffer>
  private head: Buffer[] = []
  private headLength = 0
  private ended = false

  constructor(source: AsyncIterable<Buffer>) {
    this.iterator = source[Symbol.asyncIterator]()
  }

  /** At least the first n bytes (fewer only when the stream is shorter), without consuming them. */
  async peek(n: number): Promise<Buffer> {
    while (this.headLength < n && !this.ended) {
      const next = await this.iterator.next()
      if (next.done) this.ended = true
      else {
        this.head.push(next.value)
        this.headLength += next.value.length
      }
    }
    if (this.head.length > 1) this.head = [Buffer.concat(this.head, this.headLength)]
    return this.head[0] ?? Buffer.alloc(0)
  }

  /** Drops n bytes already peeked. */
  skip(n: number): void {
    const all = Buffer.concat(this.head, this.headLength)
    this.head = [all.subarray(n)]
    this.headLength = Math.max(0, all.length - n)
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    try {
      const head = this.head
      this.head = []
      this.headLength = 0
      for (const chunk of head) if (chunk.length > 0) yield chunk
      while (!this.ended) {
        const next = await this.iterator.next()
        if (next.done) this.ended = true
        else yield next.value
      }
    } finally {
      await this.close()
    }
  }

  async close(): Promise<void> {
    if (this.ended) return
    this.ended = true
    await this.iterator.return?.()
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return 'no such file'
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
    if (code === 'EISDIR') return 'it is a directory'
    return error.message
  }
  return String(error)
}
