// The local platform's privacy API over real HTTP: each right through its states on the virtual clock, identity codes,
// cancel and erasure, due dates, real export archives with resumable downloads, and consent.
import { execFile } from 'node:child_process'
import { createHash, randomUUID } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { crc32 } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import yauzl from 'yauzl'
import { Me, Problem } from '../../src/core/contract/index.js'
import {
  ConsentEventPage,
  ConsentList,
  ConsentWrite,
  ExportManifest,
  PrivacyDiscovery,
  PrivacyRequest,
  PrivacyRequestPage,
  REGULATIONS,
  type CreatePrivacyRequest,
} from '../../src/core/contract/privacy.js'
import { addCalendarMonths } from '../../src/core/privacy/deadlines.js'
import { exchangeCiToken } from '../support/oauth.js'
import { connect as connectWire, expectProblem, usePlatform } from '../support/platform.js'
import { storedState, type Platform } from './server.js'

const HOUR = 3_600_000
const DAY = 86_400_000
const run = promisify(execFile)

type NewRequest = Omit<CreatePrivacyRequest, 'id'>

/** The wire client, plus a request's steps and its export. */
function connect(platform: Platform, token = platform.token) {
  const api = connectWire(platform, token)
  return {
    ...api,
    async create(fields: NewRequest): Promise<PrivacyRequest> {
      const id = randomUUID()
      const response = await api.post('/v1/privacy/requests', { id, ...fields }, id)
      expect(response.status).toBe(201)
      return PrivacyRequest.parse(await response.json())
    },
    /** Verifies with the code from the outbox. */
    async verify(id: string): Promise<PrivacyRequest> {
      const response = await api.post(`/v1/privacy/requests/${id}/verification`, { code: platform.privacy.lastCode(id) })
      expect(response.status).toBe(200)
      return PrivacyRequest.parse(await response.json())
    },
    async manifest(id: string): Promise<ExportManifest> {
      const response = await api.get(`/v1/privacy/requests/${id}/export`)
      expect(response.status).toBe(200)
      return ExportManifest.parse(await response.json())
    },
    fileUrl: (id: string, name: string) => `/v1/privacy/requests/${id}/export/files/${name}`,
  }
}

/** Verified, then moved through the clock until the work is done. */
async function completed(platform: Platform, fields: NewRequest): Promise<PrivacyRequest> {
  const api = connect(platform)
  const created = await api.create(fields)
  await api.verify(created.id)
  platform.privacy.advance(HOUR + 2 * DAY)
  return api.show(created.id)
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Every entry of a zip, read by yauzl (an independent reader) with each CRC-32 checked against the data. */
function unzip(buffer: Buffer): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error)
      const files = new Map<string, string>()
      zip.on('error', reject)
      zip.on('end', () => resolve(files))
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError) return reject(streamError)
          const chunks: Buffer[] = []
          stream.on('data', (chunk: Buffer) => chunks.push(chunk))
          stream.on('error', reject)
          stream.on('end', () => {
            const data = Buffer.concat(chunks)
            if (crc32(data) !== entry.crc32) return reject(new Error(`CRC-32 mismatch in ${entry.fileName}`))
            files.set(entry.fileName, data.toString('utf8'))
            zip.readEntry()
          })
        })
      })
      zip.readEntry()
    })
  })
}

/** Reads a response body until it ends or the connection breaks. */
async function readAll(response: Response): Promise<{ bytes: Buffer; broken: boolean }> {
  const chunks: Buffer[] = []
  const reader = response.body?.getReader()
  if (!reader) throw new Error('no body')
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return { bytes: Buffer.concat(chunks), broken: false }
      chunks.push(Buffer.from(value))
    }
  } catch {
    return { bytes: Buffer.concat(chunks), broken: true }
  }
}

async function download(api: ReturnType<typeof connect>, id: string): Promise<{ manifest: ExportManifest; bytes: Buffer; response: Response }> {
  const manifest = await api.manifest(id)
  const file = manifest.files[0]
  if (!file) throw new Error('manifest without a file')
  const response = await api.get(api.fileUrl(id, file.name))
  expect(response.status).toBe(200)
  return { manifest, bytes: Buffer.from(await response.arrayBuffer()), response }
}

