// Signing in: through the browser (authorization code with PKCE), with a device code, with a token from stdin, or with a
// CI system's OIDC token.
import { z } from 'zod'
import { endpoints } from '../contract/index.js'
import {
  AUTHORIZATION_CODE_GRANT,
  CLIENT_ID,
  DEFAULT_SCOPES,
  DEVICE_GRANT,
  ID_TOKEN_TYPE,
  TOKEN_EXCHANGE_GRANT,
  type AuthServerMetadata,
  type DeviceAuthorization,
} from '../contract/oauth.js'
import { CancelledError, ClowdopsError, ExitCode, KeychainUnavailableError, NotSignedInError, RefusedError, UsageError } from '../errors.js'
import type { Deps, Prompter } from '../ports.js'
import { SignInMethod } from '../profile.js'
import { Secret } from '../secret.js'
import { REMOTE_REDIRECT_URI, authorizationUrl, newPkce, newState, readAuthorizationResponse, readPastedAnswer } from './authorization-code.js'
import { LOGIN_HINT, tokensFromResponse, vaultOf } from './session.js'
import { type StoredTokens, sealTokens } from './tokens.js'

export const SignIn = z.object({
  profile: z.string(),
  api_url: z.string(),
  account: z.string(),
  org: z.string(),
  token_kind: z.enum(['personal_access_token', 'oauth']),
  stored_in: z.enum(['keychain', 'file', 'memory']),
  expires_at: z.string().nullable(),
  scopes: z.array(z.string()),
  signed_in_with: SignInMethod,
})
export type SignIn = z.infer<typeof SignIn>

/** The device-flow step, as shown to the person (and printed as one JSON object under --json). */
export const DeviceStep = z.object({
  verification_uri: z.string(),
  verification_uri_complete: z.string().optional(),
  user_code: z.string(),
  expires_in: z.number(),
})
export type DeviceStep = z.infer<typeof DeviceStep>

/** The browser sign-in's step: the page the browser was sent to (it carries no secret: the PKCE verifier stays here). */
export const BrowserStep = z.object({ authorization_url: z.string() })
export type BrowserStep = z.infer<typeof BrowserStep>

/** `login --json`: the browser and device sign-ins print their step, then the result; the other ways only the result. */
export const LoginOutput = z
  .union([DeviceStep, BrowserStep, SignIn])
  .describe(
    'One JSON value of what `login --json` prints: the browser sign-in first prints the page it opens (authorization_url), ' +
      'the device sign-in the device step (verification_uri, user_code, expires_in), each on one line for a wrapper to ' +
      'show, then the sign-in result; --with-token and --oidc-token-* print only the result. A failure after the step ' +
      'prints the error body (error.json) in place of the result.',
  )

type LoginDeps = Pick<Deps, 'api' | 'auth' | 'clock' | 'config' | 'context' | 'vaults'> & Partial<Pick<Deps, 'interruption'>>

export interface StoreOptions {
  insecureStorage: boolean
}

/** The ways to sign in that need no OS keychain, offered wherever a sign-in cannot be kept in one. */
export const WITHOUT_KEYCHAIN_HINT =
  'Without a keychain: clowdops login --insecure-storage keeps the token in a 0600 file (a reminder once a day); or pipe a personal access ' +
  'token (made on the platform) to clowdops login --with-token --insecure-storage; in CI, set CLOWDOPS_TOKEN to it.'

/**
 * Before anything is typed or sent: where the keychain cannot keep the token, the person would otherwise approve in the
 * browser (or type a token) only to be told afterwards that nothing could be stored.
 */
async function checkTokenStorage(options: StoreOptions, deps: Pick<LoginDeps, 'context' | 'vaults'>): Promise<void> {
  if (options.insecureStorage) return
  try {
    await deps.vaults.keychain.checkWritable(deps.context.profileName)
  } catch (error) {
    if (!(error instanceof KeychainUnavailableError)) throw error
    throw new KeychainUnavailableError(`${error.message} Nothing was sent to the platform.`, { code: error.code, hint: WITHOUT_KEYCHAIN_HINT })
  }
}

