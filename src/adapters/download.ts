// Resumable, verified file downloads on got: streamed to a partial file, continued with Range, checked, renamed in place.
// got carries the stream (backpressure, progress); what is retried, how long it waits and what errors mean are the
// policy's (./http-policy.js), as for API calls.
import { createHash, type Hash } from 'node:crypto'
import { constants } from 'node:fs'
import { type FileHandle, open, rename, stat, unlink } from 'node:fs/promises'
import type { Got, PlainResponse, Request, RequestError } from 'got'
import { assertSecureUrl } from '../core/api-url.js'
import { LOGIN_HINT } from '../core/auth/session.js'
import { Headers } from '../core/contract/conventions.js'
import { ConflictError, IntegrityError, NetworkError, NotSignedInError } from '../core/errors.js'
import type { Clock, Downloader, DownloadRequest, DownloadResult, Session } from '../core/ports.js'
import type { Secret } from '../core/secret.js'
import {
  type ErrorResponse,
  type ProxyAgents,
  type TimeoutOverrides,
  type Timeouts,
  type TryFailure,
  abortError,
  bearerAuthorization,
  eitherSignal,
  failedStatus,
  header,
  platformError,
  proxyAgentsFor,
  requestError,
  retryDelay,
  timeoutsWith,
  waitBeforeRetry,
} from './http-policy.js'
import { type RetryPolicy, defaultRetryPolicy, isRetryableStatus } from '../core/retry-policy.js'

export interface DownloaderOptions {
  baseUrl: string
  userAgent: string
  clock: Clock
  session: Pick<Session, 'token' | 'afterRejection'>
  retry?: RetryPolicy
  /** Each one defaults to defaultTimeouts'. A body that sends nothing for `idleMs` counts as cut, and is resumed like one. */
  timeouts?: TimeoutOverrides
  /** The run's signal (Ctrl-C): it aborts every download, as a request's own signal aborts that one. */
  signal?: AbortSignal | undefined
  debug?: ((line: string) => void) | undefined
}
// Reading files to hash them goes through one buffer of this size, so memory stays flat whatever the file size.
const HASH_READ_BYTES = 1024 * 1024
// An error response's body is read for its problem+json only; a server that streams more is not listened to.
const MAX_ERROR_BODY_BYTES = 64 * 1024

export function createDownloader(options: DownloaderOptions): Downloader {
  const settings = { ...options, policy: options.retry ?? defaultRetryPolicy, timeouts: timeoutsWith(options.timeouts) }
  return { download: (request) => downloadFile(request, settings) }
}

/** The options with their defaults filled in. */
type Settings = DownloaderOptions & { policy: RetryPolicy; timeouts: Timeouts }

let gotPromise: Promise<Got> | undefined
function loadGot(): Promise<Got> {
  gotPromise ??= import('got').then((m) => m.got)
  return gotPromise
}

/** The bytes received so far: the open partial file, how many bytes it holds, and their running SHA-256. */
interface Partial {
  path: string
  handle: FileHandle
  bytes: number
  hash: Hash
}

/** How one try (one request) ended. */
type TryOutcome =
  | { kind: 'complete' }
  /** The connection broke, timed out or ended early; `error` is undefined when the body simply ended short. */
  | { kind: 'cut'; error: RequestError | undefined }
  /** A 5xx, 408 or 429: worth waiting for and asking again. */
  | { kind: 'unavailable'; response: ErrorResponse }
  /** The server cannot continue from our offset (416, or a 206 from elsewhere): the partial file is started over. */
  | { kind: 'restart' }
  | { kind: 'rejected'; response: ErrorResponse }

async function downloadFile(request: DownloadRequest, options: Settings): Promise<DownloadResult> {
  const { destination, expected } = request
  const log = options.debug
  const signal = eitherSignal(options.signal, request.signal)
  if (signal?.aborted) throw abortError(signal)
  const url = new URL(options.baseUrl + request.path)
  assertSecureUrl(url, options.baseUrl)

  if (await destinationHolds(destination, expected, request.overwrite ?? false)) {
    log?.(`  ${destination} already holds ${expected.bytes} bytes with sha256 ${short(expected.sha256)}: not fetched`)
    return { path: destination, bytes: expected.bytes, sha256: expected.sha256, outcome: 'present', resumes: 0 }
  }

  const token = await options.session.token()
  if (!token) throw new NotSignedInError(`Downloading ${request.path} needs you to be signed in.`, { hint: LOGIN_HINT })

  const partial = await openPartial(`${destination}.${expected.sha256.slice(0, 12)}.part`, expected.bytes)
  try {
    const resumes = await fetchInto(partial, url, token, { ...request, signal }, options)
    await verify(partial, destination, expected)
    await partial.handle.sync()
    await partial.handle.close()
    // Same directory, so the same filesystem: the rename is atomic and the destination is never half-written.
    await rename(partial.path, destination)
    log?.(`  verified ${partial.bytes} bytes, sha256 ${short(expected.sha256)}; renamed to ${destination}`)
    return { path: destination, bytes: partial.bytes, sha256: expected.sha256, outcome: 'fetched', resumes }
  } finally {
    // Closed twice is harmless; on an abort or a network failure the partial file stays for the next run to resume,
    // unless it holds nothing worth resuming.
    await partial.handle.close().catch(() => undefined)
    if (partial.bytes === 0) await unlink(partial.path).catch(() => undefined)
  }
}

