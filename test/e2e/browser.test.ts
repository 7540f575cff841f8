// Device sign-in as a person does it: the CLI prints a code, Debian's Chromium (driven by playwright-core) opens the
// platform's page, types the code, signs in and approves or denies.
import { existsSync } from 'node:fs'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DeviceStep } from '../../src/core/auth/login.js'
import { AuthStatus } from '../../src/core/auth/profiles.js'
import { freshConfigDir, runCli, startCli } from '../support/cli.js'
import { inCI } from '../support/keyring.js'
import { envFor, usePlatform } from '../support/platform.js'

const CHROMIUM = '/usr/bin/chromium'
const haveChromium = existsSync(CHROMIUM)
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
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    })
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
