// The --insecure-storage warning is a reminder once a day per profile: sessions over a stepping clock, the reminder log
// a real file in a temp config directory.
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { noticeLog } from '../../src/adapters/notices.js'
import { INSECURE_STORAGE_REMINDER_MS } from '../../src/core/auth/insecure-storage.js'
import { createSession } from '../../src/core/auth/session.js'
import { type TokenVault, sealTokens } from '../../src/core/auth/tokens.js'
import type { AuthServer, Clock, NoticeLog } from '../../src/core/ports.js'
import { Secret } from '../../src/core/secret.js'

const HOUR = 60 * 60 * 1000

/** A clock the test moves by hand. */
function steppingClock(start = Date.parse('2026-11-26T12:00:00Z')): Clock & { advance(ms: number): void } {
  let now = start
  return { now: () => new Date(now), sleep: async (ms) => void (now += ms), advance: (ms) => void (now += ms) }
}

/** An --insecure-storage file vault in memory, every profile signed in with a personal access token. */
function plaintextVault(): TokenVault {
  const tokens = sealTokens({ kind: 'personal_access_token', access_token: 'cop_plaintext', scopes: [] })
  return { kind: 'file', read: async () => new Secret(tokens.reveal()), write: async () => undefined, delete: async () => true }
}

const noServer = {} as AuthServer // a personal access token is never refreshed: the server is not called

/** One command run of `profile`: resolves its token and returns the warnings it printed. */
async function run(profile: string, clock: Clock, notices: NoticeLog | undefined): Promise<string[]> {
  const warnings: string[] = []
  const vault = plaintextVault()
  const session = createSession({
    env: {},
    context: { profileName: profile, profile: { token_storage: 'file' }, apiUrl: { url: 'http://127.0.0.1:1', source: 'env' } },
    config: { update: async (change) => change({ profiles: {} }) },
    vaults: { keychain: vault, file: vault },
    auth: noServer,
    locks: { withLock: (_name, work) => work() },
    clock,
    warn: (message) => void warnings.push(message),
    ...(notices ? { notices } : {}),
  })
  expect((await session.token())?.reveal()).toBe('cop_plaintext')
  return warnings
}

const configDir = () => mkdtempSync(join(tmpdir(), 'clowdops-notices-'))

describe('the --insecure-storage reminder', () => {
  it('is shown on the first run, not again within a day, and again once a day has passed', async () => {
    const clock = steppingClock()
    const notices = noticeLog(configDir())
    const first = await run('default', clock, notices)
    expect(first).toEqual([expect.stringContaining('profile default is in a plaintext file (--insecure-storage)')])

    clock.advance(1000)
    expect(await run('default', clock, notices)).toEqual([])
    clock.advance(INSECURE_STORAGE_REMINDER_MS - 1000 - 1)
    expect(await run('default', clock, notices)).toEqual([])
    clock.advance(1)
    expect(await run('default', clock, notices)).toHaveLength(1)
    clock.advance(HOUR)
    expect(await run('default', clock, notices)).toEqual([])
  })

  it('is kept per profile', async () => {
    const clock = steppingClock()
    const notices = noticeLog(configDir())
    expect(await run('default', clock, notices)).toHaveLength(1)
    clock.advance(HOUR)
    expect(await run('staging', clock, notices)).toEqual([expect.stringContaining('profile staging')])
    expect(await run('default', clock, notices)).toEqual([])
  })

  it('a clock set back does not silence it: a reminder "shown" in the future is due', async () => {
    const clock = steppingClock()
    const notices = noticeLog(configDir())
    expect(await run('default', clock, notices)).toHaveLength(1)
    clock.advance(-HOUR)
    expect(await run('default', clock, notices)).toHaveLength(1)
  })

  it('is remembered in a private file of the config directory; a damaged or unwritable one only means more reminders', async () => {
    const clock = steppingClock()
    const dir = configDir()
    chmodSync(dir, 0o700)
    await run('default', clock, noticeLog(dir))
    const path = join(dir, 'notices.json')
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ 'insecure_storage:default': clock.now().toISOString() })

    writeFileSync(path, 'null')
    expect(await run('default', clock, noticeLog(dir))).toHaveLength(1)
    expect(await run('default', clock, noticeLog(dir))).toEqual([])

    // A config "directory" that is a file: nothing can be recorded, the run still succeeds and warns each time.
    const notADirectory = join(dir, 'notices.json')
    expect(await run('default', clock, noticeLog(notADirectory))).toHaveLength(1)
    expect(await run('default', clock, noticeLog(notADirectory))).toHaveLength(1)
  })

  it('with nowhere to remember it (no log) it warns on every run', async () => {
    const clock = steppingClock()
    expect(await run('default', clock, undefined)).toHaveLength(1)
    expect(await run('default', clock, undefined)).toHaveLength(1)
  })
})
