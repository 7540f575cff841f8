// The downloader over real loopback HTTP into real files: resume with Range/If-Range, verification, conflicts, memory.
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { systemClock } from '../../src/adapters/clock.js'
import { createDownloader } from '../../src/adapters/download.js'
import {
  ConflictError,
  ExitCode,
  IntegrityError,
  InterruptedError,
  NetworkError,
  NotSignedInError,
  PlatformError,
  RefusedError,
} from '../../src/core/errors.js'
import type { Clock, DownloadRequest, Session } from '../../src/core/ports.js'
import { Secret } from '../../src/core/secret.js'
import { MiB, drainedOrClosed } from '../support/loopback.js'

const TOKEN = 'cop_download_test'
// Not a multiple of the block or of any chunk size, so off-by-one errors at the edges show.
const SMALL_BYTES = 6 * MiB + 12_345
const LARGE_BYTES = 300 * MiB

/**
 * A file served from a seeded pseudo-random block repeated to `size`: any range of it can be made on the fly, so even
 * the 300 MB one is never held in memory. The block length is odd so that repeats do not line up with chunks.
 */
interface ServedFile {
  size: number
  block: Buffer
  etag: string
  sha256: string
}

const BLOCK_BYTES = 1_048_573

function servedFile(seed: number, size: number): ServedFile {
  const block = Buffer.allocUnsafe(BLOCK_BYTES)
  let state = seed >>> 0 || 1
  for (let i = 0; i < BLOCK_BYTES; i++) {
    // xorshift32: deterministic and cheap.
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    block[i] = state & 0xff
  }
  const file = { size, block, etag: '', sha256: '' }
  const hash = createHash('sha256')
  for (let position = 0; position < size; position += 4 * MiB) hash.update(bytesOf(file, position, Math.min(size, position + 4 * MiB)))
  file.sha256 = hash.digest('hex')
  file.etag = `"sha256:${file.sha256.slice(0, 32)}"`
  return file
}

/** Bytes [start, end) of the file. */
function bytesOf(file: Pick<ServedFile, 'block'>, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(end - start)
  for (let written = 0; written < out.length; ) {
    const inBlock = (start + written) % BLOCK_BYTES
    written += file.block.copy(out, written, inBlock, Math.min(BLOCK_BYTES, inBlock + out.length - written))
  }
  return out
}

interface Knobs {
  /** The next responses send this many body bytes each, then the connection is closed. */
  cutAfter: number[]
  /** The next responses send this many body bytes each, then nothing more: the connection stays open, silent. */
  stallAfter: number[]
  /**
   * Waited for before a cut, with the bytes of the file sent so far: a client drops what it has buffered but not yet
   * written when the connection breaks, so tests wait until it has taken every byte, to know exactly where it resumes.
   */
  beforeCut?: (sentUpTo: number) => Promise<void>
  /** Called after a cut (e.g. to change the ETag before the client comes back). */
  afterCut?: () => void
  /** The byte at this position is served flipped. */
  corruptAt?: number
  /** The next responses are this status instead, with Retry-After when given. */
  unavailable: { status: number; retryAfter?: number }[]
  /** Served instead of the file's own ETag. */
  etag?: string
}

interface SeenRequest {
  path: string
  range: string | undefined
  ifRange: string | undefined
  authorization: string | undefined
  status: number
}

interface FileServer {
  url: string
  files: Map<string, ServedFile>
  knobs: Knobs
  requests: SeenRequest[]
  close(): Promise<void>
}

