// The local platform: a real HTTP server on loopback serving the contract's endpoints, with fault knobs for tests.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { timingSafeEqual } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { z } from 'zod'
import {
  endpoints,
  Headers,
  IdempotencyKey,
  PROBLEM_CONTENT_TYPE,
  type AnyEndpoint,
  type Endpoints,
  type FileBody,
} from '../../src/core/contract/index.js'
import { FAULT_CODES, FAULT_STATUSES, FLOOD_LIMIT_BYTES, FaultState, type FaultPlan, type Faults, type FaultStatus } from './faults.js'
import { SimulatedAwsAccount } from './aws-account.js'
import { createCredentialKeyring, type CredentialKeyring } from './credential-keys.js'
import { DownloadKnobs, drained, sendFile } from './download-response.js'
import { handlers, type Caller, type HandlerContext, type PlatformStats } from './handlers.js'
import { createOAuthServer, type CiIssuer, type CiTrustPolicy, type OAuthKnobs, type OAuthServer } from './oauth.js'
import { PrivacyEngine, type PrivacySettings } from './privacy.js'
import { privacyAdminRoute, privacyKnobs, type PrivacyKnobs } from './privacy-admin.js'
import { ProblemError, type FieldError } from './problems.js'
import { DEFAULT_RATE_LIMIT, RateLimiter, type RateLimit } from './rate-limit.js'
import { ALL_SCOPES, canonicalJson, PlatformStore, randomBase62, sha256, type IdempotencyRecord, type SeedOptions } from './store.js'

export type { Faults, FaultStatus } from './faults.js'
export type { PlatformStats } from './handlers.js'
export type { CiIssuer, CiTrustPolicy, OAuthKnobs, OAuthSettings, OAuthStats } from './oauth.js'
export { CLIENT_ID, DEFAULT_OAUTH_SETTINGS } from './oauth.js'
export type { RateLimit } from './rate-limit.js'
export type { DownloadLogEntry } from './download-response.js'
export type { AccountProfile, Email, PrivacySettings } from './privacy.js'
export { DEFAULT_PRIVACY_SETTINGS, FAST_PRIVACY_SETTINGS } from './privacy.js'
export type { PrivacyKnobs } from './privacy-admin.js'
export { ALL_SCOPES } from './store.js'
export { DEFAULT_RATE_LIMIT } from './rate-limit.js'

export interface RequestLogEntry {
  method: string
  /** The path without its query string. */
  path: string
  status: number
  ms: number
  requestId: string
  /** The fault applied, if any: `fail 503`, `reset`, `truncate`. */
  fault?: string
}

export interface PlatformOptions {
  /** 0 (the default) picks a free port. */
  port?: number
  /** Defaults to 127.0.0.1. */
  host?: string
  seed?: SeedOptions
  /** Defaults to DEFAULT_RATE_LIMIT; null turns rate limiting off. */
  rateLimit?: RateLimit | null
  /** A network's delay from the start (Faults.latency): `ms` per request, give or take `jitterMs`. Defaults to none. */
  latency?: { ms: number; jitterMs?: number }
  /** Called once per request when its response is done or its connection closed. */
  log?: (entry: RequestLogEntry) => void
  /**
   * Called when the platform breaks its own contract or throws; the client already got a 500. The default
   * re-throws it outside the request, so a test run that hits it fails loudly instead of passing by accident.
   */
  onBug?: (error: Error) => void
  /** Privacy timings and sizes; DEFAULT_PRIVACY_SETTINGS for what is not given, FAST_PRIVACY_SETTINGS for a demo. */
  privacy?: Partial<PrivacySettings>
}

