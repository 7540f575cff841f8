// The authorization-code grant's client-side rules for a native app: PKCE (RFC 7636), `state` (RFC 6749 §10.12) and the
// loopback redirect (RFC 8252 §7.3), as pure functions so each rule is tested on its own. Sources: the RFCs, from
// knowledge (https://www.rfc-editor.org/rfc/rfc7636, rfc6749, rfc8252).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { CancelledError, NotSignedInError, RefusedError } from '../errors.js'
import { Secret } from '../secret.js'

/** The path the loopback listener answers on; the only one it accepts. */
export const CALLBACK_PATH = '/callback'
/**
 * The redirect for `--remote`: no port, so nothing here listens (RFC 8252 §7.3 lets the port vary). A browser on another
 * machine fails to load it and shows the address, which the person copies back into the terminal.
 */
export const REMOTE_REDIRECT_URI = `http://127.0.0.1${CALLBACK_PATH}`

export interface Pkce {
  /** Stays in this process: sent only in the token request's body, never in a URL or an argv. */
  verifier: Secret
  challenge: string
  method: 'S256'
}

/** RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))). */
export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url')
}

/** RFC 7636 §4.1: 32 random octets, base64url (43 characters, within the 43–128 the RFC allows). */
export function newPkce(random: (bytes: number) => Buffer = randomBytes): Pkce {
  const verifier = random(32).toString('base64url')
  return { verifier: new Secret(verifier), challenge: s256Challenge(verifier), method: 'S256' }
}

/** An unguessable `state` that binds the browser's answer to this run (CSRF, RFC 6749 §10.12). */
export function newState(random: (bytes: number) => Buffer = randomBytes): string {
  return random(16).toString('base64url')
}

/** Constant-time comparison, so a wrong state tells nothing about the right one. */
export function sameState(expected: string, received: string | null | undefined): boolean {
  if (typeof received !== 'string') return false
  const a = createHash('sha256').update(expected).digest()
  const b = createHash('sha256').update(received).digest()
  return timingSafeEqual(a, b)
}

export function authorizationUrl(
  endpoint: string,
  request: { clientId: string; redirectUri: string; scopes: readonly string[]; state: string; pkce: Pkce },
): string {
  const url = new URL(endpoint)
  const params = {
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    scope: request.scopes.join(' '),
    state: request.state,
    code_challenge: request.pkce.challenge,
    code_challenge_method: request.pkce.method,
    // OpenID Connect Core §11: a refresh token (offline_access) is only granted where the person consented just now.
    prompt: 'consent',
  }
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value)
  return url.href
}

/**
 * The browser's answer (RFC 6749 §4.1.2 and §4.1.2.1), checked against this run's state before anything in it is used.
 * A denial is the person's choice (exit 3); another error or a state that does not match, a failed sign-in.
 */
export function readAuthorizationResponse(params: URLSearchParams, expectedState: string): { code: Secret } {
  if (!sameState(expectedState, params.get('state'))) {
    throw new RefusedError('The answer from the browser does not belong to this sign-in (its state does not match); nothing was stored.', {
      code: 'state_mismatch',
      hint: 'Run clowdops login again and finish it in the browser it opens; paste only the address of that sign-in.',
    })
  }
  const error = params.get('error')
  if (error === 'access_denied') throw new CancelledError('Sign-in was denied in the browser; nothing was stored.')
  if (error) {
    const description = params.get('error_description')
    throw new NotSignedInError(`Sign-in failed in the browser: ${description ?? error}.`, {
      code: error,
      hint: 'Run clowdops login again; where the browser cannot finish, try clowdops login --device.',
    })
  }
  const code = params.get('code')
  if (!code) {
    throw new NotSignedInError('The browser came back without an authorization code; nothing was stored.', {
      code: 'missing_code',
      hint: 'Run clowdops login again.',
    })
  }
  return { code: new Secret(code) }
}

/**
 * What the person pasted for `--remote`: the whole address the browser ended on (state checked), or the bare code
 * (PKCE still binds it to this run: a code issued to anyone else cannot be redeemed with our verifier).
 */
export function readPastedAnswer(pasted: string, expectedState: string): { code: Secret } {
  const text = pasted.trim()
  if (!text) {
    throw new RefusedError('Nothing was pasted; nothing was stored.', {
      code: 'empty_answer',
      hint: 'Paste the whole address your browser ended on (http://127.0.0.1/callback?code=…), or run clowdops login --device.',
    })
  }
  if (/^https?:\/\//i.test(text)) {
    const url = new URL(text)
    if (!isLoopbackCallback(url)) {
      throw new RefusedError(`That address is not the sign-in's redirect (${url.origin}${url.pathname}); nothing was stored.`, {
        code: 'not_the_redirect',
        hint: `Paste the address starting with ${REMOTE_REDIRECT_URI} that the browser shows after you approve.`,
      })
    }
    return readAuthorizationResponse(url.searchParams, expectedState)
  }
  if (/[\s?&=]/.test(text)) {
    throw new RefusedError('That is neither the address the browser ended on nor a code; nothing was stored.', {
      code: 'not_the_redirect',
      hint: `Paste the address starting with ${REMOTE_REDIRECT_URI} that the browser shows after you approve.`,
    })
  }
  return { code: new Secret(text) }
}

/** RFC 8252 §7.3: http, the loopback IP literal, any port, our path. */
function isLoopbackCallback(url: URL): boolean {
  return url.protocol === 'http:' && url.hostname === '127.0.0.1' && url.pathname === CALLBACK_PATH
}