async function startFileServer(): Promise<FileServer> {
  const files = new Map<string, ServedFile>()
  const requests: SeenRequest[] = []
  const server: FileServer = { url: '', files, knobs: { cutAfter: [], stallAfter: [], unavailable: [] }, requests, close: async () => {} }

  const http = createServer((req, res) => {
    const seen: SeenRequest = {
      path: req.url ?? '',
      range: req.headers.range,
      ifRange: header(req, 'if-range'),
      authorization: req.headers.authorization,
      status: 0,
    }
    requests.push(seen)
    const reply = (status: number, headers: Record<string, string | number> = {}) => {
      seen.status = status
      res.writeHead(status, { 'x-request-id': `req_${requests.length}`, ...headers })
    }
    const problem = (status: number, code: string, extra: Record<string, string | number> = {}) => {
      const body = JSON.stringify({ type: 'about:blank', title: code, status, code, request_id: `req_${requests.length}` })
      reply(status, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body), ...extra })
      res.end(body)
    }

    const file = files.get((req.url ?? '').replace(/^\/v1\/files\//, ''))
    if (!file) return problem(404, 'not_found')
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return problem(401, 'unauthorized')
    const unavailable = server.knobs.unavailable.shift()
    if (unavailable) {
      return problem(unavailable.status, 'unavailable', unavailable.retryAfter === undefined ? {} : { 'retry-after': unavailable.retryAfter })
    }

    const etag = server.knobs.etag ?? file.etag
    const common = { etag, 'accept-ranges': 'bytes', 'content-type': 'application/zip' }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '')
    // If-Range that does not match the current ETag: the Range is ignored and the whole file sent (RFC 9110 §13.1.5).
    const honourRange = range !== null && (seen.ifRange === undefined || seen.ifRange === etag)
    let start = 0
    if (honourRange) {
      start = Number(range[1])
      if (start >= file.size) return reply(416, { ...common, 'content-range': `bytes */${file.size}` }), res.end()
      reply(206, { ...common, 'content-range': `bytes ${start}-${file.size - 1}/${file.size}`, 'content-length': file.size - start })
    } else {
      reply(200, { ...common, 'content-length': file.size })
    }
    const stallAfter = server.knobs.stallAfter.shift()
    if (stallAfter !== undefined) return void res.write(bytesOf(file, start, Math.min(file.size, start + stallAfter)))
    void sendBody(res, file, start, server.knobs.cutAfter.shift(), server)
  })

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  server.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  server.close = () =>
    new Promise((resolve) => {
      http.closeAllConnections()
      http.close(() => resolve())
    })
  return server
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** Streams [start, size) with backpressure; with `cutAfter`, closes the connection once that many bytes are flushed. */
async function sendBody(res: ServerResponse, file: ServedFile, start: number, cutAfter: number | undefined, server: FileServer) {
  const stop = cutAfter === undefined ? file.size : Math.min(file.size, start + cutAfter)
  let flushed = Promise.resolve()
  for (let position = start; position < stop && !res.destroyed; ) {
    const chunk = bytesOf(file, position, Math.min(stop, position + 64 * 1024))
    const corruptAt = server.knobs.corruptAt
    if (corruptAt !== undefined && corruptAt >= position && corruptAt < position + chunk.length) chunk[corruptAt - position]! ^= 0xff
    position += chunk.length
    let ready = true
    flushed = new Promise((resolve) => (ready = res.write(chunk, () => resolve())))
    if (!ready) await drainedOrClosed(res)
  }
  if (cutAfter === undefined) return void res.end()
  await flushed
  await server.knobs.beforeCut?.(stop)
  res.socket?.destroy()
  server.knobs.afterCut?.()
}

let server: FileServer
let small: ServedFile
let dir: string

