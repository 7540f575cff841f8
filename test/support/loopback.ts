// Misbehaving HTTP servers on 127.0.0.1 for the clients' limits: a body that drips, one that never ends, scripted
// statuses. Each response records how many body bytes it wrote and whether its connection closed before the end.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export const KiB = 1024
export const MiB = 1024 * KiB

export interface SentResponse {
  method: string
  path: string
  /** Body bytes handed to the connection. */
  written: number
  /** The response ended as planned (false: the client went away first). */
  finished: boolean
  /** The connection closed: the client gave up or the response ended. */
  closed: Promise<void>
}

export interface LoopbackServer {
  url: string
  responses: SentResponse[]
  close(): Promise<void>
}

export type Respond = (req: IncomingMessage, res: ServerResponse, sent: SentResponse) => void | Promise<void>

export async function startLoopbackServer(respond: Respond): Promise<LoopbackServer> {
  const responses: SentResponse[] = []
  const server: Server = createServer((req, res) => {
    let closed!: () => void
    const sent: SentResponse = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      written: 0,
      finished: false,
      closed: new Promise((resolve) => (closed = resolve)),
    }
    responses.push(sent)
    res.once('finish', () => (sent.finished = true))
    res.once('close', () => closed())
    // The request body is read, so the client's request is complete before its response starts.
    req.resume()
    req.once('end', () => void respond(req, res, sent))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    responses,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Headers at once, announcing `length` bytes, then one byte every `everyMs`: each byte comes too late for an idle limit. */
export function drip(res: ServerResponse, sent: SentResponse, options: { length: number; everyMs: number }): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': options.length })
  const write = () => {
    if (sent.written >= options.length) return void res.end()
    res.write(sent.written === 0 ? '{' : ' ')
    sent.written += 1
  }
  write()
  const timer = setInterval(write, options.everyMs)
  res.once('close', () => clearInterval(timer))
}

/**
 * `total` bytes of JSON-looking filler in 64 KiB chunks, written as fast as the client reads them (backpressure), with
 * the length announced (`declared`) or not (chunked). Stops when the client closes the connection.
 */
export async function flood(res: ServerResponse, sent: SentResponse, options: { total: number; declared: boolean; status?: number }) {
  res.writeHead(options.status ?? 200, {
    'content-type': 'application/json',
    ...(options.declared ? { 'content-length': options.total } : {}),
  })
  const chunk = Buffer.alloc(64 * KiB, 0x20)
  chunk[0] = 0x5b // '['
  while (sent.written < options.total && !res.destroyed) {
    const part = chunk.subarray(0, Math.min(chunk.length, options.total - sent.written))
    sent.written += part.length
    if (!res.write(part)) await drainedOrClosed(res)
  }
  if (!res.destroyed) res.end()
}

/** A JSON answer with a status and headers. */
export function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = Buffer.from(JSON.stringify(body))
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': payload.length, ...headers })
  res.end(payload)
}

/** Waits for the response to drain or close, and removes the other listener: one pair per chunk would pile up. */
export function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.once('drain', done)
    res.once('close', done)
  })
}
