// One HTTP exchange with a small body each way, on node:http(s): what the API client sends its JSON calls through.
//
// got (still used for downloads, which stream, resume and report progress, and for OAuth) spent ~0.5 ms of CPU and
// ~60 KB of garbage on each such call, measured through a bulk submission's thousand batch requests: nearly a third of
// its CPU.
// A call needs keep-alive, a proxy when one is set, two timeouts, an abort signal and a whole-body read; here they
// are, and nothing else: no redirects (the client refuses them), no decompression (nothing asks for it).
import type { Agent, ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http'

export interface Exchange {
  method: string
  headers: Record<string, string>
  /** Sent as is, with its Content-Length. */
  body?: string | undefined
  /** The proxy's agent from agentsFor, when a proxy is set; otherwise one keep-alive agent per protocol. */
  agent?: Agent | undefined
  /** Until the connection (and TLS) is up, and from the end of the request until the response's headers. */
  timeouts: { connectMs: number; responseMs: number }
  signal?: AbortSignal | undefined
}

/** A response with its whole body as text. */
export interface TextResponse {
  statusCode: number
  headers: IncomingHttpHeaders
  body: string
}

/** Why an exchange failed, named as Node names it: ECONNREFUSED, ECONNRESET, ETIMEDOUT, a TLS code, AbortError. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
    name = 'RequestError',
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = name
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
  return new Promise<TextResponse>((resolve, reject) => {
    const request = http.request(url, { method: options.method, headers, agent: options.agent ?? agent, signal: options.signal })
    const timer = new Deadline(request)
    let answered = false
    const fail = (error: Error) => {
      timer.clear()
      reject(asTransportError(error))
    }
    request.on('error', fail)
    request.once('socket', (socket) => {
      if (!socket.connecting) return
      timer.start(options.timeouts.connectMs, 'connect')
      socket.once(protocol === 'https:' ? 'secureConnect' : 'connect', () => timer.clear())
    })
    // Sent: the response timeout runs until its headers arrive (which may be before the body is all sent).
    request.once('finish', () => answered || timer.start(options.timeouts.responseMs, 'response'))
    request.once('response', (response: IncomingMessage) => {
      answered = true
      timer.clear()
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('error', fail)
      response.once('end', () => {
        // The connection closed before the Content-Length was read: as broken as a reset, and as worth retrying.
        if (!response.complete) return fail(new TransportError('The response ended before its body was complete.', 'ECONNRESET'))
        resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') })
      })
    })
    request.end(options.body)
  })
}

/** One timer at a time on a request: when it fires, the request is destroyed with a TimeoutError naming the phase. */
class Deadline {
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly request: ClientRequest) {}

  start(ms: number, phase: 'connect' | 'response'): void {
    this.clear()
    this.timer = setTimeout(() => {
      this.request.destroy(new TransportError(`Timeout awaiting '${phase}' for ${ms}ms`, 'ETIMEDOUT', 'TimeoutError'))
    }, ms)
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