beforeAll(async () => {
  server = await startFileServer()
  small = servedFile(7, SMALL_BYTES)
  server.files.set('export.zip', small)
})
afterAll(() => server.close())
afterEach(() => {
  server.knobs = { cutAfter: [], stallAfter: [], unavailable: [] }
  server.requests.length = 0
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** The real clock's time, and sleeps that are recorded but not waited (the retry delays are what is checked). */
function recordingClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = []
  return { sleeps, now: systemClock.now, sleep: (ms, signal) => (sleeps.push(ms), systemClock.sleep(0, signal)) }
}

interface DownloaderTestOptions {
  clock?: Clock
  session?: Pick<Session, 'token' | 'afterRejection'>
  baseUrl?: string
  debug?: (line: string) => void
  idleMs?: number
  signal?: AbortSignal
}

function downloader(options: DownloaderTestOptions = {}) {
  return createDownloader({
    baseUrl: options.baseUrl ?? server.url,
    userAgent: 'clowdops/0.0.0-test (node test; test)',
    clock: options.clock ?? recordingClock(),
    session: options.session ?? { token: async () => new Secret(TOKEN), afterRejection: async () => undefined },
    retry: { retries: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 5000 },
    ...(options.idleMs === undefined ? {} : { timeouts: { idleMs: options.idleMs } }),
    signal: options.signal,
    debug: options.debug,
  })
}

function requestFor(file: ServedFile, extra: Partial<DownloadRequest> = {}): DownloadRequest {
  dir ||= mkdtempSync(join(tmpdir(), 'clowdops-download-'))
  return { path: '/v1/files/export.zip', destination: join(dir, 'export.zip'), expected: { bytes: file.size, sha256: file.sha256 }, ...extra }
}

/** The client's progress, so the server can cut only once the client has written everything sent (see beforeCut). */
function progressGate() {
  let received = 0
  const waiting: { bytes: number; resolve: () => void }[] = []
  return {
    onProgress: (progress: { received: number }) => {
      received = progress.received
      for (const waiter of waiting.filter((w) => w.bytes <= received)) waiter.resolve()
    },
    reached: (bytes: number) =>
      bytes <= received ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ bytes, resolve })),
  }
}

/** The next responses are cut once the client holds each of these offsets. */
function cutAt(...offsets: number[]): Pick<DownloadRequest, 'onProgress'> {
  const gate = progressGate()
  server.knobs.cutAfter = offsets.map((offset, i) => offset - (offsets[i - 1] ?? 0))
  server.knobs.beforeCut = gate.reached
  return { onProgress: gate.onProgress }
}

function partialPathOf(request: DownloadRequest): string {
  return `${request.destination}.${request.expected.sha256.slice(0, 12)}.part`
}

async function sha256Of(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex')
}

function newDir(): void {
  dir = mkdtempSync(join(tmpdir(), 'clowdops-download-'))
}

describe('fetching', () => {
  it('downloads the whole file, verifies it and renames it into place with mode 0600', async () => {
    newDir()
    const request = requestFor(small)
    const progress: number[] = []
    const result = await downloader().download({ ...request, onProgress: ({ received, total }) => (expect(total).toBe(small.size), progress.push(received)) })
    expect(result).toEqual({ path: request.destination, bytes: small.size, sha256: small.sha256, outcome: 'fetched', resumes: 0 })
    expect(await sha256Of(request.destination)).toBe(small.sha256)
    if (process.platform !== 'win32') expect(statSync(request.destination).mode & 0o777).toBe(0o600)
    expect(readdirSync(dir)).toEqual(['export.zip'])
    expect(server.requests).toHaveLength(1)
    expect(server.requests[0]!.range).toBeUndefined()
    expect(progress.at(-1)).toBe(small.size)
    expect(progress).toEqual([...progress].sort((a, b) => a - b))
  })

  it('resumes a cut with Range from the bytes received and If-Range with the ETag seen', async () => {
    newDir()
    const result = await downloader().download(requestFor(small, cutAt(1_500_001)))
    expect(result).toMatchObject({ outcome: 'fetched', resumes: 1, sha256: small.sha256 })
    expect(server.requests.map((r) => [r.status, r.range, r.ifRange])).toEqual([
      [200, undefined, undefined],
      [206, 'bytes=1500001-', small.etag],
    ])
    expect(await sha256Of(join(dir, 'export.zip'))).toBe(small.sha256)
  })

  it('finishes through more cuts than the retry budget, because each cut made progress', async () => {
    newDir()
    const offsets = [1, 2, 3, 4, 5, 6].map((n) => n * 900_000)
    const result = await downloader().download(requestFor(small, cutAt(...offsets)))
    expect(result).toMatchObject({ outcome: 'fetched', resumes: 6, sha256: small.sha256 })
    expect(server.requests.slice(1).map((r) => r.range)).toEqual(offsets.map((offset) => `bytes=${offset}-`))
  })

  it('gives up after policy.retries cuts that brought no bytes, keeping no empty partial file', async () => {
    newDir()
    server.knobs.cutAfter = [0, 0, 0, 0, 0, 0]
    const error = await downloader().download(requestFor(small)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NetworkError)
    expect((error as NetworkError).exitCode).toBe(ExitCode.network)
    expect(server.requests).toHaveLength(4)
    expect(readdirSync(dir)).toEqual([])
  })

  it('waits out a 503 for its Retry-After, then downloads', async () => {
    newDir()
    server.knobs.unavailable = [{ status: 503, retryAfter: 1 }]
    const clock = recordingClock()
    const result = await downloader({ clock }).download(requestFor(small))
    expect(result.outcome).toBe('fetched')
    expect(clock.sleeps).toEqual([1000])
    expect(server.requests.map((r) => r.status)).toEqual([503, 200])
  })

  it('gives up on a status that stays unavailable, keeping nothing at the destination', async () => {
    newDir()
    server.knobs.unavailable = Array.from({ length: 10 }, () => ({ status: 503 }))
    const error = await downloader().download(requestFor(small)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PlatformError)
    expect((error as PlatformError).status).toBe(503)
    expect(server.requests).toHaveLength(4)
    expect(existsSync(join(dir, 'export.zip'))).toBe(false)
  })
})

