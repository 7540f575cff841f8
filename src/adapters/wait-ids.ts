// Reads the request ids `privacy wait --from` follows: one a line, either a bare id or a line of the NDJSON report
// `privacy submit --json` / `--report` writes. Streamed line by line, so a report of a million rows is not held whole.
import { open } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { createInterface } from 'node:readline'
import type { RequestIdList } from '../core/bulk/run.js'
import { RequestId } from '../core/contract/index.js'
import { UsageError } from '../core/errors.js'

/** What one line holds. */
type LineRead = { id: string } | { skip: 'row' | 'nothing' } | { problem: string }

const FORMAT_HINT =
  'Give one request id a line, or the report of clowdops privacy submit (--report FILE, or its --json output) unchanged.'

/** `path` is a file, or `-` for stdin. A line that is neither an id nor a report line is a usage error naming it. */
export async function readRequestIds(path: string, stdin: AsyncIterable<Uint8Array>): Promise<RequestIdList> {
  const label = path === '-' ? 'stdin' : path
  const ids = new Set<string>()
  let skipped = 0
  let lineNumber = 0
  try {
    const input = path === '-' ? Readable.from(stdin) : await openFile(path)
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      lineNumber += 1
      const read = readLine(line)
      if ('problem' in read) {
        throw new UsageError(`--from ${label}, line ${lineNumber}: ${read.problem}.`, { hint: FORMAT_HINT })
      }
      if ('id' in read) ids.add(read.id)
      else if (read.skip === 'row') skipped += 1
    }
  } catch (error) {
    if (error instanceof UsageError) throw error
    throw new UsageError(`Cannot read --from ${label}: ${describe(error)}.`, { cause: error })
  }
  return { ids: [...ids], skipped }
}

/** Opened before reading, so a missing file or a directory is reported as such rather than as an empty input. */
async function openFile(path: string): Promise<NodeJS.ReadableStream> {
  const handle = await open(path)
  if ((await handle.stat()).isDirectory()) {
    await handle.close()
    throw Object.assign(new Error('a directory'), { code: 'EISDIR' })
  }
  return handle.createReadStream()
}

/**
 * A report row stands for the request it produced: `id` when accepted, `duplicate_of` (the request that already
 * existed) when a duplicate. Other rows produced no request, and the summary line is no row at all.
 */
function readLine(raw: string): LineRead {
  const line = raw.trim().replace(/^\uFEFF/, '')
  if (line === '') return { skip: 'nothing' }
  if (!line.startsWith('{')) {
    return RequestId.safeParse(line).success ? { id: line.toLowerCase() } : { problem: `${quote(line)} is not a request id (a UUID)` }
  }
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return { problem: 'not valid JSON' }
  }
  const record = value as Record<string, unknown>
  if (record.type === 'summary') return { skip: 'nothing' }
  if (record.type !== 'row') return { problem: 'a JSON object that is not a report row (its "type" is not "row" or "summary")' }
  const field = record.outcome === 'accepted' ? 'id' : record.outcome === 'duplicate' ? 'duplicate_of' : undefined
  if (field === undefined) return { skip: 'row' }
  const id = record[field]
  if (typeof id !== 'string' || !RequestId.safeParse(id).success) return { problem: `a ${String(record.outcome)} row whose "${field}" is not a request id` }
  return { id: id.toLowerCase() }
}

/** At most 40 characters of a line, so a huge line does not flood the message. */
function quote(line: string): string {
  return JSON.stringify(line.length > 40 ? `${line.slice(0, 40)}…` : line)
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EISDIR') return 'it is a directory'
  if (code === 'EACCES') return 'permission denied'
  return error instanceof Error ? error.message : String(error)
}
