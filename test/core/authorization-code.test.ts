// The browser sign-in's client-side rules, one by one: PKCE S256 (RFC 7636 Appendix B), state, the authorization
// request, the answer from the browser or pasted back, and which way a person signs in.
import { describe, expect, it } from 'vitest'
import {
  REMOTE_REDIRECT_URI,
  authorizationUrl,
  newPkce,
  newState,
  readAuthorizationResponse,
  readPastedAnswer,
  s256Challenge,
  sameState,
} from '../../src/core/auth/authorization-code.js'
import { browserUnavailable, chooseSignIn } from '../../src/core/auth/sign-in-choice.js'
import { ClowdopsError } from '../../src/core/errors.js'

// RFC 7636 Appendix B: the 32 octets, the verifier they encode to, and its S256 challenge.
const APPENDIX_B_OCTETS = [
  116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83,
  132, 141, 121,
]
const APPENDIX_B_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
const APPENDIX_B_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

function failure(run: () => unknown): ClowdopsError {
  try {
    run()
  } catch (error) {
    if (error instanceof ClowdopsError) return error
    throw error
  }
  throw new Error('expected a ClowdopsError')
}

describe('PKCE (RFC 7636)', () => {
  it('S256 of the Appendix B verifier is the Appendix B challenge', () => {
    expect(s256Challenge(APPENDIX_B_VERIFIER)).toBe(APPENDIX_B_CHALLENGE)
  })

  it('the Appendix B octets make the Appendix B verifier and challenge', () => {
    const pkce = newPkce(() => Buffer.from(APPENDIX_B_OCTETS))
    expect(pkce.verifier.reveal()).toBe(APPENDIX_B_VERIFIER)
    expect(pkce).toMatchObject({ challenge: APPENDIX_B_CHALLENGE, method: 'S256' })
  })

  it('a fresh verifier is 43 unreserved characters, different each time, and never shown', () => {
    const [a, b] = [newPkce(), newPkce()]
    expect(a.verifier.reveal()).toMatch(/^[A-Za-z0-9\-._~]{43}$/)
    expect(a.verifier.reveal()).not.toBe(b.verifier.reveal())
    expect(JSON.stringify(a)).not.toContain(a.verifier.reveal())
  })
})

describe('the authorization request', () => {
  const pkce = newPkce(() => Buffer.from(APPENDIX_B_OCTETS))
  const url = new URL(
    authorizationUrl('https://clowd.test/auth', {
      clientId: 'clowdops-cli',
      redirectUri: 'http://127.0.0.1:49152/callback',
      scopes: ['openid', 'projects:read'],
      state: 'st4te',
      pkce,
    }),
  )

  it('asks for a code with the S256 challenge, the state and the exact redirect', () => {
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'clowdops-cli',
      redirect_uri: 'http://127.0.0.1:49152/callback',
      scope: 'openid projects:read',
      state: 'st4te',
      code_challenge: APPENDIX_B_CHALLENGE,
      code_challenge_method: 'S256',
      prompt: 'consent',
    })
  })

  it('carries no secret: the verifier is not in the address', () => {
    expect(url.href).not.toContain(APPENDIX_B_VERIFIER)
  })
})

describe('state', () => {
  it('is unguessable: 128 random bits, base64url', () => {
    expect(newState()).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(newState()).not.toBe(newState())
  })

  it('matches only itself', () => {
    expect(sameState('abc', 'abc')).toBe(true)
    expect(sameState('abc', 'abd')).toBe(false)
    expect(sameState('abc', '')).toBe(false)
    expect(sameState('abc', null)).toBe(false)
  })
})