/** True when the destination already is the expected file; a different file there is only replaced when asked. */
async function destinationHolds(
  destination: string,
  expected: DownloadRequest['expected'],
  overwrite: boolean,
): Promise<boolean> {
  const existing = await stat(destination).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined
    throw error
  })
  if (!existing) return false
  if (!existing.isFile()) {
    throw new ConflictError(`${destination} exists and is not a file.`, {
      code: 'file_exists',
      hint: 'Choose another --output.',
    })
  }
  // The size is checked first so that a different large file is not read through for nothing.
  if (existing.size === expected.bytes && (await hashFile(destination)) === expected.sha256.toLowerCase()) return true
  if (overwrite) return false
  throw new ConflictError(`${destination} exists with other content.`, {
    code: 'file_exists',
    hint: 'Pass --force to replace it, or choose another --output.',
  })
}

/** Opens (or creates, mode 0600) the partial file and hashes what an earlier run left in it, to resume from there. */
async function openPartial(path: string, expectedBytes: number): Promise<Partial> {
  // Never through a link: one planted at the partial path would have the download truncate and overwrite its target.
  const handle = await open(path, constants.O_RDWR | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0), 0o600).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ELOOP') throw error
    throw new ConflictError(`The partial file ${path} is a symbolic link; nothing was written through it.`, {
      code: 'partial_file_is_link',
      hint: 'Remove that link (it was not made by clowdops), then run the command again.',
    })
  })
  try {
    // A partial file from an earlier run keeps the mode it was created with; the export may hold personal data.
    if (process.platform !== 'win32') await handle.chmod(0o600)
    const { size } = await handle.stat()
    const partial: Partial = { path, handle, bytes: 0, hash: createHash('sha256') }
    if (size > expectedBytes) {
      await handle.truncate(0)
      return partial
    }
    partial.bytes = await hashHandle(handle, size, partial.hash)
    return partial
  } catch (error) {
    await handle.close()
    throw error
  }
}

/**
 * Requests until the partial file holds expected.bytes: each cut is continued with a ranged request. A try that
 * added bytes beyond any held before resets the retry budget; one that did not counts against policy.retries.
 * Returns the number of resumes (ranged requests the server answered with 206). `request.signal` is the run's and the
 * request's together.
 */
async function fetchInto(
  partial: Partial,
  url: URL,
  sessionToken: Secret,
  request: DownloadRequest,
  options: Settings,
): Promise<number> {
  const log = options.debug
  const agent = await proxyAgentsFor(url.href)
  let token = sessionToken
  let reauthorized = false
  let etag: string | undefined
  let resumes = 0
  let failures = 0
  let mostHeld = partial.bytes

  for (let attempt = 1; partial.bytes < request.expected.bytes; attempt++) {
    if (request.signal?.aborted) throw abortError(request.signal)
    const offset = partial.bytes
    const headers: Record<string, string> = {
      accept: '*/*',
      // Ranges count stored bytes: a transfer encoding would shift them.
      'accept-encoding': 'identity',
      'user-agent': options.userAgent,
      authorization: bearerAuthorization(token),
    }
    if (offset > 0) {
      headers.range = `bytes=${offset}-`
      if (etag) headers['if-range'] = etag
    }
    log?.(`→ GET ${url.href} attempt ${attempt}${offset > 0 ? ` range=${headers.range} if-range=${etag ?? '-'}` : ''}`)

    const outcome = await oneTry(partial, url, headers, agent, request, options, {
      onEtag: (seen) => (etag = seen),
      onResumed: () => resumes++,
    })

    if (outcome.kind === 'complete') break
    if (outcome.kind === 'rejected') {
      const { response } = outcome
      // A rejected session token gets one refresh and one more try.
      if (response.statusCode === 401 && !reauthorized) {
        reauthorized = true
        const fresh = await options.session.afterRejection(token)
        if (fresh) {
          token = fresh
          continue
        }
      }
      throw platformError(response, `GET ${url.pathname}`, header(response, Headers.requestId))
    }
    if (outcome.kind === 'restart') {
      await partial.handle.truncate(0)
      partial.bytes = 0
      partial.hash = createHash('sha256')
    }

    const progressed = partial.bytes > mostHeld
    mostHeld = Math.max(mostHeld, partial.bytes)
    failures = progressed ? 0 : failures + 1
    const delay = retryDelay(tryFailure(outcome), failures, options.policy, options.clock.now())
    if (delay === undefined) throw giveUp(outcome, url, attempt, options.timeouts)
    log?.(`  ${partial.bytes} of ${request.expected.bytes} bytes held; retrying in ${delay} ms`)
    await waitBeforeRetry(options.clock, delay, request.signal)
  }
  return resumes
}