/** `login --with-token`: the token is read once the keychain is known usable, and checked with GET /v1/me before it is stored. */
export async function loginWithToken(input: StoreOptions & { readToken: () => Promise<Secret> }, deps: LoginDeps): Promise<SignIn> {
  await checkTokenStorage(input, deps)
  const value = (await input.readToken()).reveal().trim()
  if (!value) throw new RefusedError('No token on stdin.', { code: 'empty_token', hint: 'Pipe it in: clowdops login --with-token < token.txt' })
  const tokens: StoredTokens = { kind: 'personal_access_token', access_token: value, scopes: [] }
  return storeSignIn(tokens, input, 'token', deps)
}

/** How long the loopback listener waits for the browser: as long as a device code lives on the local platform. */
export const BROWSER_ANSWER_TIMEOUT_MS = 10 * 60 * 1000

type BrowserLoginDeps = LoginDeps & Pick<Deps, 'loopback'> & Partial<Pick<Deps, 'prompter'>>

/**
 * The authorization-code grant with PKCE for a native app (RFC 8252): the browser signs the person in on the platform and
 * comes back to 127.0.0.1 with a code, which only this process can redeem (it alone holds the verifier). With `remote`,
 * nothing listens: the person pastes back the address the browser ended on.
 */
export async function loginWithBrowser(
  input: StoreOptions & { scopes?: string[]; remote: boolean; onStep: (step: BrowserStep) => void | Promise<void> },
  deps: BrowserLoginDeps,
): Promise<SignIn> {
  const { prompter } = deps
  if (input.remote && !prompter) {
    throw new UsageError("--remote needs a terminal to paste the browser's address into.", {
      hint: 'Run it at a terminal without --json, or sign in with a code: clowdops login --device',
    })
  }
  await checkTokenStorage(input, deps)
  const metadata = await deps.auth.discover(deps.context.apiUrl.url)
  const endpoint = authorizationEndpointOf(metadata)
  const pkce = newPkce()
  const state = newState()
  const request = { clientId: CLIENT_ID, scopes: input.scopes ?? DEFAULT_SCOPES, state, pkce }
  const show = (redirectUri: string) => input.onStep({ authorization_url: authorizationUrl(endpoint, { ...request, redirectUri }) })

  const answer = prompter && input.remote ? await pastedAnswer(state, show, prompter) : await loopbackAnswer(state, show, deps)
  const uninterrupted = deps.interruption?.uninterrupted.bind(deps.interruption) ?? (<T>(work: () => Promise<T>) => work())
  return uninterrupted(async () => {
    const result = await deps.auth.token(metadata, {
      grant_type: AUTHORIZATION_CODE_GRANT,
      code: answer.code,
      // RFC 6749 §4.1.3: the same redirect_uri as in the authorization request.
      redirect_uri: answer.redirectUri,
      client_id: CLIENT_ID,
      code_verifier: pkce.verifier,
    })
    if (!result.ok) {
      throw new NotSignedInError(`The platform refused the sign-in: ${result.error.error_description ?? result.error.error}.`, {
        code: result.error.error,
        hint: 'Run clowdops login again (a code can be used once, within a minute).',
      })
    }
    return storeSignIn(tokensFromResponse(result.tokens, deps.clock.now()), input, 'browser', deps)
  })
}

interface BrowserAnswer {
  code: Secret
  redirectUri: string
}

/** The browser on this machine comes back to the loopback listener, which closes once answered, timed out or interrupted. */
async function loopbackAnswer(state: string, show: (redirectUri: string) => void | Promise<void>, deps: BrowserLoginDeps): Promise<BrowserAnswer> {
  const signal = deps.interruption?.signal ?? new AbortController().signal
  const listener = await deps.loopback.listen({ state, timeoutMs: BROWSER_ANSWER_TIMEOUT_MS, signal })
  try {
    await show(listener.redirectUri)
    const params = await listener.answer()
    if (!params) throw browserTimedOut()
    return { ...readAuthorizationResponse(params, state), redirectUri: listener.redirectUri }
  } finally {
    await listener.close()
  }
}

