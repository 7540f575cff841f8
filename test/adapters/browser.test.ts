// Which command opens a page: $BROWSER (split without a shell, %s for the address) or the system's opener, and
// whether it is found on PATH (a temp directory holding a real executable).
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openCommand, systemBrowser } from '../../src/adapters/browser.js'

const URL_WITH_QUERY = 'https://clowd.test/auth?a=1&b=2'

describe('the command that opens a page', () => {
  it('is $BROWSER with the address last, or where %s stands, with nothing run through a shell', () => {
    expect(openCommand(URL_WITH_QUERY, { BROWSER: 'firefox' }, 'linux')).toEqual({ command: 'firefox', args: [URL_WITH_QUERY] })
    expect(openCommand(URL_WITH_QUERY, { BROWSER: ' firefox  --private-window ' }, 'darwin')).toEqual({
      command: 'firefox',
      args: ['--private-window', URL_WITH_QUERY],
    })
    expect(openCommand(URL_WITH_QUERY, { BROWSER: 'chromium --app=%s' }, 'linux')).toEqual({ command: 'chromium', args: [`--app=${URL_WITH_QUERY}`] })
  })

  it("else the system's opener", () => {
    expect(openCommand(URL_WITH_QUERY, {}, 'linux')).toEqual({ command: 'xdg-open', args: [URL_WITH_QUERY] })
    expect(openCommand(URL_WITH_QUERY, { BROWSER: '' }, 'darwin')).toEqual({ command: 'open', args: [URL_WITH_QUERY] })
    // cmd would read & as "and then run": escaped for start.
    expect(openCommand(URL_WITH_QUERY, {}, 'win32')).toEqual({ command: 'cmd', args: ['/c', 'start', '""', 'https://clowd.test/auth?a=1^&b=2'] })
  })
})

describe.skipIf(process.platform === 'win32')('finding the opener', () => {
  const directory = mkdtempSync(join(tmpdir(), 'clowdops-opener-'))
  const executable = join(directory, 'my-browser')
  writeFileSync(executable, '#!/bin/sh\n')
  chmodSync(executable, 0o755)
  writeFileSync(join(directory, 'not-executable'), '')

  it('resolves $BROWSER on PATH, or as a path', async () => {
    await expect(systemBrowser({ BROWSER: 'my-browser --new-tab', PATH: directory }).opener()).resolves.toBe(executable)
    await expect(systemBrowser({ BROWSER: executable, PATH: '' }).opener()).resolves.toBe(executable)
  })

  it('finds nothing for a name not on PATH, or a file that cannot run', async () => {
    await expect(systemBrowser({ BROWSER: 'no-such-browser', PATH: directory }).opener()).resolves.toBeUndefined()
    await expect(systemBrowser({ BROWSER: 'not-executable', PATH: directory }).opener()).resolves.toBeUndefined()
  })
})
