// Sign-in as a person does it, in Debian's Chromium driven by playwright-core. The default: the CLI opens the platform's
// page through $BROWSER (a launcher this test controls, which hands the address to Chromium), the person signs in, and
// Chromium comes back to the CLI's loopback listener. The device flow: the CLI prints a code, Chromium opens the
// platform's page, types the code, signs in and approves or denies.
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { BrowserStep, DeviceStep } from '../../src/core/auth/login.js'
import { ErrorOutput } from '../../src/core/errors.js'
import { AuthStatus } from '../../src/core/auth/profiles.js'
import { freshConfigDir, runCli, startCli } from '../support/cli.js'
import { inCI } from '../support/keyring.js'
import { envFor, until, usePlatform } from '../support/platform.js'

const CHROMIUM = '/usr/bin/chromium'
const haveChromium = existsSync(CHROMIUM)

/** Debian's Chromium, headless, never fetching anything of its own. */
function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
}
const missing = `Debian's Chromium is not at ${CHROMIUM}: apt-get install -y chromium (CI installs it)`

describe('Chromium', () => {
  // Nothing may be skipped in CI: there, a missing browser is a failure; locally the tests below are skipped.
  it('is installed for the browser sign-in tests', (context) => {
    if (!haveChromium) {
      if (inCI) throw new Error(missing)
      context.skip(missing)
    }
    expect(haveChromium).toBe(true)
  })
})

describe.skipIf(!haveChromium)('device sign-in in a real browser', () => {
  const platform = usePlatform()
  let browser: Browser

  beforeAll(async () => {
    browser = await launchChromium()
  }, 60_000)
  afterEach(() => platform().oauth.reset())
  afterAll(async () => {
    await browser?.close()
  })

  /** Starts `login`, opens the printed URL, types the printed code, and checks the page shows that same code. */
  async function openSignIn(configDir: string) {
    const cli = startCli(['login', '--json', '--no-browser', '--insecure-storage'], envFor(platform(), { configDir, withToken: false }))
    const step = DeviceStep.parse(JSON.parse(await cli.line(/user_code/)))
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(step.verification_uri)
    await page.fill('#user_code', step.user_code)
    await page.click('#continue')
    return { cli, step, page, context }
  }

  it('approving signs the CLI in, and both sides showed the same code', async () => {
    platform().oauth.setPollInterval(1)
    const configDir = freshConfigDir()
    const { cli, step, page, context } = await openSignIn(configDir)
    await expect(page.textContent('#user-code')).resolves.toContain(step.user_code)
    await page.click('#confirm')
    await page.fill('#email', platform().user.email)
    await page.fill('#password', platform().user.password)
    await page.click('#sign-in')
    await expect(page.textContent('#user-code')).resolves.toContain(step.user_code) // the consent page, too
    await page.click('#approve')
    await page.waitForSelector('#success')
    await context.close()

    const result = await cli.done
    expect(result.code, result.stderr).toBe(0)
    const status = AuthStatus.parse(JSON.parse((await runCli(['auth', 'status', '--json', '--verify'], envFor(platform(), { configDir, withToken: false }))).stdout))
    expect(status.profiles[0]).toMatchObject({ account: 'ada@example.com', verified: true })
  })

  it('denying ends the CLI with exit 3 and nothing stored', async () => {
    platform().oauth.setPollInterval(1)
    const configDir = freshConfigDir()
    const { cli, page, context } = await openSignIn(configDir)
    await page.click('#confirm')
    await page.fill('#email', platform().user.email)
    await page.fill('#password', platform().user.password)
    await page.click('#sign-in')
    await page.click('#deny')
    await page.waitForSelector('#denied')
    await context.close()
    expect((await cli.done).code).toBe(3)
    expect((await runCli(['auth', 'status', '--json'], envFor(platform(), { configDir, withToken: false }))).code).toBe(4)
  })

  it('a code entered after it expired is refused by the page, and the CLI ends with exit 4', async () => {
    platform().oauth.setPollInterval(1)
    platform().oauth.setDeviceCodeTtl(2)
    const configDir = freshConfigDir()
    const cli = startCli(['login', '--json', '--no-browser', '--insecure-storage'], envFor(platform(), { configDir, withToken: false }))
    const step = DeviceStep.parse(JSON.parse(await cli.line(/user_code/)))
    expect((await cli.done).code).toBe(4)
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(step.verification_uri)
    await page.fill('#user_code', step.user_code)
    await page.click('#continue')
    await expect(page.textContent('#error')).resolves.toBeTruthy()
    await context.close()
  })
})

