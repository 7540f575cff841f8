// Signing in: with a token from stdin, through the browser (OAuth device grant), or with a CI system's OIDC token.
import { z } from 'zod'
import { endpoints } from '../contract/index.js'
import {
  CLIENT_ID,
  DEFAULT_SCOPES,
  DEVICE_GRANT,
  ID_TOKEN_TYPE,
  TOKEN_EXCHANGE_GRANT,
  type DeviceAuthorization,
} from '../contract/oauth.js'
import { CancelledError, KeychainUnavailableError, NotSignedInError, RefusedError } from '../errors.js'
import type { Deps } from '../ports.js'
import { Secret } from '../secret.js'
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

/** `login --json`: the browser sign-in prints the device step, then the result; the other ways only the result. */
export const LoginOutput = z
  .union([DeviceStep, SignIn])
  .describe(
    'One JSON value of what `login --json` prints: signing in through the browser (device flow) first prints the device ' +
      'step (verification_uri, user_code, expires_in) on one line, for a wrapper to show, then the sign-in result; ' +
      '--with-token and --oidc-token-* print only the result. A failure after the step prints the error body (error.json) ' +
      'in place of the result.',
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
  return storeSignIn(tokens, input, deps)
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
      return polled.ok ? { ok: true as const, signIn: await storeSignIn(tokensFromResponse(polled.tokens, deps.clock.now()), options, deps) } : polled
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
  return { signIn: describeSignIn(deps.context, me, tokens, 'memory'), token }
}

/** Check the token, keep it in the chosen vault, and keep only non-secret facts in the profile, which becomes active. */
async function storeSignIn(tokens: StoredTokens, options: StoreOptions, deps: LoginDeps): Promise<SignIn> {
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
        scopes,
      },
    },
  }))
  return describeSignIn(deps.context, me, stored, storage)
}

function describeSignIn(
  context: LoginDeps['context'],
  me: { email: string; org: { name: string } },
  tokens: StoredTokens,
  storedIn: SignIn['stored_in'],
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
  }
}