export interface Platform {
  /** e.g. http://127.0.0.1:41234, no trailing slash. */
  url: string
  /** A seeded personal access token with every scope. */
  token: string
  /** The seeded user, who signs in on the device-flow pages with this email and password. */
  user: { id: string; email: string; name: string; password: string }
  /** For the /_admin endpoints, in the `x-admin-key` header. */
  adminKey: string
  issueToken(scopes: string[]): string
  faults: Faults
  rateLimit: { set(limit: RateLimit | null): void }
  /** Live counters; `byRoute` is keyed by endpoint id, e.g. `projects.create`. */
  stats: PlatformStats
  /** The authorization server (oidc-provider at this URL): lifetimes, poll interval, CI trust. */
  oauth: OAuthKnobs
  /** The test CI identity provider whose ID tokens `oauth.trustCiIssuer` policies accept for token exchange. */
  ciIssuer: CiIssuer
  /** The HPKE key pair credentials are sealed to; `open` is what the platform does with an envelope. */
  credentialKeys: CredentialKeyring
  /** The customer's AWS account: the roles (and trust policies) the platform assumes for aws-role and bedrock. */
  aws: SimulatedAwsAccount
  /** The privacy engine's clock, outbox, team decisions and download knobs. */
  privacy: PrivacyKnobs
  close(): Promise<void>
}

const MAX_BODY_BYTES = 1024 * 1024
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8'

const stores = new WeakMap<Platform, { store: PlatformStore; privacy: PrivacyEngine }>()

/** Everything the platform stores, as a JSON copy: for tests that check what is kept (e.g. no plaintext tokens). */
export function storedState(platform: Platform): ReturnType<PlatformStore['snapshot']> & { privacy: ReturnType<PrivacyEngine['snapshot']> } {
  const stored = stores.get(platform)
  if (!stored) throw new Error('not a platform returned by startPlatform')
  return { ...stored.store.snapshot(), privacy: stored.privacy.snapshot() }
}

interface Route {
  key: keyof Endpoints
  endpoint: AnyEndpoint
  pattern: RegExp
  names: string[]
}

const routes: Route[] = (Object.keys(endpoints) as (keyof Endpoints)[]).map((key) => {
  const endpoint: AnyEndpoint = endpoints[key]
  const names: string[] = []
  const source = endpoint.path
    .split(/(\{\w+\})/)
    .map((part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1]
      if (name === undefined) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
      names.push(name)
      return '([^/]+)'
    })
    .join('')
  return { key, endpoint, pattern: new RegExp(`^${source}$`), names }
})

type RouteMatch = { route: Route; params: Record<string, string> } | { allow: string[] } | undefined

function matchRoute(method: string, pathname: string): RouteMatch {
  const allow: string[] = []
  for (const route of routes) {
    const found = route.pattern.exec(pathname)
    if (!found) continue
    if (route.endpoint.method !== method) {
      allow.push(route.endpoint.method)
      continue
    }
    const params: Record<string, string> = {}
    try {
      route.names.forEach((name, i) => (params[name] = decodeURIComponent(found[i + 1] ?? '')))
    } catch {
      return undefined
    }
    return { route, params }
  }
  return allow.length > 0 ? { allow } : undefined
}

/** What to answer, decided between the two halves of any latency; `run` means the handler still has to do its work. */
type Outcome =
  | { kind: 'respond'; status: number; body: unknown; headers?: Record<string, string>; file?: FileBody }
  | { kind: 'problem'; error: ProblemError }
  | {
      kind: 'run'
      route: Route
      input: { params: unknown; query: unknown; body: unknown }
      caller: Caller | undefined
      idempotencyKey: string | undefined
      idempotency?: { records: Map<string, IdempotencyRecord>; key: string; fingerprint: string }
    }