/** `--remote`: a browser elsewhere cannot reach this machine, so the person pastes back where it ended. */
async function pastedAnswer(state: string, show: (redirectUri: string) => void | Promise<void>, prompter: Prompter): Promise<BrowserAnswer> {
  await show(REMOTE_REDIRECT_URI)
  const pasted = await prompter.text('Paste the address your browser ended on (or the code it shows)')
  return { ...readPastedAnswer(pasted, state), redirectUri: REMOTE_REDIRECT_URI }
}

/** RFC 8414 §2: no authorization endpoint, or PKCE without S256, means no browser sign-in here. */
function authorizationEndpointOf(metadata: AuthServerMetadata): string {
  const methods = metadata.code_challenge_methods_supported
  if (!metadata.authorization_endpoint || (methods && !methods.includes('S256'))) {
    throw new ClowdopsError('browser_sign_in_unsupported', ExitCode.failure, 'This platform offers no browser sign-in with PKCE (S256).', {
      hint: 'Sign in with a code instead: clowdops login --device',
    })
  }
  return metadata.authorization_endpoint
}

function browserTimedOut(): NotSignedInError {
  return new NotSignedInError(`No answer from the browser within ${BROWSER_ANSWER_TIMEOUT_MS / 60_000} min; nothing was stored.`, {
    code: 'browser_timeout',
    hint: 'Run clowdops login again; with the browser on another machine use --remote, with none at all --device.',
  })
}

/** The OAuth 2.0 device authorization grant (RFC 8628): show a code, poll until the person approves in a browser. */
export async function loginWithDevice(
  input: StoreOptions & { scopes?: string[]; onStep: (step: DeviceStep) => void | Promise<void> },
  deps: LoginDeps,
): Promise<SignIn> {
  await checkTokenStorage(input, deps)
  const metadata = await deps.auth.discover(deps.context.apiUrl.url)
  const device = await deps.auth.startDeviceFlow(metadata, input.scopes ?? DEFAULT_SCOPES)
  await input.onStep({
    verification_uri: device.verification_uri,
    ...(device.verification_uri_complete ? { verification_uri_complete: device.verification_uri_complete } : {}),
    user_code: device.user_code,
    expires_in: device.expires_in,
  })
  return pollForSignIn(device, metadata, input, deps)
}

const SLOW_DOWN_STEP_MS = 5000

/** Polls until approved, then stores the tokens. Ctrl-C ends the waits between polls, never a grant before it is stored. */
async function pollForSignIn(
  device: DeviceAuthorization,
  metadata: Awaited<ReturnType<LoginDeps['auth']['discover']>>,
  options: StoreOptions,
  deps: LoginDeps,
): Promise<SignIn> {
  let intervalMs = (device.interval ?? 5) * 1000
  const deadline = deps.clock.now().getTime() + device.expires_in * 1000
  const uninterrupted = deps.interruption?.uninterrupted.bind(deps.interruption) ?? (<T>(work: () => Promise<T>) => work())
  for (;;) {
    await deps.clock.sleep(intervalMs)
    const result = await uninterrupted(async () => {
      const polled = await deps.auth.token(metadata, {
        grant_type: DEVICE_GRANT,
        device_code: new Secret(device.device_code),
        client_id: CLIENT_ID,
      })
      return polled.ok ? { ok: true as const, signIn: await storeSignIn(tokensFromResponse(polled.tokens, deps.clock.now()), options, 'device', deps) } : polled
    })
    if (result.ok) return result.signIn
    switch (result.error.error) {
      case 'authorization_pending':
        if (deps.clock.now().getTime() > deadline) throw expired()
        continue
      case 'slow_down':
        intervalMs += SLOW_DOWN_STEP_MS // RFC 8628 §3.5: add 5 seconds to every later interval
        continue
      case 'expired_token':
        throw expired()
      case 'access_denied':
        throw new CancelledError('Sign-in was denied in the browser; nothing was stored.')
      default:
        throw new NotSignedInError(`Sign-in failed: ${result.error.error_description ?? result.error.error}.`, {
          code: result.error.error,
          hint: LOGIN_HINT,
        })
    }
  }
}

