// `clowdops login` by default: the authorization code with PKCE, in-process on a fake terminal, the real loopback
// listener and the local platform's pages walked with fetch (the Chromium run is test/e2e/browser.test.ts).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import AuthStatusCommand from '../../commands/auth/status.js'
import Login from '../../commands/login.js'
import { BrowserStep, SignIn } from '../../src/core/auth/login.js'
import { ErrorOutput } from '../../src/core/errors.js'
import { freshConfigDir } from '../support/cli.js'
import { approveAuthorizationRequest } from '../support/oauth.js'
import { usePlatform } from '../support/platform.js'
import { runCommand } from '../support/terminal.js'

const platform = usePlatform()

/** A desktop as far as the CLI can tell ($BROWSER set), signed out, in a fresh config directory. */
function desktop() {
  const configDir = freshConfigDir()
  return { configDir, env: { CLOWDOPS_API_URL: platform().url, CLOWDOPS_CONFIG_DIR: configDir, BROWSER: 'the-test-browser' } }
}

/** `login --json` prints the step on one line, then the result (or the error body). */
function jsonLines(stdout: string): [unknown, unknown] {
  const newline = stdout.indexOf('\n')
  return [JSON.parse(stdout.slice(0, newline)), JSON.parse(stdout.slice(newline + 1))]
}

/** Signs in (or denies) in "the browser" as soon as the CLI opens the page; the walk is awaited after the command. */
function browserThatSignsIn(decision: 'approve' | 'deny') {
  let walk: ReturnType<typeof approveAuthorizationRequest> | undefined
  return {
    onBrowserOpen: (url: string) => void (walk = approveAuthorizationRequest(url, { ...platform().user, decision })),
    walked: async () => {
      if (!walk) throw new Error('the CLI never opened the browser')
      return walk
    },
  }
}

describe('login through the browser (authorization code with PKCE)', () => {
  it('opens the sign-in page, takes the answer on 127.0.0.1 and stores the session as a browser sign-in', async () => {
    const { env, configDir } = desktop()
    const browser = browserThatSignsIn('approve')
    const login = await runCommand(Login, ['--insecure-storage', '--json'], { env, onBrowserOpen: browser.onBrowserOpen })
    expect(login.exitCode, login.stdout + login.stderr).toBe(0)
    const [step, result] = jsonLines(login.stdout)
    const url = new URL(BrowserStep.parse(step).authorization_url)
    expect(login.terminal.opened).toEqual([url.href])
    expect(url.searchParams.get('code_challenge_method')).toBe('S256')
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)
    expect(SignIn.parse(result)).toMatchObject({ account: platform().user.email, signed_in_with: 'browser', stored_in: 'file' })

    const { pages, landed } = await browser.walked()
    expect(pages).toEqual(['login', 'consent', 'done'])
    expect(landed.status).toBe(200)
    const config = JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as { profiles: Record<string, { signed_in_with?: string }> }
    expect(config.profiles.default?.signed_in_with).toBe('browser')
    const status = await runCommand(AuthStatusCommand, ['--verify'], { env })
    expect(status.exitCode, status.stderr).toBe(0)
    expect(status.stdout).toContain('signed in through the browser')
    expect(status.stdout).toMatch(/expires in (59 min|60 min|1 h) \(\d{4}-\d\d-\d\d \d\d:\d\d /)
  })

  it('a denial in the browser ends with exit 3 and nothing stored', async () => {
    const { env } = desktop()
    const browser = browserThatSignsIn('deny')
    const login = await runCommand(Login, ['--insecure-storage', '--json'], { env, onBrowserOpen: browser.onBrowserOpen })
    expect(login.exitCode).toBe(3)
    expect(ErrorOutput.parse(jsonLines(login.stdout)[1]).error.message).toContain('denied')
    expect((await browser.walked()).landed).toMatchObject({ status: 200 })
    expect((await runCommand(AuthStatusCommand, [], { env })).exitCode).toBe(4)
  })

  it('without a terminal and without --json it refuses at once (exit 2), as the device sign-in does', async () => {
    const { env } = desktop()
    const login = await runCommand(Login, [], { env, stdin: '' })
    expect(login.exitCode).toBe(2)
    expect(login.terminal.opened).toEqual([])
  })
})

describe('login --remote (the browser cannot reach this machine)', () => {
  /** The address printed for the person, signed in there, and the address the browser ended on pasted back. */
  const pasteBack = (tamper: (landed: URL) => URL = (url) => url) => async (stderr: string) => {
    const address = /https?:\/\/\S+\/auth\?\S+/.exec(stderr)?.[0]
    if (!address) throw new Error(`no sign-in address on stderr:\n${stderr}`)
    const { landed } = await approveAuthorizationRequest(address, { ...platform().user, decision: 'approve', stopAtRedirect: true })
    expect(landed.url.origin).toBe('http://127.0.0.1')
    return tamper(landed.url).href
  }

  it('prints the address, opens nothing, and signs in with the address pasted back', async () => {
    const { env } = desktop()
    const login = await runCommand(Login, ['--remote', '--insecure-storage'], { env, answers: [pasteBack()] })
    expect(login.exitCode, login.stderr).toBe(0)
    expect(login.terminal.opened).toEqual([])
    expect(login.terminal.asked).toEqual([{ kind: 'text', message: expect.stringContaining('Paste the address') }])
    expect(login.stdout).toContain(`Signed in to ${platform().url} as ${platform().user.email}`)
  })

  it('a pasted address whose state is not this sign-in’s is refused (exit 10), nothing stored', async () => {
    const { env } = desktop()
    const forged = pasteBack((url) => {
      url.searchParams.set('state', 'someone-elses')
      return url
    })
    const login = await runCommand(Login, ['--remote', '--insecure-storage'], { env, answers: [forged] })
    expect(login.exitCode).toBe(10)
    expect(login.stderr).toContain('does not belong to this sign-in')
    expect((await runCommand(AuthStatusCommand, [], { env })).exitCode).toBe(4)
  })

  it('under --json there is nowhere to paste: exit 2 before anything is sent', async () => {
    const { env } = desktop()
    const login = await runCommand(Login, ['--remote', '--json', '--insecure-storage'], { env })
    expect(login.exitCode).toBe(2)
    expect(ErrorOutput.parse(JSON.parse(login.stdout)).error.message).toContain('--remote')
  })
})