export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const store = new PlatformStore(options.seed)
  const credentialKeys = await createCredentialKeyring()
  const faults = new FaultState()
  const aws = new SimulatedAwsAccount()
  if (options.latency) faults.latency(options.latency.ms, options.latency.jitterMs)
  const privacy = new PrivacyEngine(store, options.privacy)
  const downloads = new DownloadKnobs()
  const limiter = new RateLimiter(options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit)
  const stats: PlatformStats = {
    requests: 0,
    rateLimited: 0,
    byRoute: {},
    projectsCreated: 0,
    oauth: { tokenRequests: {}, tokenErrors: {}, deviceAuthorizations: 0, revocations: 0 },
  }
  const adminKey = `adm_${randomBase62(32)}`
  const password = `pw-${randomBase62(12)}`
  /** Set once the server listens: the issuer is the platform's URL, port included. */
  let oauth: OAuthServer | undefined
  const token = store.issueToken([...ALL_SCOPES])
  const shutdown = new AbortController()
  const onBug = options.onBug ?? rethrowOutsideRequest

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string, log: RequestLogEntry) {
    const url = new URL(req.url ?? '/', 'http://platform.invalid')
    const method = req.method ?? 'GET'
    const isAdmin = url.pathname === '/_admin' || url.pathname.startsWith('/_admin/')
    if (!isAdmin && !url.pathname.startsWith('/v1/')) {
      // Everything else is the authorization server's: discovery, /device, /token, the sign-in pages.
      if (!oauth) throw new ProblemError(503, 'unavailable', 'The authorization server is starting.')
      return oauth.handle(req, res)
    }
    const raw = await readBody(req)
    if (isAdmin) return handleAdmin(req, res, method, url.pathname, raw)

    stats.requests += 1
    // Half the round trip on the way in, before the rate limit sees the request; the other half on the way out.
    const delay = faults.delayMs()
    const inbound = Math.floor(delay / 2)
    if (inbound > 0) await sleep(inbound, undefined, { signal: shutdown.signal })
    const match = matchRoute(method, url.pathname)
    if (match && 'route' in match) {
      const id = match.route.endpoint.id
      stats.byRoute[id] = (stats.byRoute[id] ?? 0) + 1
    }
    const plan = faults.take()
    if (plan.fail) log.fault = `fail ${plan.fail.status}`
    else if (plan.broken) log.fault = plan.broken
    else if (plan.flood) log.fault = 'flood'

    let outcome: Outcome
    try {
      if (plan.fail) {
        outcome = { kind: 'problem', error: injectedFailure(plan.fail) }
      } else {
        const needsCaller = match !== undefined && 'route' in match && match.route.endpoint.scopes !== undefined
        const caller = needsCaller ? await identify(req.headers.authorization) : undefined
        outcome = prepare(req, res, method, url, raw, match, caller)
      }
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error
      outcome = { kind: 'problem', error }
    }
    if (delay - inbound > 0) await sleep(delay - inbound, undefined, { signal: shutdown.signal })
    if (outcome.kind === 'problem') {
      const { error } = outcome
      return send(res, error.status, error.toBody(requestId), PROBLEM_CONTENT_TYPE, error.extra.headers, plan)
    }
    const response = outcome.kind === 'run' ? await execute(outcome, requestId) : outcome
    if (response.file) {
      const unsatisfiable = (size: number) =>
        new ProblemError(416, 'range_not_satisfiable', `The range starts at or after the end of the file (${size} bytes).`).toBody(requestId)
      return sendFile(req, res, response.file, plan.broken, downloads, unsatisfiable)
    }
    const type = response.status >= 400 ? PROBLEM_CONTENT_TYPE : JSON_CONTENT_TYPE
    send(res, response.status, response.body, type, response.headers, plan)
  }

  /**
   * Everything up to the effect: auth, rate limit, validation, idempotency. Synchronous, so checks cannot race;
   * `identified` is the caller behind the bearer token, looked up beforehand (OAuth tokens need an async lookup).
   * The rate-limit headers go straight onto `res`, since every later answer to an authenticated request carries them.
   */
  function prepare(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    url: URL,
    raw: Buffer,
    match: RouteMatch,
    identified: Caller | undefined,
  ): Outcome {
    if (!match) throw new ProblemError(404, 'not_found', `No route for ${method} ${url.pathname}.`)
    if ('allow' in match) {
      throw new ProblemError(405, 'method_not_allowed', `${url.pathname} does not accept ${method}.`, {
        headers: { allow: match.allow.join(', ') },
      })
    }
    const { route, params } = match
    const { endpoint } = route

    let caller: Caller | undefined
    if (endpoint.scopes !== undefined) {
      caller = authenticated(req.headers.authorization, identified)
      refuseErasedAccount()
      const decision = limiter.take(caller.token.hash)
      // On the response whatever it turns out to be: an error, a replay or a file tells the client its budget too.
      if (decision.fields) {
        res.setHeader(Headers.rateLimitLimit, String(decision.fields.limit))
        res.setHeader(Headers.rateLimitRemaining, String(decision.fields.remaining))
        res.setHeader(Headers.rateLimitPolicy, decision.fields.policy)
        res.setHeader(Headers.rateLimit, decision.fields.state)
      }
      if (!decision.allowed) {
        stats.rateLimited += 1
        throw new ProblemError(429, 'rate_limited', `Too many requests; retry in ${decision.retryAfterSeconds}s.`, {
          headers: { [Headers.retryAfter]: String(decision.retryAfterSeconds) },
        })
      }
      const missing = endpoint.scopes.filter((scope) => !caller?.token.scopes.includes(scope))
      if (missing.length > 0) {
        throw new ProblemError(403, 'insufficient_scope', `This token lacks the scope ${missing.join(', ')}.`, {
          headers: { 'www-authenticate': `Bearer error="insufficient_scope", scope="${endpoint.scopes.join(' ')}"` },
        })
      }
    }

    const idempotencyKey = req.headers[Headers.idempotencyKey]
    if (endpoint.idempotent && idempotencyKey === undefined) {
      throw new ProblemError(400, 'idempotency_key_required', `${endpoint.id} needs an Idempotency-Key header.`)
    }

    const errors: FieldError[] = []
    const validate = (schema: z.ZodType | undefined, value: unknown, emptyPath: string): unknown => {
      if (!schema) return undefined
      const result = schema.safeParse(value)
      if (result.success) return result.data
      for (const issue of result.error.issues) {
        errors.push({ field: issue.path.map(String).join('.') || emptyPath, message: issue.message })
      }
      return undefined
    }
    const rawBody = endpoint.body ? parseJsonBody(req, raw) : undefined
    const input = {
      params: validate(endpoint.params, params, 'params'),
      query: validate(endpoint.query, Object.fromEntries(url.searchParams), 'query'),
      body: validate(endpoint.body, rawBody, 'body'),
    }
    if (endpoint.idempotent) validate(IdempotencyKey.optional(), idempotencyKey, 'Idempotency-Key')
    if (errors.length > 0) {
      throw new ProblemError(400, 'invalid_request', `The request does not match ${endpoint.id}.`, { errors })
    }

    if (!endpoint.idempotent || caller === undefined || typeof idempotencyKey !== 'string') {
      return { kind: 'run', route, input, caller, idempotencyKey: typeof idempotencyKey === 'string' ? idempotencyKey : undefined }
    }
    const records = store.idempotencyRecords(caller.token.hash)
    const fingerprint = sha256(`${method} ${url.pathname}\n${canonicalJson(rawBody ?? null)}`)
    const record = records.get(idempotencyKey)
    if (record) {
      if (record.fingerprint !== fingerprint) {
        throw new ProblemError(422, 'idempotency_key_reused', 'This Idempotency-Key was used with another request.')
      }
      if (record.state === 'in_flight') {
        throw new ProblemError(409, 'idempotency_key_in_use', 'A request with this Idempotency-Key is still in progress.')
      }
      return {
        kind: 'respond',
        status: record.status ?? 500,
        body: record.body,
        headers: { [Headers.idempotentReplayed]: 'true' },
      }
    }
    records.set(idempotencyKey, { fingerprint, state: 'in_flight' })
    return { kind: 'run', route, input, caller, idempotencyKey, idempotency: { records, key: idempotencyKey, fingerprint } }
  }

  /** The effect, then the stored result for idempotent requests. A contract violation is a bug, not a response. */
  async function execute(run: Extract<Outcome, { kind: 'run' }>, requestId: string): Promise<Extract<Outcome, { kind: 'respond' }>> {
    const { route, input, caller, idempotency, idempotencyKey } = run
    const context: HandlerContext = { store, stats, caller, credentialKeys, aws, privacy, idempotencyKey, ciTrust: () => oauth?.knobs.ciTrustRules() ?? [] }
    const handler = handlers[route.key] as (input: unknown, context: HandlerContext) => unknown
    let status: number
    let body: unknown
    // A handler's problem may carry headers (WWW-Authenticate on a 403), as one raised before it runs does.
    let headers: Record<string, string> | undefined
    try {
      body = await handler(input, context)
      const checked = route.endpoint.response.safeParse(body)
      if (!checked.success) {
        throw new Error(`local platform broke the contract of ${route.endpoint.id}: ${z.prettifyError(checked.error)}`)
      }
      status = route.endpoint.status
    } catch (error) {
      if (!(error instanceof ProblemError)) {
        idempotency?.records.delete(idempotency.key)
        throw error
      }
      status = error.status
      body = error.toBody(requestId)
      headers = error.extra.headers
    }
    idempotency?.records.set(idempotency.key, { fingerprint: idempotency.fingerprint, state: 'done', status, body })
    // A download endpoint's handler hands over the file; its bytes go out raw, not as JSON.
    if (route.endpoint.download && status < 300) return { kind: 'respond', status, body, file: body as FileBody }
    return { kind: 'respond', status, body, ...(headers ? { headers } : {}) }
  }

  /** The caller behind a personal access token (`cop_...`) or an OAuth access token; undefined if none is valid. */
  async function identify(authorization: string | undefined): Promise<Caller | undefined> {
    const presented = bearerToken(authorization)
    if (presented === undefined) return undefined
    const record = store.findToken(presented)
    if (record) return { token: record, user: store.user, tokenType: 'personal_access_token' }
    const found = presented.startsWith('cop_') ? undefined : await oauth?.authenticate(presented)
    if (!found) return undefined
    const token = { hash: found.key, userId: store.user.id, scopes: found.scopes, createdAt: new Date().toISOString() }
    return { token, user: store.user, tokenType: 'oauth' }
  }

  /** Once an erasure completes the account is gone: every token of it stops working, PAT and OAuth alike. */
  function refuseErasedAccount(): void {
    const erasure = privacy.accountErasure()
    if (!erasure) return
    throw new ProblemError(
      401,
      'account_erased',
      `This account was erased on ${erasure.erasedAt.slice(0, 10)} by privacy request ${erasure.requestId}; its tokens no longer work.`,
      { headers: { 'www-authenticate': 'Bearer error="invalid_token", error_description="account erased"' } },
    )
  }

  function authenticated(authorization: string | undefined, caller: Caller | undefined): Caller {
    if (caller) return caller
    throw new ProblemError(
      401,
      'invalid_token',
      bearerToken(authorization) === undefined
        ? 'Send a token in the Authorization header: Bearer <token>.'
        : 'The token is not valid (unknown, expired or revoked).',
      { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } },
    )
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, method: string, path: string, raw: Buffer) {
    if (!isAdminKey(req.headers['x-admin-key'])) {
      throw new ProblemError(401, 'invalid_admin_key', 'Send the admin key in the x-admin-key header.')
    }
    const reply = (body: unknown) => send(res, 200, body, JSON_CONTENT_TYPE)
    const parse = <S extends z.ZodType>(schema: S): z.output<S> => {
      const result = schema.safeParse(parseJson(raw))
      if (result.success) return result.data
      const errors = result.error.issues.map((issue) => ({ field: issue.path.map(String).join('.') || 'body', message: issue.message }))
      throw new ProblemError(400, 'invalid_request', `The request does not match ${method} ${path}.`, { errors })
    }
    const route = `${method} ${path}`
    if (route === 'GET /_admin/stats') {
      const { tokenRequests, tokenErrors, deviceAuthorizations, revocations } = stats.oauth
      return reply({
        requests: stats.requests,
        rate_limited: stats.rateLimited,
        by_route: stats.byRoute,
        projects_created: stats.projectsCreated,
        oauth: {
          token_requests: tokenRequests,
          token_errors: tokenErrors,
          device_authorizations: deviceAuthorizations,
          revocations,
        },
      })
    }
    if (oauth && (route === 'GET /_admin/oauth' || route === 'POST /_admin/oauth')) {
      const knobs = oauth.knobs
      if (method === 'POST') {
        const change = parse(AdminOAuth)
        try {
          if (change.reset) knobs.reset()
          if (change.access_token_ttl !== undefined) knobs.setAccessTokenTtl(change.access_token_ttl)
          if (change.refresh_token_ttl !== undefined) knobs.setRefreshTokenTtl(change.refresh_token_ttl)
          if (change.device_code_ttl !== undefined) knobs.setDeviceCodeTtl(change.device_code_ttl)
          if (change.poll_interval !== undefined) knobs.setPollInterval(change.poll_interval)
          if (change.ci_token_ttl !== undefined) knobs.setCiTokenTtl(change.ci_token_ttl)
          if (change.trust_ci_issuer !== undefined) knobs.trustCiIssuer(change.trust_ci_issuer)
        } catch (error) {
          if (!(error instanceof RangeError)) throw error
          throw new ProblemError(400, 'invalid_request', error.message)
        }
      }
      const current = knobs.settings()
      return reply({
        issuer: knobs.issuer,
        client_id: knobs.clientId,
        resource: knobs.resource,
        access_token_ttl: current.accessTokenTtl,
        refresh_token_ttl: current.refreshTokenTtl,
        device_code_ttl: current.deviceCodeTtl,
        poll_interval: current.pollInterval,
        ci_token_ttl: current.ciTokenTtl,
        ci_issuer: oauth.ciIssuer.issuer,
        trust_ci_issuer: current.ciTrust,
      })
    }
    if (oauth && route === 'POST /_admin/oauth/ci-token') {
      const { claims } = parse(AdminCiToken)
      return oauth.ciIssuer.sign(claims).then((idToken) => reply({ id_token: idToken, issuer: oauth?.ciIssuer.issuer }))
    }
    if (route === 'POST /_admin/faults') {
      const change = parse(AdminFaults)
      if (change.clear) faults.clear()
      if (change.fail_next) {
        const { count, status, retry_after } = change.fail_next
        faults.failNext(count, status, retry_after === undefined ? {} : { retryAfter: retry_after })
      }
      if (change.latency_ms !== undefined || change.latency_jitter_ms !== undefined) {
        try {
          faults.latency(change.latency_ms ?? faults.latencyMs, change.latency_jitter_ms ?? 0)
        } catch (error) {
          if (!(error instanceof RangeError)) throw error
          throw new ProblemError(400, 'invalid_request', error.message)
        }
      }
      if (change.reset_next !== undefined) faults.resetNext(change.reset_next)
      if (change.truncate_next !== undefined) faults.truncateNext(change.truncate_next)
      if (change.flood_next !== undefined) faults.floodNext(change.flood_next)
      return reply(faults.describe())
    }
    if (route === 'POST /_admin/rate-limit') {
      const change = parse(AdminRateLimit)
      const limit = 'off' in change ? null : { capacity: change.capacity, refillPerSecond: change.refill_per_second }
      limiter.set(limit)
      return reply({ rate_limit: limit && { capacity: limit.capacity, refill_per_second: limit.refillPerSecond } })
    }
    if (route === 'PUT /_admin/aws/roles') {
      const { role_arn, trust_policy } = parse(AdminAwsRole)
      aws.putRole(role_arn, trust_policy)
      return reply({ role_arn, trust_policy })
    }
    if (path.startsWith('/_admin/privacy/')) {
      const answer = privacyAdminRoute(method, path, parse, privacy, downloads)
      if (answer !== undefined) return reply(answer)
    }
    throw new ProblemError(404, 'not_found', `No admin route for ${route}.`)
  }

  function isAdminKey(presented: string | string[] | undefined): boolean {
    if (typeof presented !== 'string') return false
    return timingSafeEqual(Buffer.from(sha256(presented)), Buffer.from(sha256(adminKey)))
  }

  const server = createServer((req, res) => {
    const started = performance.now()
    const requestId = `req_${randomBase62(24)}`
    res.setHeader(Headers.requestId, requestId)
    const log: RequestLogEntry = { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0] ?? '/', status: 0, ms: 0, requestId }
    res.on('close', () => {
      log.status = res.statusCode
      log.ms = Math.round(performance.now() - started)
      options.log?.(log)
    })
    handle(req, res, requestId, log).catch((error: unknown) => {
      if (shutdown.signal.aborted) return void res.destroy()
      if (error instanceof ProblemError) {
        return send(res, error.status, error.toBody(requestId), PROBLEM_CONTENT_TYPE, error.extra.headers)
      }
      const bug = error instanceof Error ? error : new Error(String(error))
      if (!res.headersSent) {
        const problem = new ProblemError(500, 'internal_error', 'The local platform failed; see its log.')
        send(res, 500, problem.toBody(requestId), PROBLEM_CONTENT_TYPE)
      } else {
        res.destroy()
      }
      onBug(bug)
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const url = `http://${host}:${address.port}`
  try {
    oauth = await createOAuthServer({ issuer: url, user: store.user, password, stats, onBug })
  } catch (error) {
    server.close()
    throw error
  }

  let closing: Promise<void> | undefined
  const platform: Platform = {
    url,
    token,
    user: { ...store.user, password },
    adminKey,
    issueToken: (scopes) => store.issueToken(scopes),
    faults,
    rateLimit: { set: (limit) => limiter.set(limit) },
    stats,
    oauth: oauth.knobs,
    ciIssuer: oauth.ciIssuer,
    credentialKeys,
    aws,
    privacy: privacyKnobs(privacy, downloads),
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        shutdown.abort()
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      })
      return closing
    },
  }
  stores.set(platform, { store, privacy })
  return platform
}