describe('a stalled body', () => {
  it('counts as a cut after the idle limit, and is resumed from the bytes received', async () => {
    newDir()
    server.knobs.stallAfter = [1_000_000]
    const started = Date.now()
    const result = await downloader({ idleMs: 300 }).download(requestFor(small))
    expect(result).toMatchObject({ outcome: 'fetched', resumes: 1, sha256: small.sha256 })
    expect(server.requests.map((r) => r.status)).toEqual([200, 206])
    expect(server.requests[1]!.range).toMatch(/^bytes=\d+-$/)
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('gives up after policy.retries stalls that brought no bytes: exit 7, naming the file and the idle limit', async () => {
    newDir()
    server.knobs.stallAfter = [0, 0, 0, 0, 0]
    const error = await downloader({ idleMs: 200 }).download(requestFor(small)).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'timeout', exitCode: ExitCode.network })
    expect((error as Error).message).toContain('/v1/files/export.zip')
    expect((error as Error).message).toContain('200 ms')
    expect(server.requests).toHaveLength(4)
  })
})

describe('resuming across runs', () => {
  it('continues a partial file left by an earlier run from its size', async () => {
    newDir()
    const request = requestFor(small)
    writeFileSync(partialPathOf(request), bytesOf(small, 0, 2_000_123))
    const result = await downloader().download(request)
    expect(result).toMatchObject({ outcome: 'fetched', resumes: 1, bytes: small.size })
    expect(server.requests.map((r) => [r.status, r.range])).toEqual([[206, 'bytes=2000123-']])
    expect(await sha256Of(request.destination)).toBe(small.sha256)
    expect(existsSync(partialPathOf(request))).toBe(false)
  })

  it('verifies and renames a complete partial file from an earlier run without a request', async () => {
    newDir()
    const request = requestFor(small)
    writeFileSync(partialPathOf(request), bytesOf(small, 0, small.size))
    const result = await downloader().download(request)
    expect(result).toMatchObject({ outcome: 'fetched', resumes: 0, sha256: small.sha256 })
    expect(server.requests).toHaveLength(0)
    expect(readdirSync(dir)).toEqual(['export.zip'])
  })

  it('starts over from zero when a partial file is larger than the file', async () => {
    newDir()
    const request = requestFor(small)
    writeFileSync(partialPathOf(request), bytesOf(small, 0, small.size + 10))
    const result = await downloader().download(request)
    expect(result).toMatchObject({ outcome: 'fetched', resumes: 0 })
    expect(server.requests.map((r) => r.range)).toEqual([undefined])
  })

  it('starts over when the ETag changed between tries (If-Range fails and the server sends 200)', async () => {
    newDir()
    const cut = cutAt(2_500_000)
    server.knobs.afterCut = () => (server.knobs.etag = '"sha256:regenerated"')
    const result = await downloader().download(requestFor(small, cut))
    expect(result).toMatchObject({ outcome: 'fetched', sha256: small.sha256, bytes: small.size })
    expect(server.requests.map((r) => [r.status, r.range, r.ifRange])).toEqual([
      [200, undefined, undefined],
      [200, 'bytes=2500000-', small.etag],
    ])
    expect(await sha256Of(join(dir, 'export.zip'))).toBe(small.sha256)
  })

  it('keeps the partial file when aborted, and the next run resumes it', async () => {
    newDir()
    const controller = new AbortController()
    const request = requestFor(small, {
      signal: controller.signal,
      onProgress: ({ received }) => received >= 2 * MiB && controller.abort(),
    })
    const error = await downloader().download(request).catch((e: unknown) => e)
    expect((error as Error).name).toBe('AbortError')
    expect(existsSync(request.destination)).toBe(false)
    const kept = statSync(partialPathOf(request)).size
    expect(kept).toBeGreaterThanOrEqual(2 * MiB)
    expect(kept).toBeLessThan(small.size)

    const result = await downloader().download({ ...request, signal: undefined, onProgress: undefined })
    expect(result).toMatchObject({ outcome: 'fetched', resumes: 1 })
    expect(server.requests.at(-1)!.range).toBe(`bytes=${kept}-`)
    expect(await sha256Of(request.destination)).toBe(small.sha256)
  })
})

