// One HTTP exchange with a small body each way, on node:http(s): what the API client sends its JSON calls through, and
// the OAuth client its discovery and form posts.
//
// got (still used for downloads, which stream, resume and report progress) spent ~0.5 ms of CPU and ~60 KB of garbage
// on each such call, measured through a bulk submission's thousand batch requests: nearly a third of its CPU. It also
// has no cap on a body it buffers, and importing it costs ~80 ms (measured here) where node:http costs ~4.
// A call needs keep-alive, a proxy when one is set, three deadlines, an abort signal and a whole-body read under a size
// cap; here they are, and nothing else: no redirects (the clients refuse them), no decompression (nothing asks for it).
// What to make of a failure is ./http-policy.js's business.
import type { Agent, ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http'
import type { Timeouts } from './http-policy.js'

export interface Exchange {
  method: string
  headers: Record<string, string>
  /** Sent as is, with its Content-Length. */
  body?: string | undefined
  /** The proxy's agent from proxyAgentsFor, when a proxy is set; otherwise one keep-alive agent per protocol. */
  agent?: Agent | undefined
  timeouts: Timeouts
  /** A body announced or found larger than this fails with BODY_TOO_LARGE, and its connection is dropped. */
  maxBodyBytes: number
  signal?: AbortSignal | undefined
}

/** A response with its whole body as text. */
export interface TextResponse {
  statusCode: number
  headers: IncomingHttpHeaders
  body: string
}

/** The code of a response whose body is over Exchange.maxBodyBytes. */
export const BODY_TOO_LARGE = 'ERR_BODY_TOO_LARGE'

type Deadline = 'connect' | 'response' | 'idle'

/**
 * Why an exchange failed, named as Node names it: ECONNREFUSED, ECONNRESET, ETIMEDOUT (with the deadline missed in
 * `event`, as got names it), a TLS code, AbortError; or BODY_TOO_LARGE.
 */
export class TransportError extends Error {
  readonly event: Deadline | undefined

  constructor(message: string, readonly code: string, name = 'RequestError', options: ErrorOptions & { event?: Deadline } = {}) {
    super(message, options)
    this.name = name
    this.event = options.event
  }
}

type Http = Pick<typeof import('node:http'), 'request' | 'Agent'>
const keepAlive: Partial<Record<'http:' | 'https:', Agent>> = {}

/**
 * node:https (and TLS with it) is loaded on the first https call, not by every command at start-up. Through
 * getBuiltinModule, since the bundle runs from a code cache, where import() is not available (scripts/build.mjs).
 */
function moduleFor(protocol: 'http:' | 'https:'): { http: Http; agent: Agent } {
  const http: Http = protocol === 'https:' ? process.getBuiltinModule('node:https') : process.getBuiltinModule('node:http')
  keepAlive[protocol] ??= new http.Agent({ keepAlive: true })
  return { http, agent: keepAlive[protocol] }
}

export async function exchange(url: URL, options: Exchange): Promise<TextResponse> {
  const protocol = url.protocol === 'https:' ? 'https:' : 'http:'
  const { http, agent } = moduleFor(protocol)
  const headers: Record<string, string | number> = { ...options.headers }
  if (options.body !== undefined) headers['content-length'] = Buffer.byteLength(options.body)
  const { timeouts, maxBodyBytes } = options
  return new Promise<TextResponse>((resolve, reject) => {
    const request = http.request(url, { method: options.method, headers, agent: options.agent ?? agent, signal: options.signal })
    const timer = new DeadlineTimer(request)
    let answered = false
    const fail = (error: Error) => {
      timer.clear()
      reject(asTransportError(error))
    }
    // Rejected before the socket goes, so the error is ours and not the reset that destroying it causes.
    const tooLarge = () => {
      fail(new TransportError(`The response body is larger than ${maxBodyBytes} bytes.`, BODY_TOO_LARGE))
      request.destroy()
    }
    request.on('error', fail)
    request.once('socket', (socket) => {
      if (!socket.connecting) return
      timer.start(timeouts.connectMs, 'connect')
      socket.once(protocol === 'https:' ? 'secureConnect' : 'connect', () => timer.clear())
    })
    // Sent: the response timeout runs until its headers arrive (which may be before the body is all sent).
    request.once('finish', () => answered || timer.start(timeouts.responseMs, 'response'))
    request.once('response', (response: IncomingMessage) => {
      answered = true
      if (Number(response.headers['content-length']) > maxBodyBytes) return tooLarge()
      timer.start(timeouts.idleMs, 'idle')
      const chunks: Buffer[] = []
      let received = 0
      response.on('data', (chunk: Buffer) => {
        received += chunk.length
        if (received > maxBodyBytes) return tooLarge()
        chunks.push(chunk)
        timer.refresh()
      })
      response.on('error', fail)
      response.once('end', () => {
        timer.clear()
        // The connection closed before the Content-Length was read: as broken as a reset, and as worth retrying.
        if (!response.complete) return fail(new TransportError('The response ended before its body was complete.', 'ECONNRESET'))
        resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') })
      })
    })
    request.end(options.body)
  })
}

/** One deadline at a time on a request: when it passes, the request is destroyed with a TimeoutError naming it. */
class DeadlineTimer {
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly request: ClientRequest) {}

  start(ms: number, deadline: Deadline): void {
    this.clear()
    this.timer = setTimeout(() => {
      this.request.destroy(new TransportError(`Timeout awaiting '${deadline}' for ${ms}ms`, 'ETIMEDOUT', 'TimeoutError', { event: deadline }))
    }, ms)
  }

  /** Starts the current deadline over: the idle one, each time a piece of the body arrives. */
  refresh(): void {
    this.timer?.refresh()
  }

  clear(): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }
}

function asTransportError(error: Error & { code?: string }): TransportError {
  if (error instanceof TransportError) return error
  if (error.name === 'AbortError') return new TransportError(error.message, 'ABORT_ERR', 'AbortError', { cause: error })
  return new TransportError(error.message, error.code ?? 'ERR_NETWORK', 'RequestError', { cause: error })
}
