// The local platform's authorization server: oidc-provider (a certified OpenID/OAuth server) on the platform's URL.
// Authorization code with PKCE to a loopback redirect (RFC 7636, RFC 8252), device grant (RFC 8628) with real error codes, rotating refresh tokens, revocation (RFC 7009), token exchange
// for CI ID tokens (RFC 8693), its sign-in pages, and knobs so tests can shorten lifetimes and intervals.
import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { SignJWT, createRemoteJWKSet, errors as joseErrors, exportJWK, generateKeyPair, jwtVerify, type CryptoKey, type JWTPayload } from 'jose'
import type { Configuration, KoaContextWithOIDC, Provider as OidcProvider, TokenEndpointGrantContext } from 'oidc-provider'
import type { PlatformStats } from './handlers.js'
import { createMemoryAdapter } from './oauth-adapter.js'
import { confirmCodePage, consentPage, deniedPage, enterCodePage, errorPage, loginPage, successPage } from './oauth-pages.js'
import { ALL_SCOPES, sha256, type User } from './store.js'

/** oidc-provider 9 warns on import under Node 20 (it targets 22+); everything it uses exists in Node 20.19+. */
async function importOidcProvider(): Promise<typeof import('oidc-provider')> {
  const warn = console.warn
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('Unsupported runtime')) return
    warn(...args)
  }
  try {
    return await import('oidc-provider')
  } finally {
    console.warn = warn
  }
}

const { Provider, errors } = await importOidcProvider()

export const CLIENT_ID = 'clowdops-cli'
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token'
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt'
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token'
/** Where the test CI issuer lives on the platform: its `iss` is `${platform URL}${CI_ISSUER_PATH}`. */
export const CI_ISSUER_PATH = '/_ci'
/** The CLI's registered redirect: the loopback listener's port is left out, as any port is accepted. */
export const LOOPBACK_REDIRECT_URI = 'http://127.0.0.1/callback'
const CLIENT_NAME = 'ClowdOps CLI'
const GRANT_PREFIX = 'urn:ietf:params:oauth:grant-type:'
/**
 * A poll is too fast (slow_down) when it arrives less than this share of the interval after the previous one.
 * Not 1: the server notes arrivals on a busy event loop (tests run beside it), where a late first poll and a
 * prompt second one can look closer together than the client sent them.
 */
const TOO_FAST_SHARE = 0.5

export interface OAuthSettings {
  accessTokenTtl: number
  refreshTokenTtl: number
  deviceCodeTtl: number
  pollInterval: number
  ciTokenTtl: number
  tokenResponseDelayMs: number
}

export const DEFAULT_OAUTH_SETTINGS: Readonly<OAuthSettings> = {
  accessTokenTtl: 3600,
  refreshTokenTtl: 14 * 24 * 3600,
  deviceCodeTtl: 600,
  pollInterval: 5,
  ciTokenTtl: 600,
  tokenResponseDelayMs: 0,
}

/**
 * Which CI ID tokens the platform exchanges, and for which scopes: a token passes when it matches every condition of
 * one policy. GET /v1/ci-trust publishes these same policies (filled in) as the organisation's trust rules.
 */
export interface CiTrustPolicy {
  /** Names it in messages; `rule-N` (its place in the list) when absent. */
  name?: string
  /** The `iss` the ID token must carry; the test CI issuer when absent. */
  issuer?: string
  /** The `aud` the ID token must carry, e.g. `clowdops`. */
  audience: string
  /**
   * The `sub` it must carry, exactly, or with `*` matching any run of characters. GitHub's subject written with names
   * also matches its immutable form with ids, and the other way round, when the id claims agree (subjectForms).
   */
  subject: string
  /** The `repository` claim, exactly. */
  repository?: string
  /** The `ref` claim, `*` matching any run of characters. */
  ref?: string
  /** The `environment` claim, exactly. */
  environment?: string
  /** Scopes the exchanged access token gets (a request may ask for fewer). */
  scopes: string[]
}

/** A policy as enforced and published: name and issuer filled in. */
export type CiTrustRuleRecord = CiTrustPolicy & { name: string; issuer: string }