function expired(): NotSignedInError {
  return new NotSignedInError('The sign-in code expired before it was approved; nothing was stored.', {
    code: 'expired_token',
    hint: 'Run clowdops login again and approve within the time shown.',
  })
}

/**
 * CI without stored secrets: exchange the CI system's OIDC ID token for a short-lived ClowdOps token (RFC 8693).
 * Nothing is stored; the token is returned for --print, or only checked.
 */
export async function exchangeCiToken(
  input: { idToken: Secret; scopes?: string[] },
  deps: Pick<Deps, 'api' | 'auth' | 'clock' | 'context'>,
): Promise<{ signIn: SignIn; token: Secret }> {
  const metadata = await deps.auth.discover(deps.context.apiUrl.url)
  const result = await deps.auth.token(metadata, {
    grant_type: TOKEN_EXCHANGE_GRANT,
    subject_token: input.idToken,
    subject_token_type: ID_TOKEN_TYPE,
    client_id: CLIENT_ID,
    ...(input.scopes ? { scope: input.scopes.join(' ') } : {}),
  })
  if (!result.ok) {
    throw new NotSignedInError(`The platform refused the CI token: ${result.error.error_description ?? result.error.error}.`, {
      code: result.error.error,
      hint: 'Run clowdops auth ci-check in the same job: it says which claim does not match the trust rules and what to change.',
    })
  }
  const tokens = tokensFromResponse({ ...result.tokens, refresh_token: undefined }, deps.clock.now())
  const token = new Secret(tokens.access_token)
  const me = await deps.api.call(endpoints.me, { token })
  return { signIn: describeSignIn(deps.context, me, tokens, 'memory', 'ci'), token }
}

/** Check the token, keep it in the chosen vault, and keep only non-secret facts in the profile, which becomes active. */
async function storeSignIn(tokens: StoredTokens, options: StoreOptions, method: SignInMethod, deps: LoginDeps): Promise<SignIn> {
  const me = await deps.api.call(endpoints.me, { token: new Secret(tokens.access_token) })
  const scopes = tokens.scopes.length > 0 ? tokens.scopes : me.scopes
  const stored = { ...tokens, scopes }
  const storage = options.insecureStorage ? 'file' : 'keychain'
  const name = deps.context.profileName
  try {
    await vaultOf(deps, storage).write(name, sealTokens(stored))
  } catch (error) {
    if (!(error instanceof KeychainUnavailableError)) throw error
    throw new KeychainUnavailableError(`${error.message} Nothing was stored.`, { code: error.code, hint: WITHOUT_KEYCHAIN_HINT })
  }
  // A sign-in moved between keychain and file must not leave the old copy behind.
  await vaultOf(deps, storage === 'file' ? 'keychain' : 'file').delete(name).catch(() => false)
  await deps.config.update((file) => ({
    ...file,
    active_profile: name,
    profiles: {
      ...file.profiles,
      [name]: {
        ...file.profiles[name],
        ...(deps.context.apiUrl.source === 'default' ? {} : { api_url: deps.context.apiUrl.url }),
        account: me.email,
        org: me.org.name,
        token_storage: storage,
        token_kind: stored.kind,
        token_expires_at: stored.expires_at,
        signed_in_with: method,
        scopes,
      },
    },
  }))
  return describeSignIn(deps.context, me, stored, storage, method)
}

function describeSignIn(
  context: LoginDeps['context'],
  me: { email: string; org: { name: string } },
  tokens: StoredTokens,
  storedIn: SignIn['stored_in'],
  method: SignInMethod,
): SignIn {
  return {
    profile: context.profileName,
    api_url: context.apiUrl.url,
    account: me.email,
    org: me.org.name,
    token_kind: tokens.kind,
    stored_in: storedIn,
    expires_at: tokens.expires_at ?? null,
    scopes: tokens.scopes,
    signed_in_with: method,
  }
}