describe("the run's abort signal", () => {
  it('rejects with its reason, keeps the partial file and does not retry', async () => {
    newDir()
    const controller = new AbortController()
    const reason = new Error('the run was cancelled')
    server.knobs.stallAfter = [1_000_000]
    setTimeout(() => controller.abort(reason), 300)
    const request = requestFor(small)
    const error = await downloader({ signal: controller.signal }).download(request).catch((e: unknown) => e)
    expect(error).toBe(reason)
    expect(server.requests).toHaveLength(1)
    expect(statSync(partialPathOf(request)).size).toBeGreaterThan(0)
  })

  it('turns a reason that is not an Error into InterruptedError (exit 130), before any request', async () => {
    newDir()
    const controller = new AbortController()
    controller.abort('SIGINT')
    const error = await downloader({ signal: controller.signal }).download(requestFor(small)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InterruptedError)
    expect(server.requests).toHaveLength(0)
  })
})

describe('verification', () => {
  it('refuses a corrupted body: IntegrityError, nothing at the destination, no partial file left', async () => {
    newDir()
    server.knobs.corruptAt = 3_000_000
    const request = requestFor(small)
    const error = await downloader().download(request).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IntegrityError)
    expect((error as IntegrityError).code).toBe('checksum_mismatch')
    expect((error as Error).message).toContain(request.destination)
    expect((error as Error).message).toContain(small.sha256.slice(0, 12))
    expect(readdirSync(dir)).toEqual([])
  })
})