export interface CiIssuer {
  /** `${platform URL}/_ci`: an OpenID issuer on loopback, its discovery document and JWKS served under it. */
  issuer: string
  jwksUri: string
  /**
   * A signed ES256 ID token from the test CI issuer. `iss`, `iat` and `exp` (5 minutes) are filled in unless the
   * claims set them; pass `exp`/`nbf`/`iss` to test the failures.
   */
  sign(claims: JWTPayload): Promise<string>
}

export interface OAuthStats {
  /** Token endpoint calls by grant type: `device_code`, `refresh_token`, `token-exchange` (the URN prefix dropped). */
  tokenRequests: Record<string, number>
  /** Token endpoint errors by code: `authorization_pending`, `slow_down`, `invalid_grant`, ... */
  tokenErrors: Record<string, number>
  deviceAuthorizations: number
  revocations: number
}

export interface OAuthKnobs {
  /** The platform URL; discovery is at `${issuer}/.well-known/openid-configuration`. */
  readonly issuer: string
  readonly clientId: string
  /** The resource indicator (audience) of access tokens for /v1: `${issuer}/v1`. */
  readonly resource: string
  /** Lifetime of access tokens issued from now on by the device and refresh grants. Default 3600. */
  setAccessTokenTtl(seconds: number): void
  /** Lifetime of refresh tokens issued from now on. Default 14 days. */
  setRefreshTokenTtl(seconds: number): void
  /** Lifetime of device codes issued from now on (`expires_in`). Default 600. */
  setDeviceCodeTtl(seconds: number): void
  /** The `interval` of device authorizations issued from now on; polling faster gets `slow_down`. Default 5, min 1. */
  setPollInterval(seconds: number): void
  /** Lifetime of access tokens from token exchange. Default 600. */
  setCiTokenTtl(seconds: number): void
  /**
   * Hold every token response this long after the grant was made (tokens issued, a refresh token rotated): the
   * moment a client interrupted mid-request has spent its grant without having its result. Default 0.
   */
  setTokenResponseDelay(ms: number): void
  /** Replace the CI trust policies (null: trust no CI token). */
  trustCiIssuer(policy: CiTrustPolicy | CiTrustPolicy[] | null): void
  /** The policies in force, filled in: what GET /v1/ci-trust publishes. */
  ciTrustRules(): CiTrustRuleRecord[]
  /** Whether a refresh token would still be accepted (not rotated away, revoked or expired). */
  isRefreshTokenActive(token: string): Promise<boolean>
  /** Whether an access token would still be accepted by /v1. */
  isAccessTokenActive(token: string): Promise<boolean>
  /** Back to the defaults, and no CI trust. */
  reset(): void
  settings(): OAuthSettings & { ciTrust: CiTrustRuleRecord[] }
}

export interface OAuthCaller {
  /** Stable per sign-in (the grant), so rate limits and idempotency keys survive refreshes. */
  key: string
  scopes: string[]
}

export interface OAuthServer {
  knobs: OAuthKnobs
  ciIssuer: CiIssuer
  /** Serve a request outside /v1 and /_admin: the sign-in pages, or oidc-provider. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>
  /** The caller behind an OAuth access token, or undefined when it is unknown, expired or revoked. */
  authenticate(token: string): Promise<OAuthCaller | undefined>
}

export interface OAuthOptions {
  issuer: string
  user: User
  password: string
  stats: PlatformStats
  onBug: (error: Error) => void
}