/** `aws iam create-role` in the simulated account: the demo and manual runs put roles there over HTTP. */
const AdminAwsRole = z.object({ role_arn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/), trust_policy: z.record(z.string(), z.unknown()) }).strict()

const AdminFaults = z
  .object({
    fail_next: z
      .object({
        count: z.number().int().min(1),
        status: z.union(FAULT_STATUSES.map((status) => z.literal(status))) as z.ZodType<FaultStatus>,
        retry_after: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
    latency_ms: z.number().int().min(0).optional(),
    latency_jitter_ms: z.number().int().min(0).optional(),
    reset_next: z.number().int().min(0).optional(),
    truncate_next: z.number().int().min(0).optional(),
    flood_next: z.number().int().min(0).optional(),
    clear: z.literal(true).optional(),
  })
  .strict()

const Seconds = z.number().int().min(1)

const CiTrust = z
  .object({
    name: z.string().min(1).optional(),
    issuer: z.string().min(1).optional(),
    audience: z.string().min(1),
    subject: z.string().min(1),
    repository: z.string().min(1).optional(),
    ref: z.string().min(1).optional(),
    environment: z.string().min(1).optional(),
    scopes: z.array(z.string()).min(1),
  })
  .strict() satisfies z.ZodType<CiTrustPolicy>

const AdminOAuth = z
  .object({
    access_token_ttl: Seconds.optional(),
    refresh_token_ttl: Seconds.optional(),
    device_code_ttl: Seconds.optional(),
    poll_interval: Seconds.optional(),
    ci_token_ttl: Seconds.optional(),
    trust_ci_issuer: z.union([CiTrust, z.array(CiTrust), z.null()]).optional(),
    reset: z.literal(true).optional(),
  })
  .strict()

const AdminCiToken = z.object({ claims: z.record(z.string(), z.unknown()).default({}) }).strict()

const AdminRateLimit = z.union([
  z.object({ capacity: z.number().int().min(1), refill_per_second: z.number().positive() }).strict(),
  z.object({ off: z.literal(true) }).strict(),
])

function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1]
}