function tryFailure(outcome: Exclude<TryOutcome, { kind: 'complete' | 'rejected' }>): TryFailure {
  if (outcome.kind === 'unavailable') return failedStatus(outcome.response)
  return { error: outcome.kind === 'cut' ? outcome.error : undefined }
}

/** The error once the retry budget is spent (or a failure no retry mends); the partial file is kept for the next run. */
function giveUp(outcome: TryOutcome, url: URL, attempts: number, timeouts: Timeouts): Error {
  if (outcome.kind === 'unavailable') {
    return platformError(outcome.response, `GET ${url.pathname}`, header(outcome.response, Headers.requestId))
  }
  if (outcome.kind === 'cut' && outcome.error) return requestError(outcome.error, { name: `GET ${url.pathname}`, url, timeouts }, attempts)
  return new NetworkError(`The download of ${url.pathname} kept stopping short, after ${attempts} attempts.`, {
    code: 'download_incomplete',
    hint: 'Run the same command again later: the bytes received so far are kept and resumed.',
  })
}

/** One request: status handling, then the body appended to the partial file as it arrives. */
async function oneTry(
  partial: Partial,
  url: URL,
  headers: Record<string, string>,
  agent: ProxyAgents | undefined,
  request: DownloadRequest,
  options: Settings,
  seen: { onEtag: (etag: string) => void; onResumed: () => void },
): Promise<TryOutcome> {
  const log = options.debug
  const { timeouts } = options
  const got = await loadGot()
  const started = Date.now()
  const stream = got.stream(url, {
    headers,
    ...(agent ? { agent } : {}),
    decompress: false,
    throwHttpErrors: false,
    followRedirect: false,
    retry: { limit: 0 },
    timeout: {
      connect: timeouts.connectMs,
      secureConnect: timeouts.connectMs,
      response: timeouts.responseMs,
      socket: timeouts.idleMs,
    },
    signal: request.signal,
  })

  let response: PlainResponse
  try {
    response = await responseOf(stream)
  } catch (error) {
    return failedTry(error as RequestError, started, request.signal, options)
  }
  const status = response.statusCode
  const offset = partial.bytes
  log?.(
    `← ${status} request_id=${header(response, Headers.requestId) ?? '-'} content-range=${header(response, 'content-range') ?? '-'} ` +
      `content-length=${header(response, 'content-length') ?? '-'} after ${Date.now() - started} ms`,
  )

  if (status === 416) {
    stream.destroy()
    // Only reached below expected.bytes (a full partial file is verified without asking), so the server disagrees.
    return { kind: 'restart' }
  }
  if (status !== 200 && status !== 206) {
    const body = await readErrorBody(stream)
    const errorResponse = { statusCode: status, headers: response.headers, body }
    return { kind: isRetryableStatus(status) ? 'unavailable' : 'rejected', response: errorResponse }
  }

  if (status === 206) {
    const range = parseContentRange(header(response, 'content-range'))
    if (!range || range.start !== offset) {
      stream.destroy()
      log?.(`  the server sent a range other than bytes=${offset}-: starting over`)
      return { kind: 'restart' }
    }
    seen.onResumed()
  } else if (offset > 0) {
    // A 200 to a ranged request is the whole file again (If-Range failed, or ranges are not supported).
    log?.('  the server sent the whole file: starting over')
    await partial.handle.truncate(0)
    partial.bytes = 0
    partial.hash = createHash('sha256')
  }
  const etag = header(response, 'etag')
  // A weak validator may not be used with If-Range (RFC 9110 §13.1.5).
  if (etag && !etag.startsWith('W/')) seen.onEtag(etag)

  const total = declaredTotal(response, status)
  if (total !== undefined && total !== request.expected.bytes) {
    stream.destroy()
    throw await discard(partial, new IntegrityError(
      `${url.pathname} is ${total} bytes on the platform, but its manifest says ${request.expected.bytes}.`,
    ))
  }

  try {
    await appendBody(stream, partial, request)
  } catch (error) {
    if (error instanceof IntegrityError) throw await discard(partial, error)
    return failedTry(error as RequestError, started, request.signal, options)
  }
  log?.(`  received ${partial.bytes - (status === 206 ? offset : 0)} bytes in ${Date.now() - started} ms`)
  if (partial.bytes < request.expected.bytes) return { kind: 'cut', error: undefined }
  return { kind: 'complete' }
}