function whole(name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be a whole number ≥ ${min}, got ${value}`)
  return value
}

function validPolicy(policy: CiTrustPolicy, index: number, defaultIssuer: string): CiTrustRuleRecord {
  if (!policy.audience || !policy.subject) throw new RangeError('a CI trust policy needs an audience and a subject')
  const unknown = policy.scopes.filter((scope) => !(ALL_SCOPES as readonly string[]).includes(scope))
  if (unknown.length > 0 || policy.scopes.length === 0) {
    throw new RangeError(`a CI trust policy needs scopes from ${ALL_SCOPES.join(', ')}, got ${policy.scopes.join(', ') || 'none'}`)
  }
  return { ...policy, name: policy.name ?? `rule-${index + 1}`, issuer: policy.issuer ?? defaultIssuer, scopes: [...policy.scopes] }
}

/**
 * The subjects a token may be matched as. GitHub's immutable subject (2026; github.blog/changelog/2026-04-23-immutable-
 * subject-claims-for-github-actions-oidc-tokens, learn.microsoft.com/entra/workload-id/workload-identities-github-
 * immutable-subjects) appends ids with `@`: `repo:OWNER@OWNER_ID/REPO@REPO_ID:…`. A rule written in either form matches
 * a token in the other when the token's own repository, repository_owner_id and repository_id claims say the same.
 */
function subjectForms(claims: JWTPayload): string[] {
  const sub = claims.sub ?? ''
  const repository = typeof claims.repository === 'string' ? claims.repository : undefined
  const ownerId = claims.repository_owner_id === undefined ? undefined : String(claims.repository_owner_id)
  const repoId = claims.repository_id === undefined ? undefined : String(claims.repository_id)
  const withIds = /^repo:([^/@:]+)@(\d+)\/([^/@:]+)@(\d+):(.*)$/.exec(sub)
  if (withIds) {
    const [, owner, oid, repo, rid, rest] = withIds
    return oid === ownerId && rid === repoId && `${owner}/${repo}` === repository ? [sub, `repo:${owner}/${repo}:${rest}`] : [sub]
  }
  const withNames = /^repo:([^/@:]+)\/([^/@:]+):(.*)$/.exec(sub)
  if (withNames && ownerId && repoId && `${withNames[1]}/${withNames[2]}` === repository) {
    return [sub, `repo:${withNames[1]}@${ownerId}/${withNames[2]}@${repoId}:${withNames[3]}`]
  }
  return [sub]
}

/** The first condition of `policy` the token fails, past issuer and audience; undefined when it passes them all. */
function failedCondition(policy: CiTrustRuleRecord, claims: JWTPayload): 'subject' | 'repository' | 'ref' | 'environment' | undefined {
  if (!subjectForms(claims).some((form) => globMatches(policy.subject, form))) return 'subject'
  if (policy.repository !== undefined && claims.repository !== policy.repository) return 'repository'
  if (policy.ref !== undefined && !(typeof claims.ref === 'string' && globMatches(policy.ref, claims.ref))) return 'ref'
  if (policy.environment !== undefined && claims.environment !== policy.environment) return 'environment'
  return undefined
}

function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')
  return new RegExp(`^${source}$`).test(value)
}

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest())
}

/** XXXXXXXX → XXXX-XXXX, the mask the device flow prints. */
function displayUserCode(normalized: string): string {
  return normalized.length === 8 ? `${normalized.slice(0, 4)}-${normalized.slice(4)}` : normalized
}

function formField(form: string, name: string): string {
  return new RegExp(`name="${name}" value="([^"]*)"`).exec(form)?.[1] ?? ''
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > 64 * 1024) throw new Error('form too large')
    chunks.push(chunk)
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  if (res.headersSent) return
  const body = Buffer.from(html)
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length, 'cache-control': 'no-store' })
  res.end(body)
}