/**
 * What $BROWSER runs: a launcher that records its arguments, one line each, where the test reads them and opens the
 * address in Chromium (so the test sees exactly what the CLI handed to the browser command).
 */
function browserLauncher() {
  const directory = mkdtempSync(join(tmpdir(), 'clowdops-browser-'))
  const launcher = join(directory, 'open-in-test-chromium')
  const calls = join(directory, 'calls')
  writeFileSync(calls, '')
  writeFileSync(launcher, `#!/bin/sh\nprintf '%s\\n' "$#" "$@" >> '${calls}'\n`)
  chmodSync(launcher, 0o755)
  /** Each call's arguments. */
  const received = () => {
    const lines = readFileSync(calls, 'utf8').split('\n').filter(Boolean)
    const out: string[][] = []
    for (let at = 0; at < lines.length; ) {
      const count = Number(lines[at])
      out.push(lines.slice(at + 1, at + 1 + count))
      at += count + 1
    }
    return out
  }
  return { env: { BROWSER: launcher }, received }
}

describe.skipIf(!haveChromium)('browser sign-in (the default) in a real browser', () => {
  const platform = usePlatform()
  let browser: Browser

  beforeAll(async () => {
    browser = await launchChromium()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
  })

  /** Starts `login`; once it runs $BROWSER, opens the address it was given in Chromium, at the sign-in form. */
  async function openSignIn(configDir: string) {
    const launcher = browserLauncher()
    const cli = startCli(['login', '--json', '--insecure-storage'], { ...envFor(platform(), { configDir, withToken: false }), ...launcher.env })
    const step = BrowserStep.parse(JSON.parse(await cli.line(/authorization_url/)))
    await until(() => launcher.received().length > 0, 'the CLI to run $BROWSER')
    // The address is its only argument, the one printed; it carries the S256 challenge, never the verifier.
    expect(launcher.received()).toEqual([[step.authorization_url]])
    const address = new URL(step.authorization_url)
    expect(address.searchParams.get('code_challenge_method')).toBe('S256')
    expect([...address.searchParams.keys()]).not.toContain('code_verifier')
    const redirectUri = address.searchParams.get('redirect_uri') ?? ''
    expect(redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(step.authorization_url)
    await page.fill('#email', platform().user.email)
    await page.fill('#password', platform().user.password)
    await page.click('#sign-in')
    return { cli, page, context, redirectUri }
  }

  it('approving lands on the local page that says it can be closed, and the CLI is signed in with the browser', async () => {
    const configDir = freshConfigDir()
    const { cli, page, context, redirectUri } = await openSignIn(configDir)
    await page.click('#approve')
    await page.waitForSelector('#done')
    expect(page.url()).toContain(`${redirectUri}?code=`)
    const result = await cli.done
    expect(result.code, result.stderr).toBe(0)
    // The listener closed after that one answer: the same address now finds nothing listening.
    await expect(page.goto(`${redirectUri}?code=again&state=again`)).rejects.toThrow(/ERR_CONNECTION_REFUSED/)
    await context.close()
    const status = AuthStatus.parse(JSON.parse((await runCli(['auth', 'status', '--json', '--verify'], envFor(platform(), { configDir, withToken: false }))).stdout))
    expect(status.profiles[0]).toMatchObject({ account: 'ada@example.com', verified: true })
  })

  it('denying ends the CLI with exit 3, says so, and stores nothing', async () => {
    const configDir = freshConfigDir()
    const { cli, page, context } = await openSignIn(configDir)
    await page.click('#deny')
    await page.waitForSelector('#not-done')
    await context.close()
    const result = await cli.done
    expect(result.code).toBe(3)
    expect(ErrorOutput.parse(JSON.parse(result.stdout.slice(result.stdout.indexOf('\n') + 1))).error.message).toContain('denied')
    expect((await runCli(['auth', 'status', '--json'], envFor(platform(), { configDir, withToken: false }))).code).toBe(4)
  })

  it('a request to the loopback port with another state is refused, and the real answer still signs in', async () => {
    const configDir = freshConfigDir()
    const { cli, page, context, redirectUri } = await openSignIn(configDir)
    const forged = await context.newPage()
    const response = await forged.goto(`${redirectUri}?code=forged&state=forged`)
    expect(response?.status()).toBe(400)
    await forged.waitForSelector('#refused')
    await page.click('#approve')
    await page.waitForSelector('#done')
    await context.close()
    const result = await cli.done
    expect(result.code, result.stderr).toBe(0)
  })
})
