// OAuth helpers for tests against the local platform: walk the device sign-in pages with plain fetch and a tiny
// cookie jar (what a person does in the browser, minus the browser), start a device flow, poll, exchange tokens.
export const CLIENT_ID = 'clowdops-cli'
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token'
export const DEFAULT_SCOPE = 'openid offline_access projects:read projects:write'

export interface SignInOptions {
  email: string
  password: string
  decision: 'approve' | 'deny'
  /** Called with every page reached, to inspect it (e.g. the scopes on the consent page). */
  onPage?: (kind: string, html: string) => void
}

/** The page the walk ended on: `success` after Approve, `denied` after Deny (or Cancel). */
export interface WalkResult {
  page: 'success' | 'denied'
  /** Every page seen, in order, e.g. confirm-code, login, consent, success. */
  pages: string[]
}

interface Cookie {
  name: string
  value: string
  path: string
}

/** Enough of RFC 6265 for one host: name, value and path; expired cookies are dropped. */
export class CookieJar {
  private cookies: Cookie[] = []

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim())
      const eq = pair.indexOf('=')
      if (eq <= 0) continue
      const name = pair.slice(0, eq)
      const value = pair.slice(eq + 1)
      let path = '/'
      let expired = false
      for (const attribute of attributes) {
        const [key = '', ...rest] = attribute.split('=')
        const attributeValue = rest.join('=')
        if (key.toLowerCase() === 'path' && attributeValue.startsWith('/')) path = attributeValue
        if (key.toLowerCase() === 'max-age' && Number(attributeValue) <= 0) expired = true
        if (key.toLowerCase() === 'expires' && Date.parse(attributeValue) <= Date.now()) expired = true
      }
      this.cookies = this.cookies.filter((cookie) => cookie.name !== name || cookie.path !== path)
      if (!expired) this.cookies.push({ name, value, path })
    }
  }

  header(url: URL): string | undefined {
    const matching = this.cookies.filter(
      (cookie) => url.pathname === cookie.path || url.pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`),
    )
    return matching.length > 0 ? matching.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ') : undefined
  }
}

interface Page {
  url: URL
  status: number
  html: string
  kind: string
}

interface Form {
  action: URL
  fields: Record<string, string>
}

function decode(value: string): string {
  return value
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

function attribute(tag: string, name: string): string | undefined {
  const value = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag)?.[1]
  return value === undefined ? undefined : decode(value)
}

/** The form with this id: its action and the values of its hidden inputs. */
function formOf(page: Page, id: string): Form {
  const start = page.html.search(new RegExp(`<form[^>]*\\sid="${id}"`))
  if (start === -1) throw new Error(`no form#${id} on the ${page.kind} page at ${page.url.pathname}`)
  const end = page.html.indexOf('</form>', start)
  const html = page.html.slice(start, end === -1 ? undefined : end)
  const tag = /^<form[^>]*>/.exec(html)?.[0] ?? ''
  const fields: Record<string, string> = {}
  for (const input of html.match(/<input[^>]*>/g) ?? []) {
    const name = attribute(input, 'name')
    if (name !== undefined && attribute(input, 'type') === 'hidden') fields[name] = attribute(input, 'value') ?? ''
  }
  return { action: new URL(attribute(tag, 'action') ?? page.url.pathname, page.url), fields }
}

/** Text of the element with this id, tags stripped. */
export function textOf(html: string, id: string): string | undefined {
  const found = new RegExp(`<(\\w+)[^>]*\\sid="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html)
  return found?.[2] === undefined ? undefined : decode(found[2].replace(/<[^>]+>/g, '')).trim()
}

class Browser {
  readonly jar = new CookieJar()

  /** `stopAt`: a redirect to such an address is not followed; the walk ends there with a page of kind `redirect`. */
  constructor(private readonly stopAt: (url: URL) => boolean = () => false) {}

  async get(url: URL): Promise<Page> {
    return this.follow(url, { method: 'GET' })
  }

  async submit(form: Form, fields: Record<string, string>): Promise<Page> {
    const body = new URLSearchParams({ ...form.fields, ...fields })
    return this.follow(form.action, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  }

  private async follow(start: URL, init: { method: string; body?: URLSearchParams; headers?: Record<string, string> }): Promise<Page> {
    let url = start
    let request = init
    for (let hop = 0; hop < 10; hop++) {
      const headers = new Headers(request.headers)
      const cookie = this.jar.header(url)
      if (cookie) headers.set('cookie', cookie)
      const response = await fetch(url, { method: request.method, headers, body: request.body ?? null, redirect: 'manual' })
      this.jar.store(response)
      const location = response.headers.get('location')
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel()
        url = new URL(location, url)
        if (this.stopAt(url)) return { url, status: response.status, html: '', kind: 'redirect' }
        request = { method: 'GET' }
        continue
      }
      const html = await response.text()
      const kind = /<main[^>]*\sdata-page="([^"]+)"/.exec(html)?.[1] ?? 'unknown'
      return { url, status: response.status, html, kind }
    }
    throw new Error(`more than 10 redirects from ${start.href}`)
  }
}

/**
 * Complete the browser side of a device sign-in: the verification page (entering the code, or confirming the
 * prefilled one), the sign-in form, then Approve or Deny on the consent page. Throws on any unexpected page.
 */
export async function approveDeviceFlow(
  target: string | { verificationUri: string; userCode: string },
  options: SignInOptions,
): Promise<WalkResult> {
  const browser = new Browser()
  const userCode = typeof target === 'string' ? undefined : target.userCode
  let page = await browser.get(new URL(typeof target === 'string' ? target : target.verificationUri))
  const pages: string[] = []
  for (let step = 0; step < 8; step++) {
    pages.push(page.kind)
    options.onPage?.(page.kind, page.html)
    switch (page.kind) {
      case 'enter-code':
        if (textOf(page.html, 'error') !== undefined || userCode === undefined) {
          throw new Error(`the verification page refused the code: ${textOf(page.html, 'error') ?? 'no user code given'}`)
        }
        page = await browser.submit(formOf(page, 'device-form'), { user_code: userCode })
        break
      case 'confirm-code':
        page = await browser.submit(formOf(page, 'device-confirm-form'), { confirm: 'yes' })
        break
      case 'login':
        if (textOf(page.html, 'error') !== undefined && pages.filter((kind) => kind === 'login').length > 1) {
          throw new Error(`sign-in refused: ${textOf(page.html, 'error')}`)
        }
        page = await browser.submit(formOf(page, 'login-form'), { email: options.email, password: options.password })
        break
      case 'consent':
        page = await browser.submit(formOf(page, 'consent-form'), { decision: options.decision })
        break
      case 'success':
      case 'denied':
        return { page: page.kind, pages }
      default:
        throw new Error(
          `unexpected ${page.kind} page (HTTP ${page.status}) at ${page.url.pathname}: ${textOf(page.html, 'error') ?? page.html.slice(0, 300)}`,
        )
    }
  }
  throw new Error(`the device sign-in did not finish; pages: ${pages.join(' → ')}`)
}

/**
 * The browser side of an authorization-code sign-in (the CLI's default): the sign-in form, then Approve or Deny on the
 * consent page, then the redirect to the CLI's loopback listener, followed (its page ends the walk) unless `stopAtRedirect`
 * (a browser that cannot reach the listener: the walk ends with the address it was sent to).
 */
export async function approveAuthorizationRequest(
  authorizationUrl: string,
  options: SignInOptions & { stopAtRedirect?: boolean },
): Promise<{ pages: string[]; landed: { url: URL; status: number; kind: string } }> {
  const toLoopback = (url: URL) => url.hostname === '127.0.0.1' && url.pathname === '/callback'
  const browser = new Browser(options.stopAtRedirect ? toLoopback : undefined)
  let page = await browser.get(new URL(authorizationUrl))
  const pages: string[] = []
  for (let step = 0; step < 6; step++) {
    pages.push(page.kind)
    options.onPage?.(page.kind, page.html)
    if (page.kind === 'login') {
      page = await browser.submit(formOf(page, 'login-form'), { email: options.email, password: options.password })
    } else if (page.kind === 'consent') {
      page = await browser.submit(formOf(page, 'consent-form'), { decision: options.decision })
    } else if (page.kind === 'redirect' || toLoopback(page.url)) {
      return { pages, landed: { url: page.url, status: page.status, kind: page.kind } }
    } else {
      throw new Error(`unexpected ${page.kind} page (HTTP ${page.status}) at ${page.url.pathname}: ${textOf(page.html, 'error') ?? page.html.slice(0, 300)}`)
    }
  }
  throw new Error(`the browser sign-in did not finish; pages: ${pages.join(' → ')}`)
}

export interface DeviceAuthorization {
  device_code: string
  user_code: string
  verification_uri: string
  verification_uri_complete: string
  expires_in: number
  interval: number
}

export interface TokenSet {
  access_token: string
  token_type: string
  expires_in: number
  refresh_token?: string
  id_token?: string
  scope?: string
  issued_token_type?: string
}

export interface OAuthErrorBody {
  error: string
  error_description?: string
}

export type TokenResult = { ok: true; status: number; body: TokenSet } | { ok: false; status: number; body: OAuthErrorBody }

async function form(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(fields),
  })
}

/** POST to the platform's token endpoint (client_id added); never throws on an OAuth error. */
export async function tokenRequest(platformUrl: string, fields: Record<string, string>): Promise<TokenResult> {
  const response = await form(`${platformUrl}/token`, { client_id: CLIENT_ID, ...fields })
  const body = (await response.json()) as TokenSet & OAuthErrorBody
  return response.ok ? { ok: true, status: response.status, body } : { ok: false, status: response.status, body }
}

export async function startDeviceFlow(platformUrl: string, scope = DEFAULT_SCOPE): Promise<DeviceAuthorization> {
  const response = await form(`${platformUrl}/device/auth`, { client_id: CLIENT_ID, scope })
  if (!response.ok) throw new Error(`device authorization failed: HTTP ${response.status} ${await response.text()}`)
  return (await response.json()) as DeviceAuthorization
}

export function pollDeviceToken(platformUrl: string, deviceCode: string): Promise<TokenResult> {
  return tokenRequest(platformUrl, { grant_type: DEVICE_CODE_GRANT, device_code: deviceCode })
}

export function refreshTokens(platformUrl: string, refreshToken: string): Promise<TokenResult> {
  return tokenRequest(platformUrl, { grant_type: 'refresh_token', refresh_token: refreshToken })
}

export async function revokeToken(platformUrl: string, token: string, hint?: 'access_token' | 'refresh_token'): Promise<number> {
  const response = await form(`${platformUrl}/token/revocation`, {
    client_id: CLIENT_ID,
    token,
    ...(hint ? { token_type_hint: hint } : {}),
  })
  await response.body?.cancel()
  return response.status
}

export function exchangeCiToken(platformUrl: string, subjectToken: string, extra: Record<string, string> = {}): Promise<TokenResult> {
  return tokenRequest(platformUrl, {
    grant_type: TOKEN_EXCHANGE_GRANT,
    subject_token: subjectToken,
    subject_token_type: ID_TOKEN_TYPE,
    ...extra,
  })
}

/**
 * A whole device sign-in without a browser: authorize, approve through the pages, then one poll (the approval
 * is done before the first poll, so no interval wait). Returns the tokens.
 */
export async function signInWithDeviceFlow(
  platform: { url: string; user: { email: string; password: string } },
  scope = DEFAULT_SCOPE,
): Promise<TokenSet> {
  const authorization = await startDeviceFlow(platform.url, scope)
  await approveDeviceFlow(authorization.verification_uri_complete, { ...platform.user, decision: 'approve' })
  const result = await pollDeviceToken(platform.url, authorization.device_code)
  if (!result.ok) throw new Error(`device sign-in failed: ${result.body.error} ${result.body.error_description ?? ''}`)
  return result.body
}