function sendJson(res: ServerResponse, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body))
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length, 'cache-control': 'max-age=60' })
  res.end(bytes)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export async function createOAuthServer(options: OAuthOptions): Promise<OAuthServer> {
  const { issuer, user, password, stats } = options
  const resource = `${issuer}/v1`
  const settings: OAuthSettings = { ...DEFAULT_OAUTH_SETTINGS }
  let ciTrust: CiTrustRuleRecord[] = []

  // Keys: one for oidc-provider's ID tokens, one for the test CI issuer. EC keys are quick to make.
  const signing = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })
  const ci = await generateKeyPair('ES256')
  const ciJwk = await exportJWK(ci.publicKey)
  const ciKid = sha256(JSON.stringify(ciJwk)).slice(0, 16)
  const ciIssuer = `${issuer}${CI_ISSUER_PATH}`
  const ciJwksUri = `${ciIssuer}/.well-known/jwks.json`
  // The exchange reads the issuer's keys as any relying party does: from its JWKS, over HTTP (loopback here).
  const ciKeys = createRemoteJWKSet(new URL(ciJwksUri))

  /** sha256(device_code) → the interval it was given and when it was last polled. */
  const polls = new Map<string, { interval: number; lastPollMs?: number; expiresAtMs: number }>()

  const configuration: Configuration = {
    adapter: createMemoryAdapter(),
    clients: [
      {
        client_id: CLIENT_ID,
        client_name: CLIENT_NAME,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', DEVICE_CODE_GRANT, 'refresh_token', TOKEN_EXCHANGE_GRANT],
        response_types: ['code'],
        // RFC 8252 §7.3: a native client's loopback redirect matches on any port (oidc-provider does so for native
        // clients); the path and the IP literal must match exactly.
        redirect_uris: [LOOPBACK_REDIRECT_URI],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [{ ...signing, kid: 'local-platform-1', alg: 'ES256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    scopes: ['openid', 'offline_access'],
    clientBasedCORS: () => false,
    async findAccount(_ctx, sub) {
      if (sub !== user.id) return undefined
      return { accountId: sub, claims: () => ({ sub, email: user.email, email_verified: true, name: user.name }) }
    },
    // A sign-in (device or browser) always shows the consent page, even in a browser that approved this client before.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined
    },
    // Every authorization-code request from the CLI must carry an S256 challenge (oidc-provider offers only S256).
    pkce: { required: () => true },
    rotateRefreshToken: true,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: () => settings.accessTokenTtl,
      RefreshToken: () => settings.refreshTokenTtl,
      DeviceCode: () => settings.deviceCodeTtl,
      AuthorizationCode: 60,
      BackchannelAuthenticationRequest: 600,
      ClientCredentials: 600,
      PreAuthorizedCode: 600,
      IdToken: 3600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: 366 * 24 * 3600,
    },
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      // Off, so access tokens are always for the API resource (and carry its scopes), never for userinfo.
      userinfo: { enabled: false },
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo(_ctx, indicator) {
          if (indicator !== resource) throw new errors.InvalidTarget(`the only resource here is ${resource}`)
          return { scope: ALL_SCOPES.join(' '), audience: resource, accessTokenFormat: 'opaque' }
        },
      },
      deviceFlow: {
        enabled: true,
        charset: 'base-20',
        mask: '****-****',
        userCodeInputSource(ctx, form, out, err) {
          const action = ctx.oidc.urlFor('code_verification')
          const xsrf = formField(form, 'xsrf')
          const state = ctx.state as { prefilledUserCode?: string }
          ctx.type = 'html'
          if (!err && state.prefilledUserCode) {
            ctx.body = confirmCodePage({ action, xsrf, userCode: state.prefilledUserCode, clientName: CLIENT_NAME })
            return
          }
          if (err?.name === 'AbortedError') {
            ctx.body = deniedPage()
            return
          }
          const messages: Record<string, string> = {
            NoCodeError: 'Enter the code shown in your terminal.',
            NotFoundError: 'That code is not known here. Check it against your terminal and try again.',
            ExpiredError: 'That code has expired. Start the sign-in again in your terminal.',
            AlreadyUsedError: 'That code has already been used.',
          }
          const error = err ? (messages[err.name] ?? out?.error_description ?? 'Something went wrong; try again.') : undefined
          const userCode = err && 'userCode' in err && typeof err.userCode === 'string' ? err.userCode : undefined
          ctx.body = enterCodePage({ action, xsrf, ...(userCode ? { userCode } : {}), ...(error ? { error } : {}) })
        },
        userCodeConfirmSource(ctx, form, client, _deviceInfo, userCode) {
          ctx.type = 'html'
          ctx.body = confirmCodePage({
            action: ctx.oidc.urlFor('code_verification'),
            xsrf: formField(form, 'xsrf'),
            userCode,
            clientName: client.clientName ?? client.clientId,
          })
        },
        successSource(ctx) {
          ctx.type = 'html'
          ctx.body = successPage(ctx.oidc.client?.clientName ?? CLIENT_NAME)
        },
      },
    },
    renderError(ctx, out) {
      ctx.type = 'html'
      ctx.body = errorPage('Something went wrong', out.error_description ?? out.error)
    },
  }

  const provider: OidcProvider = new Provider(issuer, configuration)
  provider.on('server_error', (_ctx: unknown, error: Error) => options.onBug(error))
  // oidc-provider answers every invalid_grant with "grant request is invalid" and keeps the reason for its logs;
  // a test platform can afford to say why (e.g. "refresh token already used").
  provider.on('grant.error', (ctx: KoaContextWithOIDC, error: { error_detail?: unknown }) => {
    if (typeof error.error_detail === 'string') (ctx.state as { errorDetail?: string }).errorDetail = error.error_detail
  })

  provider.registerGrantType<TokenExchangeParams>(
    TOKEN_EXCHANGE_GRANT,
    (ctx) => tokenExchange(ctx),
    ['subject_token', 'subject_token_type', 'requested_token_type', 'scope', 'audience', 'resource'],
  )

  // Around every oidc-provider request: prefilled codes, the poll interval, slow_down, and the counters.
  provider.use(async (koa, next) => {
    const ctx = koa as unknown as KoaContextWithOIDC & { state: { prefilledUserCode?: string } }
    if (ctx.method === 'GET' && ctx.path === '/device' && typeof ctx.query.user_code === 'string') {
      // verification_uri_complete: show the confirmation page with the code instead of auto-posting it with script.
      ctx.state.prefilledUserCode = ctx.query.user_code
      ctx.querystring = ''
    }
    const arrivedMs = Date.now()
    try {
      await next()
    } catch (error) {
      // oidc-provider 9 quirk: a device-page POST without a session cookie renders its error page, then fails to
      // persist the session it created while rendering. The page (status 400) is already in place; send it.
      if (!(error instanceof TypeError && error.message.includes('previously persisted Sessions'))) throw error
    }
    const route = ctx.oidc?.route
    if (route === 'device_authorization') return afterDeviceAuthorization(ctx)
    if (route === 'token') {
      afterTokenRequest(ctx, arrivedMs)
      if (settings.tokenResponseDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, settings.tokenResponseDelayMs))
      return
    }
    if (route === 'revocation') stats.oauth.revocations += 1
  })

  function afterDeviceAuthorization(ctx: KoaContextWithOIDC): void {
    if (ctx.status !== 200 || !isRecord(ctx.body) || typeof ctx.body.device_code !== 'string') return
    stats.oauth.deviceAuthorizations += 1
    const nowMs = Date.now()
    for (const [key, poll] of polls) if (poll.expiresAtMs < nowMs) polls.delete(key)
    const expiresIn = typeof ctx.body.expires_in === 'number' ? ctx.body.expires_in : settings.deviceCodeTtl
    polls.set(sha256(ctx.body.device_code), { interval: settings.pollInterval, expiresAtMs: nowMs + (expiresIn + 60) * 1000 })
    ctx.body = { ...ctx.body, interval: settings.pollInterval }
  }

  function afterTokenRequest(ctx: KoaContextWithOIDC, arrivedMs: number): void {
    const grantType = typeof ctx.oidc.params?.grant_type === 'string' ? ctx.oidc.params.grant_type : 'missing'
    const name = grantType.startsWith(GRANT_PREFIX) ? grantType.slice(GRANT_PREFIX.length) : grantType
    stats.oauth.tokenRequests[name] = (stats.oauth.tokenRequests[name] ?? 0) + 1
    const deviceCode = ctx.oidc.params?.device_code
    if (grantType === DEVICE_CODE_GRANT && typeof deviceCode === 'string') {
      const poll = polls.get(sha256(deviceCode))
      if (poll && isRecord(ctx.body) && ctx.body.error === 'authorization_pending') {
        const early = poll.lastPollMs !== undefined && arrivedMs - poll.lastPollMs < poll.interval * 1000 * TOO_FAST_SHARE
        poll.lastPollMs = arrivedMs
        if (early) {
          ctx.body = {
            error: 'slow_down',
            error_description: `poll at most every ${poll.interval} s; add 5 s to your interval (RFC 8628 §3.5)`,
          }
        }
      } else if (poll) {
        polls.delete(sha256(deviceCode))
      }
    }
    const detail = (ctx.state as { errorDetail?: string }).errorDetail
    if (isRecord(ctx.body) && ctx.body.error === 'invalid_grant' && detail) {
      ctx.body = { ...ctx.body, error_description: detail }
    }
    if (isRecord(ctx.body) && typeof ctx.body.error === 'string') {
      stats.oauth.tokenErrors[ctx.body.error] = (stats.oauth.tokenErrors[ctx.body.error] ?? 0) + 1
    }
  }

  type TokenExchangeParams = {
    subject_token?: string
    subject_token_type?: string
    requested_token_type?: string
    audience?: string
  }

  /** RFC 8693: a CI system's ID token in, a short-lived access token for /v1 out, never a refresh token. */
  async function tokenExchange(ctx: TokenEndpointGrantContext<TokenExchangeParams>): Promise<void> {
    const { params, client } = ctx.oidc
    const refuse = (description: string) => new errors.CustomOIDCProviderError('invalid_grant', description)
    if (!params.subject_token) throw new errors.InvalidRequest("missing required parameter 'subject_token'")
    if (params.subject_token_type !== ID_TOKEN_TYPE && params.subject_token_type !== JWT_TOKEN_TYPE) {
      throw new errors.InvalidRequest(`subject_token_type must be ${ID_TOKEN_TYPE} (or ${JWT_TOKEN_TYPE})`)
    }
    if (params.requested_token_type !== undefined && params.requested_token_type !== ACCESS_TOKEN_TYPE) {
      throw new errors.InvalidRequest(`requested_token_type can only be ${ACCESS_TOKEN_TYPE}`)
    }
    const requestedResource = params.resource ?? params.audience
    if (requestedResource !== undefined && requestedResource !== resource) {
      throw new errors.InvalidTarget(`the only resource here is ${resource}`)
    }
    if (ciTrust.length === 0) throw refuse('this platform trusts no CI identity provider')

    let claims: JWTPayload
    const issuers = [...new Set(ciTrust.map((policy) => policy.issuer))]
    try {
      // The keys come from the test issuer's JWKS, fetched over loopback, whichever trusted issuer the token names: the
      // local platform reaches no other host, so that JWKS stands in for every issuer a rule may name (e.g. GitHub's).
      ;({ payload: claims } = await jwtVerify(params.subject_token, ciKeys, {
        issuer: issuers,
        algorithms: ['ES256'],
        requiredClaims: ['exp', 'sub', 'aud'],
        clockTolerance: 5,
      }))
    } catch (error) {
      throw refuse(describeJoseFailure(error, issuers))
    }
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud ?? '']
    const fromIssuer = ciTrust.filter((policy) => policy.issuer === claims.iss)
    const forAudience = fromIssuer.filter((policy) => audiences.includes(policy.audience))
    if (forAudience.length === 0) {
      throw refuse(`subject_token audience ${JSON.stringify(claims.aud)} is not trusted (expected ${fromIssuer.map((p) => p.audience).join(' or ')})`)
    }
    const policy = forAudience.find((candidate) => failedCondition(candidate, claims) === undefined)
    if (!policy) {
      const failed = failedCondition(forAudience[0] as CiTrustRuleRecord, claims) ?? 'subject'
      const claim = failed === 'subject' ? 'sub' : failed
      throw refuse(`subject_token ${failed} ${JSON.stringify(claims[claim] ?? null)} is not trusted for this audience`)
    }

    const requested = params.scope ? params.scope.split(' ').filter(Boolean) : policy.scopes
    const beyond = requested.filter((scope) => !policy.scopes.includes(scope))
    if (beyond.length > 0) throw new errors.InvalidScope(`the CI trust policy does not allow ${beyond.join(' ')}`, beyond.join(' '))

    // No grant: nothing was consented to and nothing can refresh it. (The typings insist on a grantId; the runtime does not.)
    type AccessTokenProperties = ConstructorParameters<OidcProvider['AccessToken']>[0]
    const properties: Omit<AccessTokenProperties, 'grantId'> = {
      accountId: user.id,
      client,
      gty: 'token-exchange',
      scope: requested.join(' '),
      expiresIn: settings.ciTokenTtl,
      extra: { ci_iss: claims.iss, ci_sub: claims.sub },
    }
    const token = new provider.AccessToken(properties as AccessTokenProperties)
    token.resourceServer = new provider.ResourceServer(resource, { scope: ALL_SCOPES.join(' '), audience: resource, accessTokenFormat: 'opaque' })
    ctx.oidc.entity('AccessToken', token)
    const value = await token.save()
    ctx.body = {
      access_token: value,
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: 'Bearer',
      expires_in: token.expiration,
      scope: requested.join(' '),
    }
  }

  // The sign-in pages oidc-provider sends the browser to: /interaction/:uid (login, then consent).
  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, step: string | undefined): Promise<void> {
    const method = req.method ?? 'GET'
    if ((step === undefined && method !== 'GET') || (step !== undefined && method !== 'POST')) {
      res.setHeader('allow', step === undefined ? 'GET' : 'POST')
      return sendHtml(res, 405, errorPage('Method not allowed', `${method} is not allowed here.`))
    }
    // No interaction cookie (another browser, or the sign-in finished) makes this throw.
    const details = await provider.interactionDetails(req, res).catch(() => undefined)
    if (!details || details.uid !== uid) {
      return sendHtml(
        res,
        400,
        errorPage('Sign-in expired', 'This sign-in page has expired or belongs to another browser. Start again from your terminal.'),
      )
    }
    const deviceCode = details.deviceCode ? await provider.DeviceCode.find(details.deviceCode, { ignoreExpiration: true }) : undefined
    const userCode = deviceCode?.userCode ? displayUserCode(deviceCode.userCode) : undefined
    const prompt = details.prompt.name
    const base = `/interaction/${uid}`

    if (step === undefined) {
      if (prompt === 'login') return sendHtml(res, 200, loginPage({ action: `${base}/login`, ...(userCode ? { userCode } : {}) }))
      if (prompt === 'consent') {
        const scopes = String(details.params.scope ?? '').split(' ').filter(Boolean)
        return sendHtml(
          res,
          200,
          consentPage({ action: `${base}/decision`, clientName: CLIENT_NAME, email: user.email, scopes, ...(userCode ? { userCode } : {}) }),
        )
      }
      return sendHtml(res, 400, errorPage('Unexpected step', `This sign-in needs "${prompt}", which the local platform does not offer.`))
    }

    const form = await readForm(req)
    if (step === 'login' && prompt === 'login') {
      const email = form.get('email') ?? ''
      if (email.trim().toLowerCase() !== user.email || !sameSecret(form.get('password') ?? '', password)) {
        return sendHtml(
          res,
          401,
          loginPage({ action: `${base}/login`, email, error: 'Wrong email or password.', ...(userCode ? { userCode } : {}) }),
        )
      }
      return provider.interactionFinished(req, res, { login: { accountId: user.id } }, { mergeWithLastSubmission: false })
    }
    if (step === 'decision' && prompt === 'consent') {
      const decision = form.get('decision')
      if (decision === 'deny') {
        return provider.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: 'the user denied the sign-in request' },
          { mergeWithLastSubmission: false },
        )
      }
      if (decision !== 'approve') return sendHtml(res, 400, errorPage('Choose', 'Approve or Deny the request.'))
      const { accountId } = details.session ?? {}
      if (!accountId) return sendHtml(res, 400, errorPage('Sign-in expired', 'Sign in again from your terminal.'))
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId, clientId: String(details.params.client_id) })
      if (!grant) return sendHtml(res, 400, errorPage('Sign-in expired', 'Sign in again from your terminal.'))
      const missing = details.prompt.details as {
        missingOIDCScope?: string[]
        missingOIDCClaims?: string[]
        missingResourceScopes?: Record<string, string[]>
      }
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '))
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims)
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '))
      }
      const grantId = await grant.save()
      return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true })
    }
    return sendHtml(res, 400, errorPage('Out of step', 'This form does not belong to the current sign-in step. Go back and reload.'))
  }

  const callback = provider.callback()

  async function isActive(kind: 'AccessToken' | 'RefreshToken', token: string): Promise<boolean> {
    const found = kind === 'AccessToken' ? await provider.AccessToken.find(token) : await provider.RefreshToken.find(token)
    if (!found || found.isExpired || ('consumed' in found && found.consumed)) return false
    if (!found.grantId) return kind === 'AccessToken'
    const grant = await provider.Grant.find(found.grantId)
    return grant !== undefined && !grant.isExpired
  }

  const knobs: OAuthKnobs = {
    issuer,
    clientId: CLIENT_ID,
    resource,
    setAccessTokenTtl: (seconds) => void (settings.accessTokenTtl = whole('access token TTL', seconds)),
    setRefreshTokenTtl: (seconds) => void (settings.refreshTokenTtl = whole('refresh token TTL', seconds)),
    setDeviceCodeTtl: (seconds) => void (settings.deviceCodeTtl = whole('device code TTL', seconds)),
    setPollInterval: (seconds) => void (settings.pollInterval = whole('poll interval', seconds)),
    setCiTokenTtl: (seconds) => void (settings.ciTokenTtl = whole('CI token TTL', seconds)),
    setTokenResponseDelay: (ms) => void (settings.tokenResponseDelayMs = whole('token response delay', ms, 0)),
    trustCiIssuer(policy) {
      ciTrust = policy === null ? [] : (Array.isArray(policy) ? policy : [policy]).map((one, index) => validPolicy(one, index, ciIssuer))
    },
    ciTrustRules: () => ciTrust.map((policy) => ({ ...policy, scopes: [...policy.scopes] })),
    isRefreshTokenActive: (token) => isActive('RefreshToken', token),
    isAccessTokenActive: (token) => isActive('AccessToken', token),
    reset() {
      Object.assign(settings, DEFAULT_OAUTH_SETTINGS)
      ciTrust = []
    },
    settings: () => ({ ...settings, ciTrust: ciTrust.map((policy) => ({ ...policy, scopes: [...policy.scopes] })) }),
  }

  return {
    knobs,
    ciIssuer: {
      issuer: ciIssuer,
      jwksUri: ciJwksUri,
      async sign(claims) {
        const now = Math.floor(Date.now() / 1000)
        return new SignJWT({ iss: ciIssuer, iat: now, exp: now + 300, ...claims })
          .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: ciKid })
          .sign(ci.privateKey as CryptoKey)
      },
    },
    async handle(req, res) {
      const path = (req.url ?? '/').split('?')[0] ?? '/'
      if (path === `${CI_ISSUER_PATH}/.well-known/openid-configuration`) {
        return sendJson(res, { issuer: ciIssuer, jwks_uri: ciJwksUri, id_token_signing_alg_values_supported: ['ES256'] })
      }
      if (path === `${CI_ISSUER_PATH}/.well-known/jwks.json`) return sendJson(res, { keys: [{ ...ciJwk, kid: ciKid, alg: 'ES256', use: 'sig' }] })
      const found = /^\/interaction\/([\w-]+)(?:\/(login|decision))?$/.exec(path)
      if (found?.[1]) return interaction(req, res, found[1], found[2])
      return callback(req, res)
    },
    async authenticate(value) {
      const token = await provider.AccessToken.find(value)
      if (!token || token.isExpired || token.accountId !== user.id) return undefined
      const audiences = Array.isArray(token.aud) ? token.aud : [token.aud]
      if (!audiences.includes(resource)) return undefined
      if (token.grantId) {
        const grant = await provider.Grant.find(token.grantId)
        if (!grant || grant.isExpired || grant.clientId !== token.clientId) return undefined
      }
      return {
        key: sha256(token.grantId ? `oauth-grant:${token.grantId}` : `oauth-token:${token.jti}`),
        scopes: [...token.scopes].filter((scope) => (ALL_SCOPES as readonly string[]).includes(scope)),
      }
    },
  }
}

function describeJoseFailure(error: unknown, issuers: string[]): string {
  if (error instanceof joseErrors.JWTExpired) return 'subject_token has expired'
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return `subject_token issuer is not trusted (expected ${issuers.join(' or ')})`
    if (error.claim === 'nbf') return 'subject_token is not valid yet (nbf is in the future)'
    return `subject_token claim ${error.claim} is not valid: ${error.reason}`
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'subject_token signature does not verify: no key of the issuer has its kid'
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'subject_token signature does not verify with the trusted CI key'
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'subject_token must be signed with ES256'
  return 'subject_token is not a valid JWT'
}