describe('an existing destination', () => {
  it('is reported present, without a request, when it already holds the file', async () => {
    newDir()
    const request = requestFor(small)
    writeFileSync(request.destination, bytesOf(small, 0, small.size))
    const result = await downloader().download(request)
    expect(result).toEqual({ path: request.destination, bytes: small.size, sha256: small.sha256, outcome: 'present', resumes: 0 })
    expect(server.requests).toHaveLength(0)
  })

  it('with other content is a conflict, unless overwrite is asked for', async () => {
    newDir()
    const request = requestFor(small)
    writeFileSync(request.destination, 'something else')
    const error = await downloader().download(request).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConflictError)
    expect((error as ConflictError).code).toBe('file_exists')
    expect((error as ConflictError).exitCode).toBe(ExitCode.conflict)
    expect((error as ConflictError).hint).toContain('--force')
    expect(server.requests).toHaveLength(0)

    const result = await downloader().download({ ...request, overwrite: true })
    expect(result.outcome).toBe('fetched')
    expect(await sha256Of(request.destination)).toBe(small.sha256)
  })
})

describe('the partial file', () => {
  it('is never opened through a symbolic link planted at its path: conflict, and the link target untouched', async () => {
    newDir()
    const request = requestFor(small)
    const victim = join(dir, 'victim.txt')
    writeFileSync(victim, 'precious')
    symlinkSync(victim, `${request.destination}.${small.sha256.slice(0, 12)}.part`)
    const error = await downloader().download(request).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConflictError)
    expect((error as ConflictError).code).toBe('partial_file_is_link')
    expect(readFileSync(victim, 'utf8')).toBe('precious')
    expect(existsSync(request.destination)).toBe(false)
  })
})

describe('authorization and transport', () => {
  it('reports a rejected token as not signed in (exit 4) when the session cannot refresh it', async () => {
    newDir()
    let refreshes = 0
    const session = { token: async () => new Secret('cop_stale'), afterRejection: async () => (refreshes++, undefined) }
    const error = await downloader({ session }).download(requestFor(small)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PlatformError)
    expect((error as PlatformError).exitCode).toBe(ExitCode.notSignedIn)
    expect((error as PlatformError).requestId).toBe('req_1')
    expect(refreshes).toBe(1)
    expect(readdirSync(dir)).toEqual([])
  })

  it('retries once with the token the session refreshed after a 401', async () => {
    newDir()
    const session = { token: async () => new Secret('cop_stale'), afterRejection: async () => new Secret(TOKEN) }
    const result = await downloader({ session }).download(requestFor(small))
    expect(result.outcome).toBe('fetched')
    expect(server.requests.map((r) => r.status)).toEqual([401, 200])
  })

  it('needs a session token, and never logs it', async () => {
    newDir()
    const none = { token: async () => undefined, afterRejection: async () => undefined }
    const error = await downloader({ session: none }).download(requestFor(small)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NotSignedInError)
    expect((error as NotSignedInError).exitCode).toBe(ExitCode.notSignedIn)

    const lines: string[] = []
    await downloader({ debug: (line) => lines.push(line) }).download(requestFor(small, cutAt(1_000_000)))
    expect(lines.join('\n')).toContain('range=bytes=1000000-')
    expect(lines.join('\n')).not.toContain(TOKEN)
  })

  it('refuses plain http to a host that is not loopback, before sending anything', async () => {
    newDir()
    const error = await downloader({ baseUrl: 'http://platform.example.com' }).download(requestFor(small)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RefusedError)
    expect((error as RefusedError).code).toBe('insecure_url')
  })
})

describe('memory', () => {
  it('stays flat while a 300 MB file streams through', async () => {
    const large = servedFile(11, LARGE_BYTES)
    server.files.set('large.zip', large)
    newDir()
    // Measured from here, after the server made its file: what grows now is the download's doing.
    const baseline = process.memoryUsage.rss()
    let peak = baseline
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10)
    try {
      const result = await downloader().download({
        ...requestFor(large),
        path: '/v1/files/large.zip',
        onProgress: () => (peak = Math.max(peak, process.memoryUsage.rss())),
      })
      expect(result).toMatchObject({ outcome: 'fetched', bytes: LARGE_BYTES, sha256: large.sha256 })
    } finally {
      clearInterval(sample)
      server.files.delete('large.zip')
    }
    expect(peak - baseline, 'RSS growth in bytes').toBeLessThan(64 * MiB)
  }, 30_000)
})
