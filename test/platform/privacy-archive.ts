// Export archives of the local platform: real zip (fflate) and tar.gz (ustar written here, gzip by zlib) files of JSON.
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { zipSync, type Zippable } from 'fflate'
import type { ExportFormat } from '../../src/core/contract/privacy.js'
import { sha256 } from './store.js'

export interface ExportArchive {
  name: string
  bytes: Buffer
  sha256: string
  contentType: 'application/zip' | 'application/gzip'
}

/** The archive's files, by name; each value is written as pretty-printed JSON. */
export type ArchiveContents = Record<string, unknown>

export function buildExportArchive(format: ExportFormat, requestId: string, createdMs: number, contents: ArchiveContents): ExportArchive {
  const files = Object.entries(contents).map(([name, value]) => ({ name, data: Buffer.from(`${JSON.stringify(value, null, 2)}\n`) }))
  const base = `clowdops-export-${requestId.slice(0, 8)}`
  const bytes = format === 'zip' ? zipOf(files, createdMs) : tarGzOf(files, createdMs)
  return {
    name: format === 'zip' ? `${base}.zip` : `${base}.tar.gz`,
    bytes,
    sha256: sha256(bytes),
    contentType: format === 'zip' ? 'application/zip' : 'application/gzip',
  }
}

interface ArchiveFile {
  name: string
  data: Buffer
}

function zipOf(files: ArchiveFile[], mtimeMs: number): Buffer {
  // Stored timestamps are DOS times (from 1980), so an archive made "now" on the virtual clock always has a valid one.
  const zippable: Zippable = {}
  for (const file of files) zippable[file.name] = [new Uint8Array(file.data), { mtime: new Date(mtimeMs) }]
  return Buffer.from(zipSync(zippable, { level: 6 }))
}

const BLOCK = 512

/** POSIX ustar: a 512-byte header per file, the data padded to 512, then two empty blocks. */
function tarGzOf(files: ArchiveFile[], mtimeMs: number): Buffer {
  const blocks: Buffer[] = []
  for (const file of files) {
    blocks.push(ustarHeader(file.name, file.data.length, Math.floor(mtimeMs / 1000)))
    blocks.push(file.data, Buffer.alloc((BLOCK - (file.data.length % BLOCK)) % BLOCK))
  }
  blocks.push(Buffer.alloc(2 * BLOCK))
  return gzipSync(Buffer.concat(blocks))
}

function ustarHeader(name: string, size: number, mtimeSeconds: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar entry name longer than 100 bytes: ${name}`)
  const header = Buffer.alloc(BLOCK)
  const field = (offset: number, length: number, value: string) => header.write(value, offset, length, 'ascii')
  const octal = (value: number, digits: number) => `${value.toString(8).padStart(digits, '0')}\0`
  field(0, 100, name)
  field(100, 8, octal(0o644, 7))
  field(108, 8, octal(0, 7))
  field(116, 8, octal(0, 7))
  field(124, 12, octal(size, 11))
  field(136, 12, octal(mtimeSeconds, 11))
  field(148, 8, ' '.repeat(8))
  field(156, 1, '0')
  field(257, 6, 'ustar\0')
  field(263, 2, '00')
  field(265, 32, 'clowdops')
  field(297, 32, 'clowdops')
  // The checksum is the byte sum of the header with its own field read as spaces.
  let checksum = 0
  for (const byte of header) checksum += byte
  field(148, 8, `${checksum.toString(8).padStart(6, '0')}\0 `)
  return header
}

const ACTIVITY_ACTIONS = ['signed_in', 'listed_projects', 'registered_credential', 'verified_credential', 'rotated_credential', 'viewed_sandbox']

/**
 * A deterministic activity log about `paddingBytes` long once written as JSON: one event a minute going back from
 * `untilMs`, each with a hash-derived id, so a test can ask for a multi-megabyte archive and get the same one each time.
 */
export function activityLog(seed: string, untilMs: number, paddingBytes: number): unknown[] {
  const events: unknown[] = []
  let size = 2
  for (let i = 0; size < paddingBytes; i++) {
    const event = {
      at: new Date(untilMs - (i + 1) * 60_000).toISOString(),
      action: ACTIVITY_ACTIONS[i % ACTIVITY_ACTIONS.length],
      request_id: `req_${sha256(`${seed}:${i}`).slice(0, 24)}`,
      client: i % 3 === 0 ? 'clowdops-cli' : 'web',
      // Hash-derived, so the log does not compress away: a large padding makes a large archive.
      session: createHash('sha256').update(`${seed}:session:${i}`).digest('base64url'),
    }
    events.push(event)
    // Its share of the pretty-printed array: indented one level, then a comma and a newline.
    size += JSON.stringify([event], null, 2).length - 2
  }
  return events
}
