// Every command's `--json` output against its published JSON Schema (docs/schemas/), checked by a third-party validator
// (ajv) the way a consumer would: each command of the oclif manifest that has --json runs where it succeeds and where it
// fails, with the built CLI against the local platform and the test keychain (scripts/with-keyring.sh).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ValidateFunction } from 'ajv'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { ERROR_SCHEMA_FILE, schemaFileName } from '../../src/cli/json-schemas.js'
import { Registration } from '../../src/core/credentials/register.js'
import { Created } from '../../src/core/privacy/requests.js'
import { ALL_SCOPES, type Platform, type PrivacySettings, startPlatform, storedState } from '../platform/server.js'
import { type CliResult, freshConfigDir, runCli, startCli } from '../support/cli.js'
import { ourCommands, publishedSchemas, strictAjv } from '../support/json-schemas.js'
import { inCI, missingKeyringReason, testKeyringReady } from '../support/keyring.js'
import { approveDeviceFlow } from '../support/oauth.js'

/** Work on a verified request starts and ends at once, so `wait` and `download` succeed without moving the clock. */
const INSTANT: Partial<PrivacySettings> = { startAfterMs: 0, workMs: 0 }
const REJECTED_TOKEN = 'cop_notAValidTokenAtAllxxxxxxxxxxxxxxxx'
const UNKNOWN_REQUEST = '5b0f6c1e-8a47-4c1a-9e55-0c5f2a1d9b7e'
/** Commands of ours without --json, and why: they print nothing a schema could describe. */
const WITHOUT_JSON: Record<string, string> = { 'auth:token': 'prints the token itself, for piping' }

let platform: Platform
let env: Record<string, string>
let projectId: string
let sandboxId: string

/** A command with --json added; `extraEnv` may override the sign-in or the config directory. */
function json(args: string[], extraEnv: Record<string, string | undefined> = {}, input?: string): Promise<CliResult> {
  return runCli([...args, '--json'], { ...env, ...extraEnv }, input)
}

/** The same fixture for every check that only reads it. */
function shared<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined
  return () => (made ??= make())
}

const workdir = () => mkdtempSync(join(tmpdir(), 'clowdops-json-'))
let serial = 0
const fakeKey = (prefix: 'sk-svcacct-' | 'sk-admin-') => `${prefix}FAKEfakeFAKEfakeFAKEfake${Date.now()}x${String((serial += 1)).padStart(4, '0')}`
const keychainService = () => `clowdops-json-${process.pid}-${(serial += 1)}`
/** Sign-ins are kept in the keychain by profile name: one of its own, so other test files never see it. */
const ownProfile = () => `json-${process.pid}-${(serial += 1)}`
/** Without a reachable Secret Service the keychain is unavailable (exit 9). */
const NO_KEYCHAIN = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' }

/** A config directory whose config.json is not JSON: every command that reads it fails with config_invalid. */
function brokenConfig(): Record<string, string> {
  const dir = freshConfigDir()
  writeFileSync(join(dir, 'config.json'), '{"profiles": ', { mode: 0o600 })
  return { CLOWDOPS_CONFIG_DIR: dir }
}

/** Runs the set-up command and fails the check at once if it did not work. */
async function prepared(result: Promise<CliResult>): Promise<CliResult> {
  const done = await result
  if (done.code !== 0) throw new Error(`set-up failed (exit ${done.code}): ${done.stderr}${done.stdout}`)
  return done
}

async function addCredential(): Promise<string> {
  const added = await prepared(json(['credentials', 'add', 'openai', '--label', `json-${(serial += 1)}`, '--project', projectId, '--field', 'api_key=env:KEY'], { KEY: fakeKey('sk-svcacct-') }))
  return Registration.parse(JSON.parse(added.stdout)).credential.id
}
const sharedCredential = shared(addCredential)

/** A request of the signed-in account waiting for its verification code. */
async function pendingRequest(): Promise<string> {
  return Created.parse(JSON.parse((await prepared(json(['privacy', 'request', 'access']))).stdout)).request.id
}
const sharedPending = shared(pendingRequest)

