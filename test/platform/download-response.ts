// File responses of the local platform: strong ETag, byte ranges (RFC 9110 §14), chunked writes with backpressure, and
// the knobs that break a download on purpose so the client's resume and digest checks are tested for real.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FileBody } from '../../src/core/contract/endpoints.js'
import type { FaultPlan } from './faults.js'

export interface DownloadLogEntry {
  range: string | null
  ifRange: string | null
  status: number
  /** Body bytes written to the connection. */
  bytes: number
}

const CHUNK_BYTES = 64 * 1024

export class DownloadKnobs {
  readonly log: DownloadLogEntry[] = []
  private cutAt: number | undefined
  private corrupt = false

  /** The next file response sends exactly `bytes` bytes of its body, then resets the connection. */
  cutNextDownloadAt(bytes: number): void {
    if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`cut point must be a whole number of bytes ≥ 0, got ${bytes}`)
    this.cutAt = bytes
  }

  /** The next file response has one byte flipped, with the headers (ETag, length) of the intact file. */
  corruptNextDownload(): void {
    this.corrupt = true
  }

  clear(): void {
    this.cutAt = undefined
    this.corrupt = false
  }

  describe() {
    return { cut_next_at: this.cutAt ?? null, corrupt_next: this.corrupt, downloads: this.log.length }
  }

  /** Consumed by one file response (200 or 206), not by errors or 416s. */
  take(): { cutAt: number | undefined; corrupt: boolean } {
    const taken = { cutAt: this.cutAt, corrupt: this.corrupt }
    this.clear()
    return taken
  }
}

type Slice = { status: 200 | 206; start: number; end: number } | { status: 416 }

/**
 * Which bytes to send. A Range is honoured only when If-Range (if any) names this exact ETag; a Range we do not serve
 * (several ranges, bad syntax) is ignored, as RFC 9110 allows, and the whole file goes out.
 */
export function sliceFor(size: number, etag: string, range: string | undefined, ifRange: string | undefined): Slice {
  const whole = { status: 200 as const, start: 0, end: size }
  if (range === undefined || (ifRange !== undefined && ifRange !== etag)) return whole
  const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim())
  if (!match || (match[1] === '' && match[2] === '')) return whole
  const [, first = '', last = ''] = match
  if (first === '') {
    const suffix = Number(last)
    if (suffix === 0) return { status: 416 }
    return { status: 206, start: Math.max(0, size - suffix), end: size }
  }
  const start = Number(first)
  if (start >= size) return { status: 416 }
  if (last !== '' && Number(last) < start) return whole
  const end = last === '' ? size : Math.min(size, Number(last) + 1)
  return { status: 206, start, end }
}

export async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: FileBody,
  broken: FaultPlan['broken'],
  knobs: DownloadKnobs,
  unsatisfiable: (size: number) => unknown,
): Promise<void> {
  const size = file.bytes.length
  const range = header(req, 'range')
  const ifRange = header(req, 'if-range')
  const slice = sliceFor(size, file.etag, range, ifRange)
  const entry: DownloadLogEntry = { range: range ?? null, ifRange: ifRange ?? null, status: slice.status, bytes: 0 }
  knobs.log.push(entry)
  const common = { etag: file.etag, 'accept-ranges': 'bytes', 'cache-control': 'private, no-store' }
  if (slice.status === 416) {
    const payload = Buffer.from(JSON.stringify(unsatisfiable(size)))
    res.writeHead(416, { ...common, 'content-range': `bytes */${size}`, 'content-type': 'application/problem+json', 'content-length': payload.length })
    res.end(payload)
    return
  }
  const { cutAt, corrupt } = knobs.take()
  let body = Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength).subarray(slice.start, slice.end)
  if (corrupt && body.length > 0) {
    body = Buffer.from(body)
    const middle = Math.floor(body.length / 2)
    body[middle] = (body[middle] ?? 0) ^ 0xff
  }
  res.writeHead(slice.status, {
    ...common,
    'content-type': file.contentType,
    'content-length': body.length,
    ...(slice.status === 206 ? { 'content-range': `bytes ${slice.start}-${slice.end - 1}/${size}` } : {}),
  })
  let limit = body.length
  let ending: 'reset' | 'truncate' | undefined
  if (cutAt !== undefined) {
    limit = Math.min(cutAt, body.length)
    ending = 'reset'
  } else if (broken) {
    limit = Math.max(1, Math.floor(body.length / 2))
    ending = broken
  }
  const complete = await writeChunks(res, body.subarray(0, limit), entry)
  if (!complete) return
  if (!ending) {
    res.end()
    return
  }
  const socket = res.socket
  if (ending === 'truncate') {
    socket?.end()
    return
  }
  // A moment for the bytes already on the wire to be read: a reset can make the peer's kernel discard unread data,
  // and a cut that loses bytes would not be the exact cut a test asked for.
  await sleep(50)
  socket?.resetAndDestroy()
}

/**
 * Writes in 64 KiB chunks, waiting for `drain` when the peer is slow, and resolves once the last chunk is handed to the
 * socket, so a reset that follows cannot overtake it; false if the connection went away first.
 */
async function writeChunks(res: ServerResponse, body: Buffer, entry: DownloadLogEntry): Promise<boolean> {
  res.flushHeaders()
  let flushed: Promise<boolean> = Promise.resolve(true)
  for (let offset = 0; offset < body.length; offset += CHUNK_BYTES) {
    if (res.destroyed) return false
    const chunk = body.subarray(offset, offset + CHUNK_BYTES)
    entry.bytes += chunk.length
    let written!: (ok: boolean) => void
    flushed = new Promise((resolve) => (written = resolve))
    const more = res.write(chunk, (error) => written(!error))
    if (!more && !(await drained(res))) return false
  }
  return flushed
}

/** Resolves true on `drain`, false when the connection closes first; either way no listener stays behind. */
export function drained(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      res.off('drain', onDrain)
      res.off('close', onClose)
      resolve(ok)
    }
    const onDrain = () => done(true)
    const onClose = () => done(false)
    res.on('drain', onDrain)
    res.on('close', onClose)
  })
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}