describe("the browser's answer", () => {
  const answer = (query: string) => readAuthorizationResponse(new URLSearchParams(query), 'good')

  it('a code with the right state is taken', () => {
    expect(answer('code=c0de&state=good').code.reveal()).toBe('c0de')
  })

  it('a wrong or missing state is refused before the code is looked at (exit 10)', () => {
    for (const query of ['code=c0de&state=evil', 'code=c0de', 'error=access_denied&state=evil']) {
      const error = failure(() => answer(query))
      expect(error).toMatchObject({ code: 'state_mismatch', exitCode: 10 })
      expect(error.message).not.toContain('c0de')
    }
  })

  it('access_denied is the person saying no (exit 3); other errors are a failed sign-in (exit 4)', () => {
    expect(failure(() => answer('error=access_denied&state=good'))).toMatchObject({ exitCode: 3 })
    expect(failure(() => answer('error=server_error&error_description=down&state=good'))).toMatchObject({ code: 'server_error', exitCode: 4 })
    expect(failure(() => answer('state=good'))).toMatchObject({ code: 'missing_code', exitCode: 4 })
  })
})

describe('the answer pasted back (--remote)', () => {
  it('the whole address the browser ended on, state checked', () => {
    expect(readPastedAnswer(`  ${REMOTE_REDIRECT_URI}?code=c0de&state=good \n`, 'good').code.reveal()).toBe('c0de')
    expect(readPastedAnswer('http://127.0.0.1:8123/callback?code=c0de&state=good', 'good').code.reveal()).toBe('c0de')
    expect(failure(() => readPastedAnswer(`${REMOTE_REDIRECT_URI}?code=c0de&state=evil`, 'good')).code).toBe('state_mismatch')
  })

  it('the bare code (PKCE binds it to this run)', () => {
    expect(readPastedAnswer('c0de-XYZ_1', 'good').code.reveal()).toBe('c0de-XYZ_1')
  })

  it('another address, nothing, or a fragment of a query is refused (exit 10)', () => {
    for (const pasted of ['https://evil.test/callback?code=c0de&state=good', 'http://localhost/callback?code=c&state=good', '', 'code=c0de&state=good']) {
      expect(failure(() => readPastedAnswer(pasted, 'good')).exitCode, pasted).toBe(10)
    }
  })
})

describe('which way a person signs in', () => {
  const desktop = { DISPLAY: ':0' }
  const flags = { device: false, remote: false, browser: true }

  it('the browser where one can open: a display on Linux, always on macOS and Windows', () => {
    expect(chooseSignIn(flags, desktop, 'linux')).toEqual({ way: 'browser' })
    expect(chooseSignIn(flags, { WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toEqual({ way: 'browser' })
    expect(chooseSignIn(flags, {}, 'darwin')).toEqual({ way: 'browser' })
    expect(chooseSignIn(flags, {}, 'win32')).toEqual({ way: 'browser' })
  })

  it('a device code where none can, saying why', () => {
    expect(chooseSignIn(flags, {}, 'linux')).toEqual({ way: 'device', reason: expect.stringContaining('no display') })
    expect(chooseSignIn(flags, { ...desktop, SSH_CONNECTION: '10.0.0.1 5 10.0.0.2 22' }, 'linux').reason).toContain('SSH_CONNECTION')
    expect(chooseSignIn(flags, { SSH_TTY: '/dev/pts/1' }, 'darwin').reason).toContain('SSH_TTY')
    expect(chooseSignIn({ ...flags, browser: false }, desktop, 'linux')).toEqual({ way: 'device', reason: '--no-browser was given' })
  })

  it('$BROWSER says how to open a page, so it counts as one that can', () => {
    expect(browserUnavailable({ BROWSER: 'w3m', SSH_TTY: '/dev/pts/1' }, 'linux')).toBeUndefined()
    expect(browserUnavailable({ BROWSER: '  ' }, 'linux')).toBeDefined()
  })

  it('--device and --remote are taken as asked, without a reason to give', () => {
    expect(chooseSignIn({ ...flags, device: true }, desktop, 'linux')).toEqual({ way: 'device' })
    expect(chooseSignIn({ ...flags, remote: true }, {}, 'linux')).toEqual({ way: 'remote' })
  })
})