function rethrowOutsideRequest(error: Error): void {
  setImmediate(() => {
    throw error
  })
}

function injectedFailure(fail: NonNullable<FaultPlan['fail']>): ProblemError {
  const headers: Record<string, string> = fail.retryAfter === undefined ? {} : { [Headers.retryAfter]: String(fail.retryAfter) }
  return new ProblemError(fail.status, FAULT_CODES[fail.status], `Injected fault: ${fail.status}.`, { headers })
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) {
      throw new ProblemError(413, 'payload_too_large', `Bodies are limited to ${MAX_BODY_BYTES} bytes.`, {
        headers: { connection: 'close' },
      })
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/** undefined for an empty body, so the schema reports it missing. */
function parseJsonBody(req: IncomingMessage, raw: Buffer): unknown {
  const type = req.headers['content-type']
  if (raw.length > 0 && type !== undefined && !/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new ProblemError(415, 'unsupported_media_type', 'Send JSON with Content-Type: application/json.')
  }
  return parseJson(raw)
}

/** The admin endpoints take JSON whatever the Content-Type says, so a bare `curl -d` drives them. */
function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined
  try {
    return JSON.parse(raw.toString('utf8'))
  } catch {
    throw new ProblemError(400, 'invalid_request', 'The body is not valid JSON.', {
      errors: [{ field: 'body', message: 'not valid JSON' }],
    })
  }
}

