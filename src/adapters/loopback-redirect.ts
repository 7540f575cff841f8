// The loopback listener of the browser sign-in: node:http on 127.0.0.1, a port the OS picks, one answer, then closed
// (RFC 8252 §7.3 loopback redirect, §8.3 loopback only: never 0.0.0.0, so no other machine can reach it).
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CALLBACK_PATH, sameState } from '../core/auth/authorization-code.js'
import { NetworkError } from '../core/errors.js'
import type { LoopbackRedirect } from '../core/ports.js'

const PAGE_STYLE = 'body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.45}'

/** A small page with no script and no external assets; `kind` is a stable hook for tests and people alike. */
function page(kind: string, title: string, text: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} · clowdops</title><style>${PAGE_STYLE}</style></head>
<body><main data-page="${kind}" id="${kind}"><h1>${title}</h1><p>${text}</p></main></body></html>
`
}

const PAGES = {
  done: page('done', 'Back to your terminal', 'clowdops has the answer of this sign-in. You can close this page; your terminal shows the result.'),
  notDone: page('not-done', 'Sign-in not completed', 'The sign-in did not complete. You can close this page; your terminal says what to do next.'),
  refused: page('refused', 'Not this sign-in', 'This address does not match the sign-in clowdops is waiting for, so it was ignored.'),
  notFound: page('not-found', 'Not found', 'Nothing here.'),
}

function send(res: ServerResponse, status: number, html: string, close: boolean): void {
  const body = Buffer.from(html)
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': body.length,
    'cache-control': 'no-store',
    // The query held an authorization code: keep it out of any Referer this page might send.
    'referrer-policy': 'no-referrer',
    ...(close ? { connection: 'close' } : {}),
  })
  res.end(body)
}

export async function listenForRedirect(options: { state: string; timeoutMs: number; signal: AbortSignal }): Promise<LoopbackRedirect> {
  options.signal.throwIfAborted()
  let settle: ((value: URLSearchParams | undefined) => void) | undefined
  let fail: ((reason: unknown) => void) | undefined
  const answered = new Promise<URLSearchParams | undefined>((resolve, reject) => {
    settle = resolve
    fail = reject
  })
  let finished = false

  // Through getBuiltinModule: the bundle runs from a code cache, where import() of a builtin is not available.
  const { createServer } = process.getBuiltinModule('node:http') as typeof import('node:http')
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (finished) return send(res, 410, PAGES.notDone, true)
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH) return send(res, 404, PAGES.notFound, false)
    if (!sameState(options.state, url.searchParams.get('state'))) return send(res, 400, PAGES.refused, false)
    const ok = url.searchParams.has('code') && !url.searchParams.has('error')
    // Answered: the page goes out, then the listener closes, so a second request finds nothing listening.
    res.on('finish', () => void close())
    send(res, 200, ok ? PAGES.done : PAGES.notDone, true)
    finish(() => settle?.(url.searchParams))
  })

  function finish(how: () => void): void {
    if (finished) return
    finished = true
    clearTimeout(timer)
    options.signal.removeEventListener('abort', onAbort)
    how()
  }
  const onAbort = () => {
    finish(() => fail?.(options.signal.reason))
    void close()
  }
  const timer = setTimeout(() => {
    finish(() => settle?.(undefined))
    void close()
  }, options.timeoutMs)
  timer.unref()

  let closing: Promise<void> | undefined
  function close(): Promise<void> {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
    return closing
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      server.off('error', reject)
      resolve()
    })
  }).catch((error: unknown) => {
    clearTimeout(timer)
    throw new NetworkError(`Could not listen on 127.0.0.1 for the browser's answer (${(error as Error).message}).`, {
      code: 'loopback_unavailable',
      hint: 'Sign in with a code instead: clowdops login --device',
    })
  })
  options.signal.addEventListener('abort', onAbort, { once: true })
  const { port } = server.address() as AddressInfo
  return {
    redirectUri: `http://127.0.0.1:${port}${CALLBACK_PATH}`,
    answer: () => answered,
    close: async () => {
      finish(() => settle?.(undefined))
      await close()
    },
  }
}
