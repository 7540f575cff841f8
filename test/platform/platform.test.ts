// The local platform keeps to the contract and its fault knobs do what the CLI's tests rely on: real HTTP on loopback.
import { createHash, randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { Me, Project, ProjectPage, SandboxPage } from '../../src/core/contract/index.js'
import { expectProblem, usePlatform } from '../support/platform.js'
import { FaultState } from './faults.js'
import { DEFAULT_RATE_LIMIT, startPlatform, storedState } from './server.js'

const platform = usePlatform({ port: 0 })
afterEach(() => {
  platform().faults.clear()
  platform().rateLimit.set(DEFAULT_RATE_LIMIT)
})

function api(path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  const { token = platform().token, ...rest } = init
  const headers = new Headers(rest.headers)
  if (token !== null) headers.set('authorization', `Bearer ${token}`)
  return fetch(`${platform().url}${path}`, { ...rest, headers })
}

function createProject(name: string, key: string | null, token?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (key !== null) headers['idempotency-key'] = key
  return api('/v1/projects', { method: 'POST', headers, body: JSON.stringify({ name }), ...(token ? { token } : {}) })
}

describe('local platform: conventions', () => {
  it('answers health without a token, with a request id', async () => {
    const response = await api('/v1/health', { token: null })
    expect(response.status).toBe(200)
    expect(response.headers.get('x-request-id')).toMatch(/^req_\w+$/)
    expect(await response.json()).toMatchObject({ status: 'ok' })
  })

  it('rejects a missing or unknown token with 401 invalid_token and a Bearer challenge', async () => {
    for (const token of [null, 'cop_NotARealTokenNotARealTokenNotARealTo']) {
      const response = await api('/v1/me', { token })
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"')
      const problem = await expectProblem(response, 401, 'invalid_token')
      expect(problem.type).toMatch(/^https:\/\//)
      expect(problem.title).not.toBe('')
    }
  })

  it('returns the caller and the scopes of its token from /v1/me', async () => {
    const readOnly = platform().issueToken(['projects:read'])
    expect(readOnly).toMatch(/^cop_[0-9A-Za-z]{36}$/)
    const me = Me.parse(await (await api('/v1/me', { token: readOnly })).json())
    expect(me).toMatchObject({ scopes: ['projects:read'], token_type: 'personal_access_token' })
    expect(me.org.name).toBe('Example Org')
  })

  it('refuses a token without the endpoint scope with 403 insufficient_scope and creates nothing', async () => {
    const before = platform().stats.projectsCreated
    const response = await createProject('not-allowed', randomUUID(), platform().issueToken(['projects:read']))
    await expectProblem(response, 403, 'insufficient_scope')
    expect(platform().stats.projectsCreated).toBe(before)
  })

  it('answers an unknown path with 404 not_found and a wrong method with 405 and Allow', async () => {
    await expectProblem(await api('/v1/nothing-here'), 404, 'not_found')
    const response = await api('/v1/projects', { method: 'DELETE' })
    expect(response.headers.get('allow')).toBe('GET, POST')
    await expectProblem(response, 405, 'method_not_allowed')
  })

  it('reports invalid input field by field with 400 invalid_request', async () => {
    const problem = await expectProblem(await createProject('', randomUUID()), 400, 'invalid_request')
    expect(problem.errors?.map((error) => error.field)).toEqual(['name'])
    const query = await expectProblem(await api('/v1/projects?limit=500'), 400, 'invalid_request')
    expect(query.errors?.map((error) => error.field)).toEqual(['limit'])
  })

  it('keeps only SHA-256 hashes of tokens, never the tokens themselves', async () => {
    const minted = platform().issueToken(['projects:read', 'projects:write'])
    await createProject('hashed-token-project', randomUUID(), minted)
    const stored = JSON.stringify(storedState(platform()))
    for (const token of [platform().token, minted]) {
      expect(stored).not.toContain(token)
      expect(stored).not.toContain(token.slice(4))
      expect(stored).toContain(createHash('sha256').update(token).digest('hex'))
    }
  })
})

describe('local platform: pagination', () => {
  it('walks every project exactly once, newest first, two at a time', async () => {
    const walker = await startPlatform({ seed: { projects: 5, sandboxesPerProject: 0 } })
    try {
      const seen: Project[] = []
      let cursor: string | null = null
      let pages = 0
      do {
        const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`
        const response = await fetch(`${walker.url}/v1/projects?limit=2${query}`, {
          headers: { authorization: `Bearer ${walker.token}` },
        })
        const page = ProjectPage.parse(await response.json())
        expect(page.data.length).toBeLessThanOrEqual(2)
        expect(page.has_more).toBe(page.next_cursor !== null)
        seen.push(...page.data)
        cursor = page.next_cursor
        pages += 1
      } while (cursor !== null)
      expect(pages).toBe(3)
      expect(seen.map((project) => project.name)).toEqual([
        'payments-api',
        'data-pipeline',
        'web-frontend',
        'auth-service',
        'analytics',
      ])
      expect(new Set(seen.map((project) => project.id)).size).toBe(5)
    } finally {
      await walker.close()
    }
  })

  it('rejects a cursor it did not issue with 400 invalid_cursor', async () => {
    await expectProblem(await api('/v1/projects?cursor=not-a-cursor'), 400, 'invalid_cursor')
  })

  it('lists the sandboxes of a project and 404s an unknown project', async () => {
    const projects = ProjectPage.parse(await (await api('/v1/projects?limit=100')).json())
    const seeded = projects.data.find((project) => project.name === 'payments-api')
    const sandboxes = SandboxPage.parse(await (await api(`/v1/projects/${seeded?.id}/sandboxes`)).json())
    expect(sandboxes.data).toHaveLength(2)
    expect(sandboxes.data.every((sandbox) => sandbox.project_id === seeded?.id)).toBe(true)
    await expectProblem(await api('/v1/projects/prj_unknown/sandboxes'), 404, 'not_found')
  })
})

describe('local platform: idempotency', () => {
  it('replays the first response for the same key and body, with one effect', async () => {
    const fresh = await startPlatform()
    try {
      const key = randomUUID()
      const post = () =>
        fetch(`${fresh.url}/v1/projects`, {
          method: 'POST',
          headers: { authorization: `Bearer ${fresh.token}`, 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify({ name: 'replayed' }),
        })
      const first = await post()
      const second = await post()
      expect(first.status).toBe(201)
      expect(second.status).toBe(201)
      expect(first.headers.get('idempotent-replayed')).toBeNull()
      expect(second.headers.get('idempotent-replayed')).toBe('true')
      expect(Project.parse(await second.json()).id).toBe(Project.parse(await first.json()).id)
      expect(fresh.stats.projectsCreated).toBe(1)
      expect(fresh.stats.byRoute['projects.create']).toBe(2)
    } finally {
      await fresh.close()
    }
  })

  it('refuses the same key with another body with 422 idempotency_key_reused', async () => {
    const key = randomUUID()
    expect((await createProject('first-body', key)).status).toBe(201)
    await expectProblem(await createProject('second-body', key), 422, 'idempotency_key_reused')
  })

  it('requires an Idempotency-Key on a mutating endpoint', async () => {
    await expectProblem(await createProject('no-key', null), 400, 'idempotency_key_required')
  })

  it('answers 409 idempotency_key_in_use while the first request with the key is still running', async () => {
    platform().faults.latency(80)
    const key = randomUUID()
    const first = createProject('in-flight', key)
    await new Promise((resolve) => setTimeout(resolve, 20))
    await expectProblem(await createProject('in-flight', key), 409, 'idempotency_key_in_use')
    expect((await first).status).toBe(201)
  })
})

describe('local platform: rate limiting', () => {
  it('answers 429 rate_limited with Retry-After in whole seconds once the bucket is empty', async () => {
    platform().rateLimit.set({ capacity: 2, refillPerSecond: 0.5 })
    expect((await api('/v1/me')).status).toBe(200)
    expect((await api('/v1/me')).status).toBe(200)
    const limited = await api('/v1/me')
    await expectProblem(limited, 429, 'rate_limited')
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/)
  })
})

describe('local platform: faults', () => {
  it('fails the next N requests with the chosen status and Retry-After, without their effect', async () => {
    const before = platform().stats.projectsCreated
    platform().faults.failNext(2, 503, { retryAfter: 3 })
    const key = randomUUID()
    for (let i = 0; i < 2; i++) {
      const response = await createProject('after-failures', key)
      expect(response.headers.get('retry-after')).toBe('3')
      await expectProblem(response, 503, 'unavailable')
    }
    expect(platform().stats.projectsCreated).toBe(before)
    const third = await createProject('after-failures', key)
    expect(third.status).toBe(201)
    expect(third.headers.get('idempotent-replayed')).toBeNull()
  })

  it('adds the configured latency to every response', async () => {
    platform().faults.latency(60)
    const started = performance.now()
    await api('/v1/health', { token: null })
    expect(performance.now() - started).toBeGreaterThanOrEqual(60)
  })

  it('adds latency give or take the jitter, drawn per request, set from the start or over HTTP', async () => {
    const slow = await startPlatform({ port: 0, latency: { ms: 60, jitterMs: 20 } })
    try {
      for (let i = 0; i < 3; i++) {
        const started = performance.now()
        expect((await fetch(`${slow.url}/v1/health`)).status).toBe(200)
        expect(performance.now() - started).toBeGreaterThanOrEqual(39) // 60 − 20, less a timer's rounding
      }
      const admin = await fetch(`${slow.url}/_admin/faults`, {
        method: 'POST',
        headers: { 'x-admin-key': slow.adminKey },
        body: JSON.stringify({ latency_ms: 30, latency_jitter_ms: 10 }),
      })
      expect(await admin.json()).toMatchObject({ latency_ms: 30, latency_jitter_ms: 10 })
      const tooMuch = await fetch(`${slow.url}/_admin/faults`, {
        method: 'POST',
        headers: { 'x-admin-key': slow.adminKey },
        body: JSON.stringify({ latency_ms: 10, latency_jitter_ms: 11 }),
      })
      await expectProblem(tooMuch, 400, 'invalid_request')
    } finally {
      await slow.close()
    }
  })

  it('draws each delay uniformly within the latency ± the jitter', () => {
    const draws = [0, 0.5, 0.999_999]
    const faults = new FaultState(() => draws.shift() ?? 0.5)
    expect(faults.delayMs()).toBe(0) // no latency set: no delay, whatever the draw
    faults.latency(50, 20)
    expect([faults.delayMs(), faults.delayMs(), faults.delayMs()]).toEqual([30, 50, 70])
    const bounded = new FaultState()
    bounded.latency(50, 20)
    for (let i = 0; i < 200; i++) expect(bounded.delayMs()).toSatisfy((ms: number) => ms >= 30 && ms <= 70)
    expect(() => bounded.latency(10, 11)).toThrow(RangeError)
  })

  it('resets the connection mid-response after the effect, so a retry with the key replays it', async () => {
    const before = platform().stats.projectsCreated
    platform().faults.resetNext(1)
    const key = randomUUID()
    await expect(createProject('reset-once', key).then((response) => response.text())).rejects.toThrow()
    expect(platform().stats.projectsCreated).toBe(before + 1)
    const retry = await createProject('reset-once', key)
    expect(retry.status).toBe(201)
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    expect(platform().stats.projectsCreated).toBe(before + 1)
  })

  it('truncates the next response body to half its announced Content-Length', async () => {
    platform().faults.truncateNext(1)
    const response = await api('/v1/me')
    expect(response.status).toBe(200)
    const announced = Number(response.headers.get('content-length'))
    expect(announced).toBeGreaterThan(0)
    await expect(response.text()).rejects.toThrow()
    expect((await api('/v1/me')).status).toBe(200)
  })

  it('floods the next JSON response: the answer, then whitespace without end until the client hangs up', async () => {
    platform().faults.floodNext(1)
    const response = await api('/v1/health', { token: null })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-length')).toBeNull()
    const reader = response.body!.getReader()
    let text = ''
    while (text.length < 4 * 1024 * 1024) {
      const { value, done } = await reader.read()
      expect(done).toBe(false)
      text += Buffer.from(value!).toString('latin1')
    }
    await reader.cancel()
    // Parses only if everything after the answer is whitespace.
    expect(JSON.parse(text)).toMatchObject({ status: 'ok' })
    expect((await api('/v1/health', { token: null })).headers.get('content-length')).not.toBeNull()
  })

  it('applies no faults to the admin endpoints, which need the admin key', async () => {
    platform().faults.failNext(1, 500)
    const denied = await fetch(`${platform().url}/_admin/stats`)
    await expectProblem(denied, 401, 'invalid_admin_key')
    const stats = await fetch(`${platform().url}/_admin/stats`, { headers: { 'x-admin-key': platform().adminKey } })
    expect(stats.status).toBe(200)
    expect(await stats.json()).toMatchObject({ requests: platform().stats.requests })
    await expectProblem(await api('/v1/health', { token: null }), 500, 'internal_error')
  })

  it('drives the fault knobs over HTTP for child processes', async () => {
    const admin = (path: string, body: unknown) =>
      fetch(`${platform().url}${path}`, {
        method: 'POST',
        headers: { 'x-admin-key': platform().adminKey, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    expect((await admin('/_admin/faults', { fail_next: { count: 1, status: 429, retry_after: 7 } })).status).toBe(200)
    const failed = await api('/v1/health', { token: null })
    expect(failed.headers.get('retry-after')).toBe('7')
    await expectProblem(failed, 429, 'rate_limited')
    expect((await admin('/_admin/rate-limit', { capacity: 1, refill_per_second: 1 })).status).toBe(200)
    expect((await api('/v1/me')).status).toBe(200)
    await expectProblem(await api('/v1/me'), 429, 'rate_limited')
    expect((await admin('/_admin/rate-limit', { off: true })).status).toBe(200)
    expect((await api('/v1/me')).status).toBe(200)
    await expectProblem(await admin('/_admin/faults', { latency_ms: -1 }), 400, 'invalid_request')
  })
})