/** Resolves with the response head, or rejects with the error that came before it (refused, reset, TLS, timeout). */
function responseOf(stream: Request): Promise<PlainResponse> {
  return new Promise((resolve, reject) => {
    stream.once('response', resolve)
    stream.once('error', reject)
  })
}

/** An error before or during the body: the abort's reason when aborted, else a cut for the policy to judge. */
function failedTry(error: RequestError, started: number, signal: AbortSignal | undefined, options: Settings): TryOutcome {
  options.debug?.(`← ${error.code ?? error.name} after ${Date.now() - started} ms: ${error.message}`)
  if (signal?.aborted) throw abortError(signal)
  return { kind: 'cut', error }
}

/** Writes each chunk, then hashes it: the hash always covers exactly the bytes on disk, even when a write fails. */
async function appendBody(stream: Request, partial: Partial, request: DownloadRequest): Promise<void> {
  const total = request.expected.bytes
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (partial.bytes + chunk.length > total) {
      stream.destroy()
      throw new IntegrityError(`The platform sent more than the ${total} bytes the manifest promised for ${request.destination}.`)
    }
    await partial.handle.write(chunk, 0, chunk.length, partial.bytes)
    partial.hash.update(chunk)
    partial.bytes += chunk.length
    request.onProgress?.({ received: partial.bytes, total })
  }
}

async function verify(partial: Partial, destination: string, expected: DownloadRequest['expected']): Promise<void> {
  const actual = partial.hash.digest('hex')
  if (partial.bytes === expected.bytes && actual === expected.sha256.toLowerCase()) return
  throw await discard(
    partial,
    new IntegrityError(
      `The download of ${destination} does not match its manifest: expected ${expected.bytes} bytes with sha256 ` +
        `${short(expected.sha256)}…, got ${partial.bytes} bytes with sha256 ${short(actual)}….`,
    ),
  )
}

/** Deletes the partial file (its bytes are wrong, so resuming them would be too) and hands back the error. */
async function discard(partial: Partial, error: IntegrityError): Promise<IntegrityError> {
  await partial.handle.close().catch(() => undefined)
  await unlink(partial.path).catch(() => undefined)
  return error
}

/** The size of the whole file as the response states it, when it does. */
function declaredTotal(response: PlainResponse, status: number): number | undefined {
  if (status === 206) return parseContentRange(header(response, 'content-range'))?.total
  const length = header(response, 'content-length')
  return length && /^\d+$/.test(length) ? Number(length) : undefined
}

/** `bytes START-END/TOTAL`, TOTAL possibly `*` (RFC 9110 §14.4). */
function parseContentRange(value: string | undefined): { start: number; total: number | undefined } | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value?.trim() ?? '')
  if (!match) return undefined
  return { start: Number(match[1]), total: match[3] === '*' ? undefined : Number(match[3]) }
}

async function readErrorBody(stream: Request): Promise<string> {
  const chunks: Buffer[] = []
  let length = 0
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk)
      length += chunk.length
      if (length >= MAX_ERROR_BODY_BYTES) break
    }
  } catch {
    // A broken error body: the status alone describes the failure.
  }
  stream.destroy()
  return Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8')
}

async function hashFile(path: string): Promise<string> {
  const handle = await open(path, 'r')
  try {
    const hash = createHash('sha256')
    await hashHandle(handle, (await handle.stat()).size, hash)
    return hash.digest('hex')
  } finally {
    await handle.close()
  }
}

/** Feeds the first `bytes` bytes of a file to `hash`, through one reused buffer; returns how many it read. */
async function hashHandle(handle: FileHandle, bytes: number, hash: Hash): Promise<number> {
  const buffer = Buffer.allocUnsafe(Math.min(HASH_READ_BYTES, Math.max(bytes, 1)))
  let position = 0
  while (position < bytes) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, bytes - position), position)
    if (bytesRead === 0) break
    hash.update(buffer.subarray(0, bytesRead))
    position += bytesRead
  }
  return position
}

function short(sha256: string): string {
  return sha256.slice(0, 12)
}
