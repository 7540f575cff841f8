// The loopback listener for real: node:http on 127.0.0.1, requests sent with fetch. One answer and it is closed, other
// requests refused, and a timeout or Ctrl-C closes it too.
import { describe, expect, it } from 'vitest'
import { listenForRedirect } from '../../src/adapters/loopback-redirect.js'

const STATE = 'the-state-of-this-run'
const MINUTE = 60_000

async function get(url: string): Promise<{ status: number; page: string | undefined }> {
  const response = await fetch(url, { redirect: 'manual' })
  const html = await response.text()
  return { status: response.status, page: /data-page="([^"]+)"/.exec(html)?.[1] }
}

/** Whether anything accepts a connection there any more (fetch rejects when nothing listens). */
async function refusesConnections(url: string): Promise<boolean> {
  return fetch(url).then(
    async (response) => {
      await response.body?.cancel()
      return false
    },
    (error: Error & { cause?: { code?: string } }) => error.cause?.code === 'ECONNREFUSED',
  )
}

describe('the loopback listener', () => {
  it('listens on 127.0.0.1 on a port the OS picked, at /callback', async () => {
    const listener = await listenForRedirect({ state: STATE, timeoutMs: MINUTE, signal: new AbortController().signal })
    try {
      expect(listener.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d{2,5}\/callback$/)
      expect(listener.redirectUri).not.toMatch(/:0\//)
    } finally {
      await listener.close()
    }
  })

  it('takes one answer with the right state, shows the closing page, then refuses every later connection', async () => {
    const listener = await listenForRedirect({ state: STATE, timeoutMs: MINUTE, signal: new AbortController().signal })
    const first = await get(`${listener.redirectUri}?code=c0de&state=${STATE}`)
    expect(first).toEqual({ status: 200, page: 'done' })
    const params = await listener.answer()
    expect(params?.get('code')).toBe('c0de')
    expect(await refusesConnections(`${listener.redirectUri}?code=other&state=${STATE}`)).toBe(true)
  })

  it('a wrong state, another path or method is refused, and the wait goes on for the right answer', async () => {
    const listener = await listenForRedirect({ state: STATE, timeoutMs: MINUTE, signal: new AbortController().signal })
    const base = listener.redirectUri
    expect(await get(`${base}?code=forged&state=not-${STATE}`)).toEqual({ status: 400, page: 'refused' })
    expect(await get(`${base}?code=forged`)).toEqual({ status: 400, page: 'refused' })
    expect((await get(base.replace('/callback', '/favicon.ico'))).status).toBe(404)
    expect((await fetch(`${base}?code=forged&state=${STATE}`, { method: 'POST' })).status).toBe(404)
    await get(`${base}?error=access_denied&state=${STATE}`)
    const params = await listener.answer()
    expect(params?.get('error')).toBe('access_denied')
    expect(params?.get('code')).toBeNull()
  })

  it('a denial gets the not-completed page, not the done one', async () => {
    const listener = await listenForRedirect({ state: STATE, timeoutMs: MINUTE, signal: new AbortController().signal })
    expect(await get(`${listener.redirectUri}?error=access_denied&state=${STATE}`)).toEqual({ status: 200, page: 'not-done' })
    await listener.answer()
  })

  it('with no answer in time, answers undefined and stops listening', async () => {
    const listener = await listenForRedirect({ state: STATE, timeoutMs: 50, signal: new AbortController().signal })
    expect(await listener.answer()).toBeUndefined()
    expect(await refusesConnections(`${listener.redirectUri}?code=late&state=${STATE}`)).toBe(true)
  })

  it('Ctrl-C (the signal) ends the wait with its reason and stops listening', async () => {
    const controller = new AbortController()
    const listener = await listenForRedirect({ state: STATE, timeoutMs: MINUTE, signal: controller.signal })
    const reason = new Error('interrupted')
    controller.abort(reason)
    await expect(listener.answer()).rejects.toBe(reason)
    expect(await refusesConnections(`${listener.redirectUri}?code=late&state=${STATE}`)).toBe(true)
  })

  it('close() before any answer stops listening and ends the wait', async () => {
    const listener = await listenForRedirect({ state: STATE, timeoutMs: MINUTE, signal: new AbortController().signal })
    await listener.close()
    expect(await listener.answer()).toBeUndefined()
    expect(await refusesConnections(listener.redirectUri)).toBe(true)
  })
})