function codeFor(id: string, on: Platform = platform): string {
  const code = on.privacy.lastCode(id)
  if (!code) throw new Error(`no verification email for ${id}`)
  return code
}

/** A verified access request: with INSTANT work it is completed, its export ready to download. */
const sharedCompleted = shared(async () => {
  const id = await pendingRequest()
  await prepared(json(['privacy', 'verify', id, '--code', codeFor(id)]))
  return id
})

/** Signed in with a token of its own, in a config directory of its own: logging out revokes nothing anyone else uses. */
async function loggedOut(): Promise<CliResult> {
  const own = { CLOWDOPS_CONFIG_DIR: freshConfigDir(), CLOWDOPS_TOKEN: undefined }
  const profile = ownProfile()
  await prepared(json(['login', '--with-token', '--profile', profile], own, platform.issueToken([...ALL_SCOPES])))
  return json(['logout', '--profile', profile], own)
}

/** A CI job outside GitHub Actions whose ID token (audience `aud`) is in CLOWDOPS_ID_TOKEN, and a rule trusting `clowdops`. */
async function ciJob(aud: string): Promise<Record<string, string>> {
  platform.oauth.trustCiIssuer({ name: 'json-output', audience: 'clowdops', subject: 'repo:acme/*', scopes: ['projects:read'] })
  return { GITHUB_ACTIONS: '', CLOWDOPS_ID_TOKEN: await platform.ciIssuer.sign({ aud, sub: 'repo:acme/payments:ref:refs/heads/main' }) }
}