/**
 * A JSON response; on a `broken` fault the same response cut short: reset (RST) or truncated (FIN); on a `flood` one, the
 * same response followed by filler that never ends.
 */
function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType: string,
  headers: Record<string, string> = {},
  { broken, flood }: FaultPlan = {},
): void {
  if (res.destroyed || res.headersSent) return
  const payload = Buffer.from(JSON.stringify(body))
  res.writeHead(status, {
    'content-type': contentType,
    ...(flood ? {} : { 'content-length': payload.length }),
    'cache-control': 'no-store',
    ...headers,
  })
  if (flood) {
    res.write(payload)
    void floodUntilClosed(res)
    return
  }
  if (!broken) {
    res.end(payload)
    return
  }
  const socket = res.socket
  res.write(payload.subarray(0, Math.max(1, Math.floor(payload.length / 2))), () => {
    if (broken === 'reset') socket?.resetAndDestroy()
    else socket?.end()
  })
}

/** JSON whitespace in 64 KiB chunks, as fast as the client reads, until it hangs up or FLOOD_LIMIT_BYTES are sent. */
async function floodUntilClosed(res: ServerResponse): Promise<void> {
  const filler = Buffer.alloc(64 * 1024, 0x20)
  for (let sent = 0; sent < FLOOD_LIMIT_BYTES && !res.destroyed; sent += filler.length) {
    if (!res.write(filler) && !(await drained(res))) return
  }
  if (!res.destroyed) res.end()
}
