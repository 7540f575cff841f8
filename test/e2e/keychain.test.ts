// `clowdops keychain` as users run it: the built CLI against the real OS keychain (scripts/with-keyring.sh), with a
// canary value that must never show on stdout, stderr or the terminal.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createKeychainStore } from '../../src/adapters/keychain.js'
import { ErrorOutput } from '../../src/core/errors.js'
import { DeletedKeychainEntry, KeychainEntryList, StoredKeychainEntry } from '../../src/core/keychain-entries.js'
import { Secret } from '../../src/core/secret.js'
import { freshConfigDir, runCli } from '../support/cli.js'
import { runInPty } from '../support/pty.js'
import { testKeyringReady } from '../support/keyring.js'

const canary = () => `CANARY-${randomBytes(12).toString('base64url')}`
/** A service of this run's own, so parallel runs and earlier leftovers do not meet. */
const service = () => `clowdops-e2e-${randomBytes(4).toString('hex')}`

describe('keychain without a reachable keychain', () => {
  it('set exits 9 with a way out, and the piped value shows nowhere', async () => {
    const value = canary()
    const result = await runCli(['keychain', 'set', `${service()}/prod`], { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' }, value)
    expect(result.code).toBe(9)
    expect(result.stderr).toContain('env:NAME')
    expect(result.stdout + result.stderr).not.toContain(value)
  })

  it('set refuses a value on the command line with exit 2, without repeating it', async () => {
    const value = canary()
    const result = await runCli(['keychain', 'set', 'aws/prod', value], { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' })
    expect(result.code).toBe(2)
    expect(result.stdout + result.stderr).not.toContain(value)
  })
})

describe.skipIf(!testKeyringReady)('keychain with the real OS keychain', () => {
  it('set from stdin, list by name only, delete, then delete again is exit 5', async () => {
    const svc = service()
    const value = canary()
    const set = await runCli(['keychain', 'set', `${svc}/prod/eu-west-1`, '--json'], {}, `${value}\n`)
    expect(set.code, set.stderr).toBe(0)
    expect(StoredKeychainEntry.parse(JSON.parse(set.stdout))).toEqual({
      service: svc,
      account: 'prod/eu-west-1',
      reference: `keychain:${svc}/prod/eu-west-1`,
      stored: true,
      replaced: false,
    })
    expect((await createKeychainStore().get(svc, 'prod/eu-west-1'))?.reveal()).toBe(value)

    const again = await runCli(['keychain', 'set', `keychain:${svc}/prod/eu-west-1`], {}, value)
    expect(again.code).toBe(0)
    expect(again.stderr).toContain('Replaced')

    const text = await runCli(['keychain', 'list', svc])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain(`${svc}/prod/eu-west-1`)
    const json = await runCli(['keychain', 'list', svc, '--json'])
    expect(KeychainEntryList.parse(JSON.parse(json.stdout)).entries.map((e) => e.account)).toEqual(['prod/eu-west-1'])

    const deleted = await runCli(['keychain', 'delete', `${svc}/prod/eu-west-1`, '--json'])
    expect(deleted.code).toBe(0)
    expect(DeletedKeychainEntry.parse(JSON.parse(deleted.stdout))).toEqual({ service: svc, account: 'prod/eu-west-1', deleted: true })
    expect(await createKeychainStore().get(svc, 'prod/eu-west-1')).toBeUndefined()

    const missing = await runCli(['keychain', 'delete', `${svc}/prod/eu-west-1`, '--json'])
    expect(missing.code).toBe(5)
    expect(ErrorOutput.parse(JSON.parse(missing.stdout)).error.code).toBe('not_found')

    const empty = await runCli(['keychain', 'list', svc, '--json'])
    expect(empty.code).toBe(0)
    expect(KeychainEntryList.parse(JSON.parse(empty.stdout)).entries).toEqual([])

    for (const result of [set, again, text, json, deleted, missing, empty]) expect(result.stdout + result.stderr).not.toContain(value)
  })

  it('list without SERVICE shows what keychain set stored here, across services, and not the sign-in entry', async () => {
    const env = { CLOWDOPS_CONFIG_DIR: freshConfigDir() }
    const [first, second] = [service(), service()]
    const value = canary()
    await createKeychainStore().set('clowdops', `signin-${first}`, new Secret(value))
    for (const name of [`${first}/prod`, `${second}/ci`]) expect((await runCli(['keychain', 'set', name], env, value)).code).toBe(0)
    try {
      const json = await runCli(['keychain', 'list', '--json'], env)
      expect(json.code, json.stderr).toBe(0)
      const listed = KeychainEntryList.parse(JSON.parse(json.stdout))
      expect(listed.services).toEqual([first, second].sort())
      expect(listed.entries.map((e) => e.reference).sort()).toEqual([`keychain:${first}/prod`, `keychain:${second}/ci`].sort())
      const text = await runCli(['keychain', 'list'], env)
      expect(text.stdout).toContain(`${first}/prod`)
      expect(text.stdout).not.toContain('signin-')
      // Another config directory has stored nothing.
      const elsewhere = await runCli(['keychain', 'list'], { CLOWDOPS_CONFIG_DIR: freshConfigDir() })
      expect(elsewhere.stdout).toContain('Nothing stored with clowdops keychain set here yet')
      for (const result of [json, text, elsewhere]) expect(result.stdout + result.stderr).not.toContain(value)
    } finally {
      await createKeychainStore().delete('clowdops', `signin-${first}`)
      for (const name of [`${first}/prod`, `${second}/ci`]) await runCli(['keychain', 'delete', name], env)
    }
  })

  it('set refuses an empty value with exit 2 and stores nothing', async () => {
    const svc = service()
    const result = await runCli(['keychain', 'set', `${svc}/empty`], {}, '\n')
    expect(result.code).toBe(2)
    expect(await createKeychainStore().get(svc, 'empty')).toBeUndefined()
  })

  it('set on a terminal asks with a hidden prompt that never shows the value', async () => {
    const svc = service()
    const value = canary()
    const pty = runInPty(['keychain', 'set', `${svc}/typed`], { CLOWDOPS_CONFIG_DIR: freshConfigDir(), NO_COLOR: '1' })
    await pty.waitFor(/Secret to store as/)
    pty.type(`${value}\r`)
    expect(await pty.exit).toBe(0)
    expect(pty.screen()).toContain('*'.repeat(8)) // masked echo
    expect(pty.screen()).toContain(`Stored ${svc}/typed`)
    expect(pty.screen()).not.toContain(value)
    expect((await createKeychainStore().get(svc, 'typed'))?.reveal()).toBe(value)
    expect((await runCli(['keychain', 'delete', `${svc}/typed`])).code).toBe(0)
  })
})