/** `login --json` through the browser: the device step line, the browser part done by the test, then the result. */
async function deviceLogin(): Promise<CliResult> {
  const cli = startCli(['login', '--json', '--insecure-storage', '--no-browser'], { CLOWDOPS_API_URL: platform.url })
  const step = JSON.parse(await cli.line(/^\{.*user_code/)) as { verification_uri_complete: string }
  await approveDeviceFlow(step.verification_uri_complete, { email: platform.user.email, password: platform.user.password, decision: 'approve' })
  return cli.done
}

/**
 * `privacy export --wait --json` to a verified download. The code only exists once the request does, and --json never
 * prompts, so: a first run loses every response after the platform created the request (its id stays on disk), then
 * the same command with the emailed code continues that request. On a platform of its own, whose faults hit no one else.
 */
async function exportToDownload(): Promise<CliResult> {
  const own = await startPlatform({ rateLimit: null, privacy: INSTANT })
  try {
    const ownEnv = { CLOWDOPS_API_URL: own.url, CLOWDOPS_TOKEN: own.token, CLOWDOPS_CONFIG_DIR: freshConfigDir() }
    // The scripted path: the first run emails the code, the second follows the same request with it.
    const first = await runCli(['privacy', 'export', '--json'], ownEnv)
    if (first.code !== 0) throw new Error(`set-up: expected privacy export to exit 0, got ${first.code}: ${first.stdout}`)
    const [request] = own.privacy.requests()
    return await runCli(['privacy', 'export', '--wait', '--code', codeFor(request!.id, own), '--output', `${workdir()}/`, '--json'], ownEnv)
  } finally {
    await own.close()
  }
}

function csv(name: string, rows: string[]): string {
  const path = join(workdir(), name)
  writeFileSync(path, ['type,email', ...rows].join('\n'))
  return path
}
const ATTEST = ['--attest-method', 'government_id', '--attested-by', 'privacy-team@example.com']

function applyFile(key: string): string {
  const path = join(workdir(), 'credentials.yaml')
  writeFileSync(path, stringify({ credentials: [{ provider: 'openai', label: `apply-${(serial += 1)}`, project: projectId, fields: { api_key: `env:${key}` } }] }))
  return path
}

interface Check {
  /** What the run proves, for the failure message. */
  name: string
  exit: number
  /** `result`: every JSON value printed validates against the command's schema; `error`: the one value against error.json. */
  prints: 'result' | 'error'
  /** How many JSON values stdout holds (1 unless the command prints several). */
  values?: number
  /** Optional fields the (single) value must have: proof that this run exercises that part of the schema. */
  has?: string[]
  run: () => Promise<CliResult>
}

const succeeds = (name: string, run: () => Promise<CliResult>, values = 1): Check => ({ name, exit: 0, prints: 'result', values, run })
const fails = (name: string, exit: number, run: () => Promise<CliResult>): Check => ({ name, exit, prints: 'error', run })
/** A failure that still prints the result (e.g. doctor with a failed check): the result schema holds. */
const reportsFailure = (name: string, exit: number, run: () => Promise<CliResult>, values = 1): Check => ({ name, exit, prints: 'result', values, run })

const rejectedToken = (args: string[]) => fails('the token is rejected', 4, () => json(args, { CLOWDOPS_TOKEN: REJECTED_TOKEN }))
const unreadableConfig = (args: string[]) => fails('config.json cannot be read', 1, () => json(args, brokenConfig()))

/** Per command id: at least one run that succeeds and one that fails. */
const CHECKS: Record<string, Check[]> = {
  'auth:ci-check': [
    succeeds('a rule accepts the job token', async () => json(['auth', 'ci-check'], await ciJob('clowdops'))),
    reportsFailure('no rule accepts it: the claims and fixes, exit 4', 4, async () => json(['auth', 'ci-check'], await ciJob('someone-else'))),
    fails('GitHub Actions without id-token: write', 2, () => json(['auth', 'ci-check'], { GITHUB_ACTIONS: 'true', ACTIONS_ID_TOKEN_REQUEST_URL: '' })),
  ],
  'auth:list': [succeeds('lists the profiles', () => json(['auth', 'list'])), unreadableConfig(['auth', 'list'])],
  'auth:status': [succeeds('verifies the active token', () => json(['auth', 'status', '--verify'])), unreadableConfig(['auth', 'status'])],
  'auth:switch': [
    succeeds('switches to a profile that exists', async () => {
      const dir = { CLOWDOPS_CONFIG_DIR: freshConfigDir() }
      await prepared(json(['config', 'set', 'default_project', projectId, '--profile', 'work'], dir))
      return json(['auth', 'switch', 'work'], dir)
    }),
    fails('no such profile', 5, () => json(['auth', 'switch', 'nope'])),
  ],
  'config:get': [
    succeeds('reads a setting that is set', async () => {
      const dir = { CLOWDOPS_CONFIG_DIR: freshConfigDir() }
      await prepared(json(['config', 'set', 'default_project', projectId], dir))
      return json(['config', 'get', 'default_project'], dir)
    }),
    fails('the setting is not set', 5, () => json(['config', 'get', 'default_project'])),
  ],
  'config:list': [succeeds('lists the settings', () => json(['config', 'list'])), unreadableConfig(['config', 'list'])],
  'config:set': [succeeds('sets a setting', () => json(['config', 'set', 'default_project', projectId])), fails('no such key', 2, () => json(['config', 'set', 'nope', 'x']))],
  'config:unset': [succeeds('removes a setting', () => json(['config', 'unset', 'default_project'])), fails('no such key', 2, () => json(['config', 'unset', 'nope']))],

  'credentials:add': [
    succeeds('registers a least-privilege key', () => json(['credentials', 'add', 'openai', '--label', 'json-add', '--project', projectId, '--field', 'api_key=env:KEY'], { KEY: fakeKey('sk-svcacct-') })),
    fails('an admin key is refused', 10, () => json(['credentials', 'add', 'openai', '--label', 'json-admin', '--project', projectId, '--field', 'api_key=env:KEY'], { KEY: fakeKey('sk-admin-') })),
  ],
  'credentials:apply': [
    succeeds('creates what the file lists', () => json(['credentials', 'apply', '-f', applyFile('KEY')], { KEY: fakeKey('sk-svcacct-') })),
    fails('an admin key stops everything', 10, () => json(['credentials', 'apply', '-f', applyFile('KEY')], { KEY: fakeKey('sk-admin-') })),
  ],
  'credentials:attach': [
    succeeds('attaches to a sandbox', async () => json(['credentials', 'attach', await addCredential(), '--sandbox', sandboxId])),
    fails('no such credential', 5, () => json(['credentials', 'attach', 'cred_doesnotexist', '--sandbox', sandboxId])),
  ],
  'credentials:detach': [
    succeeds('detaches from a sandbox', async () => json(['credentials', 'detach', await sharedCredential(), '--sandbox', sandboxId])),
    fails('no such credential', 5, () => json(['credentials', 'detach', 'cred_doesnotexist', '--sandbox', sandboxId])),
  ],
  'credentials:lint': [
    succeeds('a least-privilege key passes', () => json(['credentials', 'lint', 'openai', '--field', 'api_key=env:KEY'], { KEY: fakeKey('sk-svcacct-') })),
    reportsFailure('an admin key is reported, and refused', 10, () => json(['credentials', 'lint', 'openai', '--field', 'api_key=env:KEY'], { KEY: fakeKey('sk-admin-') })),
    fails('no such provider', 2, () => json(['credentials', 'lint', 'nope', '--field', 'api_key=env:KEY'], { KEY: 'x' })),
  ],
  'credentials:list': [succeeds('lists a project', () => json(['credentials', 'list', '--project', projectId])), fails('no such project', 5, () => json(['credentials', 'list', '--project', 'prj_doesnotexist']))],
  'credentials:providers': [succeeds('lists the providers', () => json(['credentials', 'providers'])), unreadableConfig(['credentials', 'providers'])],
  'credentials:recipe': [succeeds('an AWS recipe with its documents', () => json(['credentials', 'recipe', 'aws-role'])), fails('no such provider', 2, () => json(['credentials', 'recipe', 'nope']))],
  'credentials:remove': [
    succeeds('removes a credential', async () => json(['credentials', 'remove', await addCredential(), '--yes'])),
    fails('no such credential', 5, () => json(['credentials', 'remove', 'cred_doesnotexist', '--yes'])),
  ],
  'credentials:rotate': [
    succeeds('replaces the secret', async () => json(['credentials', 'rotate', await addCredential(), '--field', 'api_key=env:NEXT'], { NEXT: fakeKey('sk-svcacct-') })),
    fails('an admin key is refused', 10, async () => json(['credentials', 'rotate', await sharedCredential(), '--field', 'api_key=env:NEXT'], { NEXT: fakeKey('sk-admin-') })),
  ],
  'credentials:show': [succeeds('shows a credential', async () => json(['credentials', 'show', await sharedCredential()])), fails('no such credential', 5, () => json(['credentials', 'show', 'cred_doesnotexist']))],
  'credentials:verify': [succeeds('grades a credential', async () => json(['credentials', 'verify', await sharedCredential()])), fails('no such credential', 5, () => json(['credentials', 'verify', 'cred_doesnotexist']))],

  doctor: [succeeds('every check passes', () => json(['doctor'])), unreadableConfig(['doctor'])],

  'keychain:delete': [
    succeeds('deletes an entry', async () => {
      const name = `${keychainService()}/prod`
      await prepared(json(['keychain', 'set', name], {}, 'json-output-canary'))
      return json(['keychain', 'delete', name])
    }),
    fails('no such entry', 5, () => json(['keychain', 'delete', `${keychainService()}/prod`])),
  ],
  'keychain:list': [
    succeeds('lists a service', async () => {
      const service = keychainService()
      await prepared(json(['keychain', 'set', `${service}/prod`], {}, 'json-output-canary'))
      return json(['keychain', 'list', service])
    }),
    fails('no keychain', 9, () => json(['keychain', 'list', keychainService()], NO_KEYCHAIN)),
  ],
  'keychain:set': [
    succeeds('stores a piped value', () => json(['keychain', 'set', `${keychainService()}/prod`], {}, 'json-output-canary')),
    fails('no keychain', 9, () => json(['keychain', 'set', `${keychainService()}/prod`], NO_KEYCHAIN, 'json-output-canary')),
  ],

  login: [
    succeeds('a piped token', () => json(['login', '--with-token', '--profile', ownProfile()], { CLOWDOPS_TOKEN: undefined }, platform.issueToken(['projects:read']))),
    succeeds('the browser (device flow): the step, then the result', deviceLogin, 2),
    fails('the token is rejected', 4, () => json(['login', '--with-token', '--profile', ownProfile()], { CLOWDOPS_TOKEN: undefined }, REJECTED_TOKEN)),
    succeeds('--ci with the job token', async () => json(['login', '--ci'], await ciJob('clowdops'))),
    fails('--ci in GitHub Actions without id-token: write', 2, () => json(['login', '--ci'], { GITHUB_ACTIONS: 'true', ACTIONS_ID_TOKEN_REQUEST_URL: '' })),
  ],
  logout: [
    succeeds('revokes and forgets the token', loggedOut),
    succeeds('no profile is signed in: nothing to do', () => json(['logout', '--all'], { CLOWDOPS_TOKEN: undefined, CLOWDOPS_CONFIG_DIR: freshConfigDir() })),
    fails('--all with --profile', 2, () => json(['logout', '--all', '--profile', 'work'])),
  ],

  'privacy:appeal': [
    succeeds('appeals a denied Virginia request', async () => {
      const id = Created.parse(JSON.parse((await prepared(json(['privacy', 'request', 'access', '--regulation', 'us_va']))).stdout)).request.id
      // Denied before verification: on this platform a verified request completes at once.
      platform.privacy.deny(id, 'could not match the account')
      return json(['privacy', 'appeal', id, '--reason', 'it is mine'])
    }),
    fails('the GDPR grants no appeal', 6, async () => json(['privacy', 'appeal', await sharedPending(), '--reason', 'why'])),
  ],
  'privacy:clarify': [
    succeeds('answers the open question', async () => {
      const id = await pendingRequest()
      await prepared(json(['privacy', 'request-clarification', id, '--question', 'Which account?']))
      return json(['privacy', 'clarify', id, '--message', 'The work one.'])
    }),
    fails('no open question', 6, async () => json(['privacy', 'clarify', await pendingRequest(), '--message', 'unasked'])),
  ],
  'privacy:complain': [
    succeeds('records a UK complaint', async () => {
      const id = Created.parse(JSON.parse((await prepared(json(['privacy', 'request', 'access', '--regulation', 'uk_gdpr']))).stdout)).request.id
      return json(['privacy', 'complain', id, '--message', 'slow'])
    }),
    fails('no such request', 5, () => json(['privacy', 'complain', UNKNOWN_REQUEST, '--message', 'slow'])),
  ],
  'privacy:request-clarification': [
    succeeds('asks a question', async () => json(['privacy', 'request-clarification', await pendingRequest(), '--question', 'Which account?'])),
    fails('no such request', 5, () => json(['privacy', 'request-clarification', UNKNOWN_REQUEST, '--question', 'Which account?'])),
  ],
  'privacy:cancel': [succeeds('cancels a pending request', async () => json(['privacy', 'cancel', await pendingRequest()])), fails('no such request', 5, () => json(['privacy', 'cancel', UNKNOWN_REQUEST]))],
  'privacy:consent:grant': [succeeds('grants', () => json(['privacy', 'consent', 'grant', 'cookies_analytics'])), rejectedToken(['privacy', 'consent', 'grant', 'cookies_analytics'])],
  'privacy:consent:withdraw': [succeeds('withdraws', () => json(['privacy', 'consent', 'withdraw', 'marketing_email'])), rejectedToken(['privacy', 'consent', 'withdraw', 'marketing_email'])],
  'privacy:consent:list': [succeeds('lists', () => json(['privacy', 'consent', 'list'])), rejectedToken(['privacy', 'consent', 'list'])],
  'privacy:consent:history': [succeeds('lists the writes', () => json(['privacy', 'consent', 'history', 'cookies_analytics'])), fails('no such purpose', 2, () => json(['privacy', 'consent', 'history', 'nope']))],
  'privacy:delete': [
    // Left waiting for its code: the seeded account is never erased, so the other checks keep their sign-in.
    succeeds('requests erasure, confirmed', () => json(['privacy', 'delete', '--yes', '--confirm-email', platform.user.email])),
    fails('the confirmation does not match', 10, () => json(['privacy', 'delete', '--yes', '--confirm-email', 'someone-else@example.com'])),
  ],
  'privacy:download': [
    succeeds('downloads and verifies the export', async () => json(['privacy', 'download', await sharedCompleted(), '--output', `${workdir()}/`])),
    fails('not ready yet', 6, async () => json(['privacy', 'download', await sharedPending()])),
  ],
  'privacy:export': [
    succeeds('requests an export', () => json(['privacy', 'export'])),
    { ...succeeds('--wait --code: verified, completed and downloaded', exportToDownload), has: ['wait', 'download'] },
    fails('--wait without a code or a terminal', 2, () => json(['privacy', 'export', '--wait'])),
  ],
  'privacy:list': [succeeds('lists the requests', () => json(['privacy', 'list'])), fails('a --since that is no date', 2, () => json(['privacy', 'list', '--since', 'someday']))],
  'privacy:report': [
    succeeds('reports the organisation, with a passing check', () => json(['privacy', 'report', '--fail-if', 'overdue'])),
    fails('a token without privacy:admin', 4, () => json(['privacy', 'report'], { CLOWDOPS_TOKEN: platform.issueToken(['privacy:read']) })),
  ],
  'privacy:request': [
    { ...succeeds('ccpa_opt_out --wait: completed at once', () => json(['privacy', 'request', 'ccpa_opt_out', '--wait'])), has: ['wait'] },
    fails('a GDPR right under the CCPA', 10, () => json(['privacy', 'request', 'access', '--regulation', 'ccpa'])),
  ],
  'privacy:status': [succeeds('shows a request', async () => json(['privacy', 'status', await sharedPending()])), fails('no such request', 5, () => json(['privacy', 'status', UNKNOWN_REQUEST]))],
  'privacy:submit': [
    succeeds('two rows, then the summary', () => json(['privacy', 'submit', '--file', csv('two.csv', ['access,json-1@example.com', 'portability,json-2@example.com']), ...ATTEST]), 3),
    reportsFailure('an invalid row: the rows and the summary, exit 11', 11, () => json(['privacy', 'submit', '--file', csv('invalid.csv', ['access,json-3@example.com', 'access,not-an-email']), ...ATTEST]), 3),
    fails('no such file', 2, () => json(['privacy', 'submit', '--file', join(workdir(), 'missing.csv'), ...ATTEST])),
  ],
  'privacy:verify': [
    succeeds('the emailed code', async () => {
      const id = await pendingRequest()
      return json(['privacy', 'verify', id, '--code', codeFor(id)])
    }),
    fails('a wrong code', 10, async () => {
      const id = await pendingRequest()
      return json(['privacy', 'verify', id, '--code', codeFor(id) === '000000' ? '111111' : '000000'])
    }),
  ],
  'privacy:wait': [succeeds('a completed request', async () => json(['privacy', 'wait', await sharedCompleted()])), fails('no such request', 5, () => json(['privacy', 'wait', UNKNOWN_REQUEST]))],
  'projects:list': [succeeds('lists the projects', () => json(['projects', 'list'])), rejectedToken(['projects', 'list'])],
  'sandboxes:list': [succeeds('lists a project', () => json(['sandboxes', 'list', '--project', projectId])), fails('no such project', 5, () => json(['sandboxes', 'list', '--project', 'prj_doesnotexist']))],
}

/** The JSON values stdout holds, one after another (pretty-printed, or one per line); anything else is an error. */
function jsonValues(text: string): unknown[] {
  const values: unknown[] = []
  let depth = 0
  let start = 0
  let inString = false
  let escaped = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (inString) {
      if (escaped) escaped = false
      else if (c === '\\') escaped = true
      else if (c === '"') inString = false
    } else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i
    } else if (c === '}' || c === ']') {
      if (--depth === 0) values.push(JSON.parse(text.slice(start, i + 1)))
    } else if (depth === 0 && !/\s/.test(c)) {
      throw new Error(`stdout holds something other than JSON objects and arrays at offset ${i}: ${text.slice(i, i + 80)}`)
    } else if (c === '"') {
      inString = true
    }
  }
  if (depth !== 0) throw new Error('stdout ends inside a JSON value')
  return values
}

