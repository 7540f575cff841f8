// Prompts as a person meets them: on a pseudo-terminal, with hidden input and Ctrl-C.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { freshConfigDir } from '../support/cli.js'
import { envFor, usePlatform } from '../support/platform.js'
import { runInPty } from '../support/pty.js'

const platform = usePlatform()

// No keychain here on purpose (--insecure-storage): this is about the terminal, not where the token goes. The terminal
// gets this process's environment too, so a token there is unset.
const terminalEnv = (configDir: string) => ({
  ...envFor(platform(), { configDir, withToken: false }),
  CLOWDOPS_TOKEN: undefined,
  DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent',
})

describe('login --with-token on a terminal', () => {
  it('asks for the token with a hidden prompt that never shows it', async () => {
    const configDir = freshConfigDir()
    const canary = platform().issueToken(['projects:read'])
    const pty = runInPty(['login', '--with-token', '--insecure-storage'], terminalEnv(configDir))
    await pty.waitFor(/Personal access token/)
    pty.type(`${canary}\r`)
    expect(await pty.exit).toBe(0)
    expect(pty.screen()).toContain('Signed in')
    expect(pty.screen()).toContain('*'.repeat(8)) // masked echo
    expect(pty.screen()).not.toContain(canary)
    expect(readFileSync(join(configDir, 'tokens', 'default.json'), 'utf8')).toContain(canary)
  })

  it('Ctrl-C at the prompt exits 130 and stores nothing', async () => {
    const configDir = freshConfigDir()
    const pty = runInPty(['login', '--with-token', '--insecure-storage'], terminalEnv(configDir))
    await pty.waitFor(/Personal access token/)
    pty.type('cop_halfTyped')
    pty.type('\x03')
    expect(await pty.exit).toBe(130)
    expect(existsSync(join(configDir, 'tokens')) ? readdirSync(join(configDir, 'tokens')) : []).toEqual([])
  })
})

describe('a secret field nobody referenced, on a terminal', () => {
  it('is asked for with a hidden prompt and never shown', async () => {
    const canary = `sk-svcacct-CANARY${Date.now()}fakefakefakefakefakeFAKE`
    const pty = runInPty(['credentials', 'lint', 'openai'], terminalEnv(freshConfigDir()))
    await pty.waitFor(/Value of api_key/)
    pty.type(`${canary}\r`)
    expect(await pty.exit).toBe(0)
    expect(pty.screen()).toContain(`…${canary.slice(-4)}`) // the hint: prefix and last four only
    expect(pty.screen()).not.toContain(canary)
  })
})
