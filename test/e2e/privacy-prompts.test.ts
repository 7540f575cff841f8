// The privacy prompts as a person meets them on a pseudo-terminal: typing the account email to confirm an erasure, and
// the verification code, mistyped once, then right. The platform runs fast, as in the demo, so --wait finishes.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FAST_PRIVACY_SETTINGS } from '../platform/server.js'
import { envFor, usePlatform } from '../support/platform.js'
import { runInPty } from '../support/pty.js'

const platform = usePlatform({ rateLimit: null, privacy: FAST_PRIVACY_SETTINGS })

/** The newest request's code, once the platform has emailed it. */
function newestCode(): { id: string; code: string } {
  const email = platform().privacy.outbox().at(-1)
  if (!email) throw new Error('no verification email sent')
  return { id: email.request_id, code: email.code }
}

describe('privacy delete on a terminal', () => {
  it('explains what is lost, takes the typed email, then asks for the code', async () => {
    const pty = runInPty(['privacy', 'delete'], envFor(platform()))
    await pty.waitFor(/Type ada@example\.com to confirm erasure/)
    expect(pty.screen()).toContain('grace period of 7 days')
    expect(pty.screen()).toContain('projects, sandboxes and registered credentials')
    pty.type('ADA@example.com \r')
    await pty.waitFor(/Verification code sent to a\*\*\*@example\.com/)
    const { id, code } = newestCode()
    const wrong = code === '000000' ? '111111' : '000000'
    pty.type(`${wrong}\r`)
    await pty.waitFor(/That code is not right; 4 attempts left/)
    pty.type(`${code}\r`)
    expect(await pty.exit).toBe(0)
    expect(pty.screen()).toContain(id)
    expect(pty.screen()).toMatch(/Status\s+(received|in_progress|awaiting_grace_period)/)
    expect(pty.screen()).toContain('clowdops logout')
    platform().privacy.requests().filter((r) => r.id === id).forEach((r) => expect(r.type).toBe('erasure'))
  })

  it('a different email cancels (exit 3) and requests nothing', async () => {
    const before = platform().privacy.requests().length
    const pty = runInPty(['privacy', 'delete'], envFor(platform()))
    await pty.waitFor(/to confirm erasure/)
    pty.type('someone@example.org\r')
    expect(await pty.exit).toBe(3)
    expect(pty.screen()).toContain('nothing was requested')
    expect(platform().privacy.requests().length).toBe(before)
  })
})

describe('privacy export --wait on a terminal', () => {
  it('asks for the code, follows the request to completion and downloads the verified archive', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'clowdops-export-'))
    const pty = runInPty(['privacy', 'export', '--wait', '--output', `${directory}/`], envFor(platform()))
    await pty.waitFor(/Verification code sent to/)
    pty.type(`${newestCode().code}\r`)
    expect(await pty.exit).toBe(0)
    expect(pty.screen()).toMatch(/portability [0-9a-f]{8} · (received|in_progress)/) // the progress line
    expect(pty.screen()).toMatch(/Saved .*clowdops-export-[0-9a-f]{8}\.zip \(\d+ bytes, SHA-256 [0-9a-f]{12}… verified\)/)
    const files = readdirSync(directory)
    expect(files).toHaveLength(1)
    expect(existsSync(join(directory, files[0]!))).toBe(true)
  })
})