const manifest = JSON.parse(readFileSync('.oclif.manifest.json', 'utf8')) as { commands: Record<string, { flags: Record<string, unknown> }> }
const withJson = Object.keys(manifest.commands).filter((id) => 'json' in manifest.commands[id]!.flags).sort()
const validators = new Map<string, ValidateFunction>()

describe.skipIf(!testKeyringReady && !inCI)('every command with --json prints what its published schema says', () => {
  beforeAll(async () => {
    // CI skips nothing: without the test keychain this fails there, saying why.
    if (!testKeyringReady) throw new Error(missingKeyringReason)
    const ajv = strictAjv()
    for (const [file, schema] of publishedSchemas()) validators.set(file, ajv.compile(schema))
    platform = await startPlatform({ rateLimit: null, privacy: INSTANT })
    platform.oauth.setPollInterval(1)
    const [own] = Object.entries(storedState(platform).sandboxes).filter(([, list]) => list.length > 0)
    projectId = own![0]
    sandboxId = own![1][0]!.id
    // Every run gets a fresh config directory (runCli) unless a check passes its own.
    env = { CLOWDOPS_API_URL: platform.url, CLOWDOPS_TOKEN: platform.token }
  })
  afterAll(() => platform?.close())

  it('the commands with --json are exactly those checked here, each with a published schema', () => {
    expect(withJson).toEqual(Object.keys(CHECKS).sort())
    for (const id of withJson) expect(validators.has(schemaFileName(id)), `docs/schemas/${schemaFileName(id)}`).toBe(true)
    expect([...ourCommands().keys()].filter((id) => !withJson.includes(id))).toEqual(Object.keys(WITHOUT_JSON))
  })

  for (const id of withJson) {
    it.concurrent(`${id}: succeeds and fails as its schema and error.json say`, async () => {
      const checks = CHECKS[id]
      if (!checks) throw new Error(`${id} has --json but no checks here: add a run that succeeds and one that fails`)
      expect(checks.some((c) => c.exit === 0 && c.prints === 'result'), `${id}: a run that succeeds`).toBe(true)
      expect(checks.some((c) => c.prints === 'error'), `${id}: a run that fails`).toBe(true)
      for (const check of checks) {
        const result = await check.run()
        const label = `${id} (${check.name}), exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`
        expect(result.code, label).toBe(check.exit)
        const values = jsonValues(result.stdout)
        expect(values.length, label).toBe(check.values ?? 1)
        if (check.prints === 'error') expectValid(ERROR_SCHEMA_FILE, values[0], label)
        else for (const value of values) expectValid(schemaFileName(id), value, label)
        if (check.has) expect(Object.keys(values[0] as object), label).toEqual(expect.arrayContaining(check.has))
      }
    }, 60_000)
  }
})

function expectValid(file: string, value: unknown, label: string): void {
  const validate = validators.get(file)
  if (!validate) throw new Error(`docs/schemas/${file} is missing: run npm run build`)
  const valid = validate(value)
  expect(valid, `${label}\ndoes not match docs/schemas/${file}: ${JSON.stringify(validate.errors, null, 2)}`).toBe(true)
}