describe('privacy requests on the local platform', () => {
  const platform = usePlatform({ port: 0 })
  let api: ReturnType<typeof connect>

  beforeAll(() => {
    api = connect(platform())
  })

  it('describes its regulations, periods, purposes and verification in discovery', async () => {
    const discovery = PrivacyDiscovery.parse(await (await api.get('/v1/privacy/discovery')).json())
    expect(discovery.regulations.slice(0, 3)).toEqual([
      expect.objectContaining({ id: 'gdpr', response_period: 'P1M', max_extension: 'P2M', types: ['access', 'portability', 'erasure', 'rectification', 'restriction', 'objection'] }),
      expect.objectContaining({ id: 'uk_gdpr', response_period: 'P1M', pauses: ['identity', 'clarification'], complaints_from: '2026-06-19' }),
      expect.objectContaining({
        id: 'ccpa',
        types: ['ccpa_know', 'ccpa_delete', 'ccpa_opt_out'],
        response_period: 'P45D',
        max_extension: 'P45D',
        faster: expect.objectContaining({ types: ['ccpa_opt_out'], response: { amount: 15, unit: 'business_days' } }),
        appeal: null,
      }),
    ])
    // One row per law of the table, in its order, each citing its source.
    expect(discovery.regulations.map((r) => r.id)).toEqual([...REGULATIONS])
    expect(discovery.regulations.find((r) => r.id === 'us_ia')).toMatchObject({ response_period: 'P90D', types: ['access', 'portability', 'erasure', 'opt_out'] })
    expect(discovery.regulations.find((r) => r.id === 'us_ut')).toMatchObject({ appeal: null })
    expect(discovery.regulations.find((r) => r.id === 'us_va')).toMatchObject({ appeal: { answer: { amount: 60, unit: 'days' }, file_within: { amount: 60, unit: 'days' } } })
    for (const regulation of discovery.regulations) expect(regulation.source).not.toBe('')
    expect(discovery.promised_response_days).toBe(30)
    expect(discovery).toMatchObject({ erasure_grace_period_days: 7, verification: { code_ttl_seconds: 900, max_attempts: 5 }, max_batch_size: 100 })
    expect(discovery.consent_purposes).toEqual(['cookies_analytics', 'cookies_marketing', 'marketing_email'])
  })

  it('takes an access request from pending_verification to a completed export, emailing a code and keeping only its hash', async () => {
    const created = await api.create({ type: 'access', regulation: 'gdpr' })
    expect(created).toMatchObject({
      status: 'pending_verification',
      format: 'zip',
      version: 1,
      subject: { account_id: platform().user.id, email: platform().user.email },
      verification: { method: 'email_code', sent_to: 'a***@example.com', attempts_left: 5 },
      received_at: null,
      due_at: null,
      days_left: null,
    })
    expect(Date.parse(created.verification?.expires_at ?? '') - Date.parse(created.created_at)).toBe(900_000)
    const email = platform().privacy.outbox().findLast((message) => message.request_id === created.id)
    expect(email).toMatchObject({ to: platform().user.email, request_id: created.id })
    expect(email?.code).toMatch(/^\d{6}$/)
    expect(email?.text).toContain(email?.code)

    const stored = storedState(platform()).privacy.requests.find((r) => r.id === created.id)
    expect(stored?.code?.hash).toMatch(/^[0-9a-f]{64}$/)
    const storedStrings = JSON.stringify(storedState(platform())).match(/"[^"]*"/g) ?? []
    expect(storedStrings).not.toContain(`"${email?.code}"`)

    const received = await api.verify(created.id)
    expect(received).toMatchObject({ status: 'received', verification: null, version: 2 })
    expect(received.received_at).not.toBeNull()

    platform().privacy.advance(HOUR)
    const working = await api.show(created.id)
    expect(working).toMatchObject({ status: 'in_progress', version: 3 })
    expect(Date.parse(working.updated_at) - Date.parse(received.received_at ?? '')).toBe(HOUR)
    await expectProblem(await api.get(`/v1/privacy/requests/${created.id}/export`), 409, 'export_not_ready')

    platform().privacy.advance(2 * DAY)
    const done = await api.show(created.id)
    expect(done).toMatchObject({ status: 'completed', days_left: null, version: 4 })
    expect(Date.parse(done.completed_at ?? '') - Date.parse(working.updated_at)).toBe(2 * DAY)
  })

  it('serves a completed export as a real zip whose SHA-256 matches its manifest and which holds no secrets', async () => {
    const done = await completed(platform(), { type: 'portability', regulation: 'uk_gdpr' })
    const { manifest, bytes, response } = await download(api, done.id)
    const file = manifest.files[0]
    expect(file).toMatchObject({ name: `clowdops-export-${done.id.slice(0, 8)}.zip`, content_type: 'application/zip', bytes: bytes.length })
    expect(Date.parse(file?.expires_at ?? '') - Date.parse(done.completed_at ?? '')).toBe(7 * DAY)
    expect(sha256(bytes)).toBe(file?.sha256)
    expect(response.headers.get('etag')).toBe(`"sha256:${file?.sha256}"`)
    expect(response.headers.get('accept-ranges')).toBe('bytes')
    expect(response.headers.get('content-type')).toBe('application/zip')

    const files = await unzip(bytes)
    expect([...files.keys()].sort()).toEqual(['account.json', 'activity.json', 'consents.json', 'credentials.json', 'privacy-requests.json', 'projects.json'])
    const account = JSON.parse(files.get('account.json') ?? '{}')
    expect(account.profile).toMatchObject({ account_id: platform().user.id, email: platform().user.email })
    const requests = JSON.parse(files.get('privacy-requests.json') ?? '[]') as PrivacyRequest[]
    expect(requests.find((r) => r.id === done.id)?.status).toBe('completed')
    expect(JSON.parse(files.get('projects.json') ?? '[]')).toHaveLength(3)
    expect(JSON.stringify([...files.values()])).not.toContain(platform().token)
  })

  it('writes a tar.gz export that tar itself lists and extracts', async () => {
    const done = await completed(platform(), { type: 'ccpa_know', regulation: 'ccpa', format: 'tar.gz' })
    const { manifest, bytes } = await download(api, done.id)
    expect(manifest).toMatchObject({ format: 'tar.gz', files: [{ name: `clowdops-export-${done.id.slice(0, 8)}.tar.gz`, content_type: 'application/gzip' }] })
    expect(sha256(bytes)).toBe(manifest.files[0]?.sha256)
    const dir = await mkdtemp(join(tmpdir(), 'clowdops-export-'))
    try {
      const archive = join(dir, 'export.tar.gz')
      await writeFile(archive, bytes)
      const listing = (await run('tar', ['-tzf', archive])).stdout.trim().split('\n').sort()
      expect(listing).toEqual(['account.json', 'activity.json', 'consents.json', 'credentials.json', 'privacy-requests.json', 'projects.json'])
      const consents = JSON.parse((await run('tar', ['-xzOf', archive, 'consents.json'])).stdout)
      expect(consents.current).toHaveLength(3)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('answers 410 export_expired once the files are past their seven days', async () => {
    const done = await completed(platform(), { type: 'access', regulation: 'gdpr' })
    const name = (await api.manifest(done.id)).files[0]?.name ?? ''
    platform().privacy.advance(7 * DAY)
    await expectProblem(await api.get(`/v1/privacy/requests/${done.id}/export`), 410, 'export_expired')
    await expectProblem(await api.get(api.fileUrl(done.id, name)), 410, 'export_expired')
  })

  it('applies a rectification to the account profile that exports show, leaving the sign-in email alone', async () => {
    const changes = [
      { field: 'email' as const, value: 'ada.l@example.org' },
      { field: 'phone' as const, value: '+44 20 7946 0000' },
    ]
    const done = await completed(platform(), { type: 'rectification', regulation: 'gdpr', rectification: { changes } })
    expect(done).toMatchObject({ status: 'completed', rectification: { changes }, format: null })
    expect(storedState(platform()).privacy.profile).toMatchObject({ email: 'ada.l@example.org', phone: '+44 20 7946 0000' })
    expect(Me.parse(await (await api.get('/v1/me')).json()).email).toBe(platform().user.email)
    const later = await completed(platform(), { type: 'access', regulation: 'gdpr' })
    const files = await unzip((await download(api, later.id)).bytes)
    expect(JSON.parse(files.get('account.json') ?? '{}').profile).toMatchObject({ email: 'ada.l@example.org', phone: '+44 20 7946 0000' })
  })

  it('records restriction and objection purposes on the profile when they complete', async () => {
    const restriction = await completed(platform(), { type: 'restriction', regulation: 'gdpr', processing: { purposes: ['analytics'] } })
    const objection = await completed(platform(), { type: 'objection', regulation: 'uk_gdpr', processing: { purposes: ['marketing', 'profiling'] } })
    expect([restriction.status, objection.status]).toEqual(['completed', 'completed'])
    expect(storedState(platform()).privacy.profile).toMatchObject({ restricted_purposes: ['analytics'], objected_purposes: ['marketing', 'profiling'] })
    await expectProblem(await api.get(`/v1/privacy/requests/${restriction.id}/export`), 404, 'not_found')
  })

  it('completes a CCPA opt-out at once without a code, withdrawing marketing consent', async () => {
    const sent = platform().privacy.outbox().length
    const optOut = await api.create({ type: 'ccpa_opt_out', regulation: 'ccpa' })
    expect(optOut).toMatchObject({ status: 'completed', verification: null, days_left: null, format: null })
    expect(optOut.completed_at).toBe(optOut.received_at)
    expect(platform().privacy.outbox()).toHaveLength(sent)
    const consents = ConsentList.parse(await (await api.get('/v1/privacy/consents')).json()).data
    expect(consents.filter((c) => c.method === 'ccpa_opt_out').map((c) => [c.purpose, c.state])).toEqual([
      ['cookies_marketing', 'withdrawn'],
      ['marketing_email', 'withdrawn'],
    ])
    expect(consents.find((c) => c.purpose === 'cookies_analytics')?.state).toBeNull()
  })

  it('denies a CCPA deletion that could not be verified and handles it as an opt-out of sale and sharing, saying so', async () => {
    const now = platform().privacy.now().toISOString()
    await api.put('/v1/privacy/consents/marketing_email', { state: 'granted', collected_at: now, method: 'cli' })
    const created = await api.create({ type: 'ccpa_delete', regulation: 'ccpa' })
    platform().privacy.advance(30 * DAY)
    const handled = await api.show(created.id)
    expect(handled).toMatchObject({ status: 'denied', handled_as: 'ccpa_opt_out', verification: null })
    expect(handled.reason).toMatch(/not verified .* nothing was deleted; handled as an opt-out of sale and sharing/)
    const consents = ConsentList.parse(await (await api.get('/v1/privacy/consents')).json()).data
    expect(consents.find((c) => c.purpose === 'marketing_email')).toMatchObject({ state: 'withdrawn', method: 'ccpa_opt_out' })
    expect((await api.get('/v1/me')).status).toBe(200)
  })

  it('expires a request whose identity is not verified within 30 days', async () => {
    const created = await api.create({ type: 'access', regulation: 'gdpr' })
    platform().privacy.advance(30 * DAY)
    const expired = await api.show(created.id)
    expect(expired).toMatchObject({ status: 'expired', verification: null, version: 2 })
    expect(expired.reason).toMatch(/not verified/)
    await expectProblem(await api.post(`/v1/privacy/requests/${created.id}/verification`, { code: '123456' }), 409, 'not_pending_verification')
  })
})

describe('identity verification', () => {
  const platform = usePlatform({ port: 0 })
  let api: ReturnType<typeof connect>

  beforeAll(() => {
    api = connect(platform())
  })

  const wrongCode = (code: string | undefined) => String((Number(code) + 1) % 1_000_000).padStart(6, '0')
  const verifyWith = (id: string, code: string) => api.post(`/v1/privacy/requests/${id}/verification`, { code })

  it('spends an attempt per wrong code, burns the code after the last, and takes a resent one', async () => {
    const { id } = await api.create({ type: 'access', regulation: 'gdpr' })
    const first = platform().privacy.lastCode(id)
    const problem = await expectProblem(await verifyWith(id, wrongCode(first)), 422, 'invalid_code')
    expect(problem.detail).toContain('4 attempt(s) left')
    expect((await api.show(id)).verification?.attempts_left).toBe(4)
    for (let left = 3; left >= 1; left--) await expectProblem(await verifyWith(id, wrongCode(first)), 422, 'invalid_code')
    await expectProblem(await verifyWith(id, wrongCode(first)), 422, 'too_many_attempts')
    await expectProblem(await verifyWith(id, first ?? ''), 422, 'too_many_attempts')
    expect((await api.show(id)).verification?.attempts_left).toBe(0)

    const resent = await api.post(`/v1/privacy/requests/${id}/verification/code`)
    expect(resent.status).toBe(200)
    expect(PrivacyRequest.parse(await resent.json()).verification?.attempts_left).toBe(5)
    expect(platform().privacy.outbox().filter((email) => email.request_id === id)).toHaveLength(2)
    const second = platform().privacy.lastCode(id)
    if (second !== first) await expectProblem(await verifyWith(id, first ?? ''), 422, 'invalid_code')
    const verified = await verifyWith(id, second ?? '')
    expect(verified.status).toBe(200)
    expect(PrivacyRequest.parse(await verified.json()).status).toBe('received')
  })

  it('refuses an expired code with code_expired, and a new code works', async () => {
    const { id } = await api.create({ type: 'erasure', regulation: 'gdpr' })
    platform().privacy.advance(901_000)
    await expectProblem(await verifyWith(id, platform().privacy.lastCode(id) ?? ''), 422, 'code_expired')
    expect((await api.post(`/v1/privacy/requests/${id}/verification/code`)).status).toBe(200)
    expect((await api.verify(id)).status).toBe('received')
  })

  it('returns a request already past verification unchanged, and refuses a resend for it', async () => {
    const created = await api.create({ type: 'access', regulation: 'gdpr' })
    const verified = await api.verify(created.id)
    const again = await verifyWith(created.id, '000000')
    expect(again.status).toBe(200)
    expect(PrivacyRequest.parse(await again.json()).version).toBe(verified.version)
    await expectProblem(await api.post(`/v1/privacy/requests/${created.id}/verification/code`), 409, 'not_pending_verification')
  })

  it('needs the id to be the Idempotency-Key, replays a retry, and refuses the id under another key', async () => {
    const id = randomUUID()
    const body = { id, type: 'access', regulation: 'gdpr' }
    await expectProblem(await api.post('/v1/privacy/requests', body, randomUUID()), 422, 'id_mismatch')
    expect(platform().privacy.creations(id)).toBe(0)

    const first = await api.post('/v1/privacy/requests', body, id)
    const retry = await api.post('/v1/privacy/requests', body, id)
    expect([first.status, retry.status]).toEqual([201, 201])
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    expect(await retry.json()).toEqual(await first.json())
    expect(platform().privacy.creations(id)).toBe(1)
    expect(platform().privacy.outbox().filter((email) => email.request_id === id)).toHaveLength(1)

    const otherToken = connect(platform(), platform().issueToken(['privacy:read', 'privacy:write']))
    await expectProblem(await otherToken.post('/v1/privacy/requests', body, id), 409, 'request_exists')
    expect(platform().privacy.creations(id)).toBe(1)
  })

  it('refuses privacy endpoints to a token without the privacy scopes', async () => {
    const projectsOnly = connect(platform(), platform().issueToken(['projects:read']))
    await expectProblem(await projectsOnly.get('/v1/privacy/requests'), 403, 'insufficient_scope')
    expect((await projectsOnly.get('/v1/privacy/discovery')).status).toBe(200)
  })
})

describe('due dates, extensions and team decisions', () => {
  const platform = usePlatform({ port: 0 })
  let api: ReturnType<typeof connect>
  const admin = (path: string, body?: unknown) =>
    fetch(`${platform().url}/_admin/privacy/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'x-admin-key': platform().adminKey },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })

  beforeAll(() => {
    api = connect(platform())
  })

  it('dues a GDPR request one calendar month after verification: 31 January → the last day of February', async () => {
    const target = Date.UTC(platform().privacy.now().getUTCFullYear() + 1, 0, 31, 10, 0, 0)
    platform().privacy.advance(target - platform().privacy.now().getTime())
    const created = await api.create({ type: 'access', regulation: 'gdpr' })
    const received = await api.verify(created.id)
    const year = new Date(target).getUTCFullYear()
    const lastOfFebruary = new Date(Date.UTC(year, 2, 0)).getUTCDate()
    const receivedMs = Date.parse(received.received_at ?? '')
    expect(receivedMs - target).toBeLessThan(1000)
    expect(received.due_at?.slice(0, 10)).toBe(`${year}-02-${lastOfFebruary}`)
    expect(received.days_left).toBe(lastOfFebruary)
  })

  it('dues a CCPA request at the 30 days promised (the law allows 45) and extends its legal deadline by up to 45 more, once', async () => {
    const created = await api.create({ type: 'ccpa_delete', regulation: 'ccpa' })
    const received = await api.verify(created.id)
    const receivedMs = Date.parse(received.received_at ?? '')
    expect(Date.parse(received.legal_due_at ?? '') - receivedMs).toBe(45 * DAY)
    expect(Date.parse(received.promised_due_at ?? '') - receivedMs).toBe(30 * DAY)
    expect(received).toMatchObject({ due_at: received.promised_due_at, due_basis: 'promise', days_left: 30 })

    await expectProblem(await admin(`requests/${created.id}`, { action: 'extend', days: 46, reason: 'complex' }), 422, 'invalid_extension')
    const extended = await admin(`requests/${created.id}`, { action: 'extend', days: 45, reason: 'many systems hold this data' })
    expect(extended.status).toBe(200)
    const request = PrivacyRequest.parse(await extended.json())
    expect(request.extension).toMatchObject({ days: 45, reason: 'many systems hold this data' })
    expect(request.due_basis).toBe('extension')
    expect(Date.parse(request.due_at ?? '') - receivedMs).toBe(90 * DAY)
    expect(request.days_left).toBe(90)
    expect(() => platform().privacy.extend(created.id, 5, 'again')).toThrow(/already extended/)
  })

  it('extends a GDPR request by up to two further months (counted in days from the legal deadline), moving due_at', async () => {
    const created = await api.create({ type: 'erasure', regulation: 'gdpr' })
    const received = await api.verify(created.id)
    const legal = Date.parse(received.legal_due_at ?? '')
    const twoMonths = Math.floor((addCalendarMonths(legal, 2) - legal) / DAY)
    expect(() => platform().privacy.extend(created.id, twoMonths + 1, 'too long')).toThrow(new RegExp(`1 to ${twoMonths} days`))
    const extended = platform().privacy.extend(created.id, twoMonths, 'two further months, as Art. 12(3) allows')
    expect(Date.parse(extended.due_at ?? '') - legal).toBe(twoMonths * DAY)
    expect(extended.version).toBe(received.version + 1)
  })

  it('lets the privacy team deny or fail a request with a reason, over HTTP and through the Platform API', async () => {
    const denied = await api.create({ type: 'access', regulation: 'gdpr' })
    const response = await admin(`requests/${denied.id}`, { action: 'deny', reason: 'manifestly unfounded' })
    expect(PrivacyRequest.parse(await response.json())).toMatchObject({ status: 'denied', reason: 'manifestly unfounded' })
    const failed = await api.create({ type: 'access', regulation: 'gdpr' })
    await api.verify(failed.id)
    expect(platform().privacy.fail(failed.id, 'the archive store is unavailable')).toMatchObject({ status: 'failed', reason: 'the archive store is unavailable' })
    expect(await api.show(failed.id)).toMatchObject({ status: 'failed', days_left: null })
    await expectProblem(await api.post(`/v1/privacy/requests/${failed.id}/cancel`), 409, 'not_cancelable')
  })

  it('moves the clock, shows the outbox and counts creations through the admin routes', async () => {
    const created = await api.create({ type: 'access', regulation: 'gdpr' })
    const outbox = (await (await admin('outbox')).json()) as { data: { request_id: string; code: string }[] }
    expect(outbox.data.findLast((email) => email.request_id === created.id)?.code).toBe(platform().privacy.lastCode(created.id))
    await api.verify(created.id)
    const before = platform().privacy.now().getTime()
    const clock = (await (await admin('clock', { advance_seconds: 3600 })).json()) as { now: string }
    expect(Date.parse(clock.now) - before).toBeGreaterThanOrEqual(HOUR)
    expect((await api.show(created.id)).status).toBe('in_progress')
    const listed = (await (await admin('requests')).json()) as { data: (PrivacyRequest & { creations: number })[] }
    expect(listed.data.find((r) => r.id === created.id)).toMatchObject({ status: 'in_progress', creations: 1 })
    const unauthorised = await fetch(`${platform().url}/_admin/privacy/outbox`)
    expect(unauthorised.status).toBe(401)
  })

  it('lists requests newest first, filtered by state, type and update time, a page at a time', async () => {
    const since = platform().privacy.now().toISOString()
    const a = await api.create({ type: 'access', regulation: 'gdpr' })
    await new Promise((resolve) => setTimeout(resolve, 5))
    const b = await api.create({ type: 'objection', regulation: 'gdpr', processing: { purposes: ['marketing'] } })
    await new Promise((resolve) => setTimeout(resolve, 5))
    const c = await api.create({ type: 'access', regulation: 'uk_gdpr' })
    await api.verify(c.id)
    const page = async (query: string) => PrivacyRequestPage.parse(await (await api.get(`/v1/privacy/requests?${query}`)).json())

    const recent = await page(`updated_since=${since}`)
    expect(recent.data.map((r) => r.id)).toEqual([c.id, b.id, a.id])
    expect((await page(`updated_since=${since}&type=access`)).data.map((r) => r.id)).toEqual([c.id, a.id])
    expect((await page(`updated_since=${since}&status=received`)).data.map((r) => r.id)).toEqual([c.id])
    const first = await page(`updated_since=${since}&limit=2`)
    expect(first.data.map((r) => r.id)).toEqual([c.id, b.id])
    const second = await page(`updated_since=${since}&limit=2&cursor=${first.next_cursor}`)
    expect(second).toMatchObject({ has_more: false, next_cursor: null })
    expect(second.data.map((r) => r.id)).toEqual([a.id])
    await expectProblem(await api.get(`/v1/privacy/requests?status=received&cursor=${first.next_cursor}`), 400, 'invalid_cursor')
    await expectProblem(await api.get('/v1/privacy/requests?status=nonsense'), 400, 'invalid_request')
  })
})

describe('cancel and erasure', () => {
  const platform = usePlatform({ port: 0 })
  let api: ReturnType<typeof connect>

  beforeAll(() => {
    api = connect(platform())
  })

  it('cancels a request pending verification; canceling again changes nothing', async () => {
    const created = await api.create({ type: 'portability', regulation: 'gdpr' })
    const canceled = PrivacyRequest.parse(await (await api.post(`/v1/privacy/requests/${created.id}/cancel`)).json())
    expect(canceled).toMatchObject({ status: 'canceled', reason: 'canceled by the account holder', verification: null, version: 2 })
    const again = await api.post(`/v1/privacy/requests/${created.id}/cancel`)
    expect(again.status).toBe(200)
    expect(PrivacyRequest.parse(await again.json())).toEqual(canceled)
  })

  it('refuses to cancel a completed request, naming its state', async () => {
    const done = await completed(platform(), { type: 'access', regulation: 'gdpr' })
    const problem = await expectProblem(await api.post(`/v1/privacy/requests/${done.id}/cancel`), 409, 'not_cancelable')
    expect(problem.detail).toContain('completed')
  })

  it('holds an erasure in its grace period, where it can still be canceled, then erases the account for every token', async () => {
    platform().oauth.trustCiIssuer({ audience: 'clowdops', subject: 'repo:acme/privacy', scopes: ['privacy:read'] })
    const exchanged = await exchangeCiToken(platform().url, await platform().ciIssuer.sign({ aud: 'clowdops', sub: 'repo:acme/privacy' }))
    if (!exchanged.ok) throw new Error(`token exchange failed: ${JSON.stringify(exchanged.body)}`)
    const oauth = connect(platform(), exchanged.body.access_token)
    expect((await oauth.get('/v1/privacy/requests')).status).toBe(200)

    const keep = await api.create({ type: 'ccpa_delete', regulation: 'ccpa' })
    const erase = await api.create({ type: 'erasure', regulation: 'gdpr' })
    await api.verify(keep.id)
    await api.verify(erase.id)
    platform().privacy.advance(HOUR)
    expect((await api.show(erase.id)).status).toBe('in_progress')
    platform().privacy.advance(2 * DAY)
    const waiting = await api.show(erase.id)
    expect(waiting.status).toBe('awaiting_grace_period')
    expect(Date.parse(waiting.grace_period_ends_at ?? '') - Date.parse(waiting.updated_at)).toBe(7 * DAY)
    expect((await api.show(keep.id)).status).toBe('awaiting_grace_period')

    platform().privacy.advance(6 * DAY)
    const kept = PrivacyRequest.parse(await (await api.post(`/v1/privacy/requests/${keep.id}/cancel`)).json())
    expect(kept).toMatchObject({ status: 'canceled', reason: 'canceled by the account holder' })
    expect((await api.get('/v1/me')).status).toBe(200)

    platform().privacy.advance(DAY)
    const gone = await expectProblem(await api.get(`/v1/privacy/requests/${erase.id}`), 401, 'account_erased')
    expect(gone.detail).toContain(erase.id)
    expect(gone.detail).toContain(waiting.grace_period_ends_at?.slice(0, 10))
    await expectProblem(await api.post(`/v1/privacy/requests/${erase.id}/cancel`), 401, 'account_erased')
    await expectProblem(await api.get('/v1/projects'), 401, 'account_erased')
    await expectProblem(await oauth.get('/v1/privacy/requests'), 401, 'account_erased')
    expect(platform().privacy.requests().find((r) => r.id === erase.id)).toMatchObject({ status: 'completed', grace_period_ends_at: waiting.grace_period_ends_at })
    expect((await fetch(`${platform().url}/v1/health`)).status).toBe(200)
  })
})

describe('export downloads: ranges, validators and broken transfers', () => {
  const platform = usePlatform({ port: 0, privacy: { exportPaddingBytes: 5_000_000 } })
  let api: ReturnType<typeof connect>
  let id: string
  let file: ExportManifest['files'][number]
  let whole: Buffer
  let path: string
  const etag = () => `"sha256:${file.sha256}"`

  beforeAll(async () => {
    api = connect(platform())
    const done = await completed(platform(), { type: 'access', regulation: 'gdpr' })
    id = done.id
    const fetched = await download(api, id)
    const first = fetched.manifest.files[0]
    if (!first) throw new Error('manifest without a file')
    file = first
    whole = fetched.bytes
    path = api.fileUrl(id, file.name)
  })

  it('serves a multi-megabyte archive whole, matching its manifest', async () => {
    expect(whole.length).toBeGreaterThan(1_000_000)
    expect(whole.length).toBe(file.bytes)
    expect(sha256(whole)).toBe(file.sha256)
    const activity = (await unzip(whole)).get('activity.json') ?? ''
    expect(activity.length).toBeGreaterThanOrEqual(5_000_000)
    expect(activity.length).toBeLessThan(5_001_000)
    expect(platform().privacy.downloads.at(-1)).toEqual({ range: null, ifRange: null, status: 200, bytes: whole.length })
  })

  it('answers Range bytes=N- and bytes=N-M with 206 and the exact slice', async () => {
    const tail = await api.get(path, { range: 'bytes=1000-', 'if-range': etag() })
    expect(tail.status).toBe(206)
    expect(tail.headers.get('content-range')).toBe(`bytes 1000-${whole.length - 1}/${whole.length}`)
    expect(Buffer.from(await tail.arrayBuffer()).equals(whole.subarray(1000))).toBe(true)

    const middle = await api.get(path, { range: 'bytes=10-19' })
    expect(middle.status).toBe(206)
    expect(middle.headers.get('content-length')).toBe('10')
    expect(Buffer.from(await middle.arrayBuffer()).equals(whole.subarray(10, 20))).toBe(true)
    expect(platform().privacy.downloads.at(-1)).toEqual({ range: 'bytes=10-19', ifRange: null, status: 206, bytes: 10 })
  })

  it('sends the whole file when If-Range does not match, and 416 for a range past the end', async () => {
    const stale = await api.get(path, { range: 'bytes=1000-', 'if-range': '"sha256:0000"' })
    expect(stale.status).toBe(200)
    expect(Buffer.from(await stale.arrayBuffer()).length).toBe(whole.length)

    const past = await api.get(path, { range: `bytes=${whole.length}-` })
    expect(past.status).toBe(416)
    expect(past.headers.get('content-range')).toBe(`bytes */${whole.length}`)
    expect(Problem.parse(await past.json()).status).toBe(416)
  })

  it('cuts the next download after exactly the bytes asked for, and the rest resumes with Range and If-Range', async () => {
    platform().privacy.cutNextDownloadAt(200_000)
    const cut = await readAll(await api.get(path))
    expect(cut).toMatchObject({ broken: true })
    expect(cut.bytes.length).toBe(200_000)
    expect(platform().privacy.downloads.at(-1)).toMatchObject({ status: 200, bytes: 200_000 })

    const rest = await api.get(path, { range: `bytes=${cut.bytes.length}-`, 'if-range': etag() })
    expect(rest.status).toBe(206)
    const resumed = Buffer.concat([cut.bytes, Buffer.from(await rest.arrayBuffer())])
    expect(sha256(resumed)).toBe(file.sha256)
  })

  it('truncates and resets downloads with the general fault knobs: half of what the response would send', async () => {
    platform().faults.truncateNext(1)
    const truncated = await readAll(await api.get(path, { range: 'bytes=100000-' }))
    expect(truncated.broken).toBe(true)
    expect(truncated.bytes.equals(whole.subarray(100_000, 100_000 + Math.floor((whole.length - 100_000) / 2)))).toBe(true)

    platform().faults.resetNext(1)
    const reset = await readAll(await api.get(path))
    expect(reset.broken).toBe(true)
    expect(reset.bytes.length).toBeLessThanOrEqual(Math.floor(whole.length / 2))
    expect(reset.bytes.equals(whole.subarray(0, reset.bytes.length))).toBe(true)
  })

  it('corrupts one byte of the next download, which the SHA-256 catches, through the admin route', async () => {
    const knob = await fetch(`${platform().url}/_admin/privacy/downloads`, {
      method: 'POST',
      headers: { 'x-admin-key': platform().adminKey },
      body: JSON.stringify({ corrupt_next: true }),
    })
    expect(await knob.json()).toMatchObject({ corrupt_next: true })
    const corrupted = Buffer.from(await (await api.get(path)).arrayBuffer())
    expect(corrupted.length).toBe(whole.length)
    expect(sha256(corrupted)).not.toBe(file.sha256)
    expect(corrupted.filter((byte, i) => byte !== whole[i]).length).toBe(1)
    const next = Buffer.from(await (await api.get(path)).arrayBuffer())
    expect(sha256(next)).toBe(file.sha256)
  })
})

describe('consent', () => {
  const platform = usePlatform({ port: 0 })
  let api: ReturnType<typeof connect>

  beforeAll(() => {
    api = connect(platform())
  })

  const put = async (state: 'granted' | 'withdrawn', collectedAt: string) => {
    const response = await api.put('/v1/privacy/consents/marketing_email', { state, collected_at: collectedAt, method: 'cli' })
    expect(response.status).toBe(200)
    return ConsentWrite.parse(await response.json())
  }

  it('lists every purpose, never asked until the first write', async () => {
    const { data } = ConsentList.parse(await (await api.get('/v1/privacy/consents')).json())
    expect(data).toEqual(
      ['cookies_analytics', 'cookies_marketing', 'marketing_email'].map((purpose) => ({ purpose, state: null, collected_at: null, method: null, version: 0 })),
    )
  })

  it('applies a newer choice, leaves the same state unchanged and ignores an older one, recording each write', async () => {
    expect(await put('granted', '2025-03-01T10:00:00.000Z')).toMatchObject({ outcome: 'applied', consent: { state: 'granted', version: 1 } })
    expect(await put('granted', '2025-03-02T10:00:00.000Z')).toMatchObject({
      outcome: 'unchanged',
      consent: { state: 'granted', version: 1, collected_at: '2025-03-01T10:00:00.000Z' },
    })
    expect(await put('withdrawn', '2025-02-01T10:00:00.000Z')).toMatchObject({ outcome: 'stale', consent: { state: 'granted', version: 1 } })
    expect(await put('withdrawn', '2025-03-03T10:00:00.000Z')).toMatchObject({ outcome: 'applied', consent: { state: 'withdrawn', version: 2, method: 'cli' } })

    const history = ConsentEventPage.parse(await (await api.get('/v1/privacy/consents/marketing_email/history')).json())
    expect(history.data.map((event) => event.outcome)).toEqual(['applied', 'stale', 'unchanged', 'applied'])
    expect(history.data.every((event) => event.id.startsWith('cev_'))).toBe(true)
    const paged = ConsentEventPage.parse(await (await api.get('/v1/privacy/consents/marketing_email/history?limit=3')).json())
    const rest = ConsentEventPage.parse(await (await api.get(`/v1/privacy/consents/marketing_email/history?limit=3&cursor=${paged.next_cursor}`)).json())
    expect([...paged.data, ...rest.data].map((event) => event.id)).toEqual(history.data.map((event) => event.id))
    const other = ConsentEventPage.parse(await (await api.get('/v1/privacy/consents/cookies_analytics/history')).json())
    expect(other.data).toEqual([])
    expect(storedState(platform()).privacy.consents.events).toHaveLength(4)
  })
})
