// `login --ci` in-process against the local platform's real token exchange: in GitHub Actions the CLI asks the job's
// token service itself (a fake one on loopback that checks the bearer and the audience), in GitLab CI it reads the
// id_tokens variable, and where the job may not have a token it says what to add, sends nothing, exits 2.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import Login from '../../commands/login.js'
import { SignIn } from '../../src/core/auth/login.js'
import { ErrorOutput } from '../../src/core/errors.js'
import { type ActionsTokenService, startActionsTokenService } from '../support/ci-provider.js'
import { freshConfigDir } from '../support/cli.js'
import { connect, usePlatform } from '../support/platform.js'
import { runCommand } from '../support/terminal.js'

const platform = usePlatform()
let actions: ActionsTokenService

beforeAll(async () => {
  actions = await startActionsTokenService(platform().ciIssuer)
})
afterAll(() => actions.close())
afterEach(() => {
  platform().oauth.reset()
  actions.requests.length = 0
  actions.issued.length = 0
})

const trustPayments = (audience = 'clowdops') =>
  platform().oauth.trustCiIssuer({ audience, subject: 'repo:acme/payments:*', scopes: ['projects:read'] })

const exchanges = () => platform().stats.oauth.tokenRequests['token-exchange'] ?? 0

function baseEnv(): Record<string, string> {
  return { CLOWDOPS_API_URL: platform().url, CLOWDOPS_CONFIG_DIR: freshConfigDir(), DEBUG: 'clowdops*' }
}

describe('login --ci in GitHub Actions', () => {
  it('requests the ID token with the request token as bearer and the platform audience, and the exchanged token works', async () => {
    trustPayments()
    const run = await runCommand(Login, ['--ci', '--print'], { env: { ...baseEnv(), ...actions.env() }, stdin: '' })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(actions.requests).toEqual([{ authorization: `bearer ${actions.requestToken}`, audience: 'clowdops' }])
    const token = run.stdout.trim()
    const me = await connect(platform(), token).get('/v1/me')
    expect(me.status).toBe(200)
  })

  it('--audience asks for the audience the organisation chose', async () => {
    trustPayments('acme-prod')
    const run = await runCommand(Login, ['--ci', '--audience', 'acme-prod', '--json'], { env: { ...baseEnv(), ...actions.env() }, stdin: '' })
    expect(run.exitCode, run.stdout).toBe(0)
    expect(actions.requests.map((r) => r.audience)).toEqual(['acme-prod'])
    expect(SignIn.parse(JSON.parse(run.stdout))).toMatchObject({ stored_in: 'memory', scopes: ['projects:read'] })
  })

  it('never shows the request token or the ID token, debug logs included (canary)', async () => {
    trustPayments()
    const run = await runCommand(Login, ['--ci'], { env: { ...baseEnv(), ...actions.env() }, stdin: '' })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stderr).toContain('GET http://127.0.0.1') // the debug log did run
    expect(actions.issued).toHaveLength(1)
    for (const secret of [actions.requestToken, ...actions.issued]) {
      expect(run.stdout).not.toContain(secret)
      expect(run.stderr).not.toContain(secret)
    }
  })

  it.each([
    ['neither variable', {}, 'ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are'],
    ['no request URL', { ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'ghs_canary-request-token' }, 'ACTIONS_ID_TOKEN_REQUEST_URL is'],
  ])('without id-token: write (%s): says what to add to the workflow, exit 2, nothing sent', async (_case, extra, named) => {
    trustPayments()
    const before = exchanges()
    const run = await runCommand(Login, ['--ci', '--json'], { env: { ...baseEnv(), GITHUB_ACTIONS: 'true', ...extra }, stdin: '' })
    expect(run.exitCode).toBe(2)
    const { error } = ErrorOutput.parse(JSON.parse(run.stdout))
    expect(error).toMatchObject({ code: 'ci_token_unavailable', exitCode: 2 })
    expect(error.message).toContain(`${named} not set`)
    expect(error.hint).toContain('permissions: { id-token: write, contents: read }')
    expect(run.stdout + run.stderr).not.toContain('ghs_canary-request-token')
    expect(actions.requests).toEqual([])
    expect(exchanges()).toBe(before)
  })

  it('a request token the service refuses is exit 4, and the token is not shown', async () => {
    trustPayments()
    const env = { ...baseEnv(), ...actions.env(), ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'ghs_stale-canary' }
    const run = await runCommand(Login, ['--ci', '--json'], { env, stdin: '' })
    expect(run.exitCode).toBe(4)
    expect(ErrorOutput.parse(JSON.parse(run.stdout)).error.code).toBe('ci_token_request_refused')
    expect(actions.requests).toEqual([{ authorization: 'bearer ghs_stale-canary', audience: 'clowdops' }])
    expect(run.stdout + run.stderr).not.toContain('ghs_stale-canary')
  })
})

describe('login --ci elsewhere', () => {
  it('GitLab CI: exchanges the ID token declared under id_tokens as CLOWDOPS_ID_TOKEN', async () => {
    trustPayments()
    const idToken = await platform().ciIssuer.sign({ aud: 'clowdops', sub: 'repo:acme/payments:ref:refs/heads/main' })
    const run = await runCommand(Login, ['--ci', '--json'], { env: { ...baseEnv(), GITLAB_CI: 'true', CLOWDOPS_ID_TOKEN: idToken }, stdin: '' })
    expect(run.exitCode, run.stdout).toBe(0)
    expect(SignIn.parse(JSON.parse(run.stdout)).stored_in).toBe('memory')
    expect(run.stdout + run.stderr).not.toContain(idToken)
  })

  it('GitLab CI without the variable: says how to declare it, exit 2, nothing sent', async () => {
    const before = exchanges()
    const run = await runCommand(Login, ['--ci', '--json'], { env: { ...baseEnv(), GITLAB_CI: 'true' }, stdin: '' })
    expect(run.exitCode).toBe(2)
    const { error } = ErrorOutput.parse(JSON.parse(run.stdout))
    expect(error.hint).toContain('id_tokens: { CLOWDOPS_ID_TOKEN: { aud: clowdops } }')
    expect(exchanges()).toBe(before)
  })

  it('outside a known CI without CLOWDOPS_ID_TOKEN: points at --oidc-token-env, exit 2', async () => {
    const run = await runCommand(Login, ['--ci', '--json'], { env: baseEnv(), stdin: '' })
    expect(run.exitCode).toBe(2)
    expect(ErrorOutput.parse(JSON.parse(run.stdout)).error.hint).toContain('--oidc-token-env NAME')
  })
})
