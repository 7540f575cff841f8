// The keychain adapter against a real Secret Service (scripts/with-keyring.sh), and how it fails without one.
import { randomUUID } from 'node:crypto'
import { format, inspect } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { KEYCHAIN_LOCKED, createKeychainStore, type KeytarModule } from '../../src/adapters/keychain.js'
import type { LockQuery, LockState } from '../../src/adapters/secret-service.js'
import { KeychainUnavailableError, UsageError } from '../../src/core/errors.js'
import { Secret } from '../../src/core/secret.js'
import {
  envWithBus,
  inCI,
  keytarAttributes,
  missingKeyringReason,
  probeKeychainGet,
  secretTool,
  startSilentBus,
  testKeyringReady,
  writeBusConfigWithoutServices,
} from '../support/keyring.js'

const canary = () => `canary-${randomUUID()}`

describe('test keyring', () => {
  // Without it this fails in CI (nothing may be skipped there) and is skipped locally, saying why.
  it('is a throw-away Secret Service that answers, not the user\'s keyring', async (context) => {
    if (!testKeyringReady) {
      if (inCI) throw new Error(missingKeyringReason)
      context.skip(missingKeyringReason)
    }
    expect(process.env.HOME).toContain('clowdops-keyring.') // the temp HOME of scripts/with-keyring.sh
    expect(process.env.DBUS_SESSION_BUS_ADDRESS).toBeTruthy()
    // secret-tool search exits 0 with no output when nothing matches, non-zero when the service cannot be reached.
    expect(await secretTool(['search', 'service', `clowdops-test-${randomUUID()}`])).toBe('')
  })
})

describe.skipIf(!testKeyringReady)('keychain adapter against a real Secret Service', () => {
  const store = createKeychainStore()
  // One service per run, so parallel runs and other test files never see each other's items.
  const service = `clowdops-test-${randomUUID()}`
  const written = new Set<string>()

  afterAll(async () => {
    for (const account of written) await store.delete(service, account)
  })

  it('stores, reads, lists and deletes a secret', async () => {
    const account = `round-trip-${randomUUID()}`
    const value = canary()
    written.add(account)

    await store.set(service, account, new Secret(value))
    expect((await store.get(service, account))?.reveal()).toBe(value)
    expect(await store.list(service)).toContain(account)

    expect(await store.delete(service, account)).toBe(true)
    expect(await store.get(service, account)).toBeUndefined()
    expect(await store.list(service)).not.toContain(account)
  })

  it('overwrites the value stored under the same name', async () => {
    const account = `overwrite-${randomUUID()}`
    written.add(account)
    await store.set(service, account, new Secret(canary()))
    const second = canary()
    await store.set(service, account, new Secret(second))
    expect((await store.get(service, account))?.reveal()).toBe(second)
    expect((await store.list(service)).filter((name) => name === account)).toHaveLength(1)
  })

  it('writes the item secret-tool finds under the service and account attributes', async () => {
    const account = `to-secret-tool-${randomUUID()}`
    const value = canary()
    written.add(account)
    await store.set(service, account, new Secret(value))
    expect(await secretTool(['lookup', 'service', service, 'account', account])).toBe(value)
  })

  it('reads an item stored by secret-tool', async () => {
    const account = `from-secret-tool-${randomUUID()}`
    const value = canary()
    written.add(account)
    await secretTool(['store', '--label', 'clowdops test', ...keytarAttributes(service, account)], value)
    expect((await store.get(service, account))?.reveal()).toBe(value)
  })

  it('lists account names and never the values', async () => {
    const listService = `clowdops-test-list-${randomUUID()}`
    const values = [canary(), canary()]
    await store.set(listService, 'b-account', new Secret(values[0]!))
    await store.set(listService, 'a-account', new Secret(values[1]!))
    try {
      const names = await store.list(listService)
      expect(names).toEqual(['a-account', 'b-account'])
      const printed = JSON.stringify(names)
      for (const value of values) expect(printed).not.toContain(value)
    } finally {
      await store.delete(listService, 'a-account')
      await store.delete(listService, 'b-account')
    }
  })

  it('lists nothing for a service with no items', async () => {
    expect(await store.list(`clowdops-test-empty-${randomUUID()}`)).toEqual([])
  })

  it('returns undefined for a missing entry and false when deleting one', async () => {
    const account = `missing-${randomUUID()}`
    expect(await store.get(service, account)).toBeUndefined()
    expect(await store.delete(service, account)).toBe(false)
  })

  it('hands back a Secret that prints as [redacted] everywhere', async () => {
    const account = `redacted-${randomUUID()}`
    const value = canary()
    written.add(account)
    await store.set(service, account, new Secret(value))
    const secret = await store.get(service, account)
    expect(secret).toBeInstanceOf(Secret)
    const renderings = [
      String(secret),
      `${secret}`,
      JSON.stringify(secret),
      JSON.stringify({ token: secret }),
      inspect(secret),
      inspect({ token: secret }, { depth: 5 }),
      format('%s %o %O %j', secret, secret, secret, secret),
    ]
    for (const text of renderings) {
      expect(text).toContain('[redacted]')
      expect(text).not.toContain(value)
    }
    expect(secret?.reveal()).toBe(value)
  })

  it('says no Secret Service is running on a bus that cannot activate one', async () => {
    const config = await writeBusConfigWithoutServices()
    try {
      const probe = await probeKeychainGet({
        env: envWithBus('unix:path=/nonexistent'), // replaced by dbus-run-session with its own bus
        prefix: ['dbus-run-session', `--config-file=${config.path}`, '--'],
      })
      console.log(`keychain get on a bus without a Secret Service failed after ${probe.result.elapsedMs} ms`)
      expect(probe.result).toMatchObject({ ok: false, code: 'keychain_unavailable', exitCode: 9 })
      expect(probe.result.message).toMatch(/no Secret Service .*org\.freedesktop\.secrets/)
      expect(await probe.exited).toBe(0)
    } finally {
      await config.remove()
    }
  })
})

// These need no keyring, only the real keytar and libsecret: they are about the keychain being absent.
describe.runIf(process.platform === 'linux')('keychain adapter without a reachable Secret Service', () => {
  it('fails with KeychainUnavailableError (exit 9) when the D-Bus session bus does not exist', async () => {
    const probe = await probeKeychainGet({ env: envWithBus('unix:path=/nonexistent') })
    console.log(`keychain get with no D-Bus failed after ${probe.result.elapsedMs} ms`)
    expect(probe.result).toMatchObject({
      ok: false,
      name: 'KeychainUnavailableError',
      code: 'keychain_unavailable',
      exitCode: 9,
    })
    // The real module loaded (CommonJS interop works) and the message names the cause on one line.
    expect(probe.result.message).toMatch(
      /^Could not read "clowdops-probe\/nobody" from the OS keychain: the D-Bus session bus cannot be reached/,
    )
    expect(probe.result.message).not.toMatch(/\n/)
    expect(probe.result.elapsedMs).toBeLessThan(8000) // a hang guard, not a performance assertion
    expect(await probe.exited).toBe(0)
  })

  it('gives up on a D-Bus session bus that never answers after the timeout, and the process ends then', async () => {
    const bus = await startSilentBus()
    const probe = await probeKeychainGet({ env: envWithBus(bus.address), timeoutMs: 300 })
    try {
      console.log(`keychain get on a silent D-Bus gave up after ${probe.result.elapsedMs} ms`)
      expect(probe.result).toMatchObject({ ok: false, code: 'keychain_unavailable', exitCode: 9 })
      expect(probe.result.message).toContain('it did not answer within 300 ms')
      expect(probe.result.elapsedMs).toBeGreaterThanOrEqual(290)
      expect(probe.result.elapsedMs).toBeLessThan(8000)
      // The bus still hangs: no native call may be left waiting on it (one would hold the process, even process.exit,
      // until D-Bus gives up). A hang guard, not a performance assertion.
      const stillRunning = new Promise((resolve) => setTimeout(resolve, 5000, 'still running'))
      expect(await Promise.race([probe.exited, stillRunning])).toBe(0)
    } finally {
      probe.kill()
      await bus.release()
    }
  })
})

// Paths a real keychain cannot be made to take on demand, through the factory's `load` seam (no module mocking).
describe('keychain adapter failure mapping', () => {
  const keytarRejecting = (message: string): KeytarModule => ({
    getPassword: () => Promise.reject(new Error(message)),
    setPassword: () => Promise.reject(new Error(message)),
    deletePassword: () => Promise.reject(new Error(message)),
    findCredentials: () => Promise.reject(new Error(message)),
  })

  it('times out a keychain that never answers', async () => {
    const store = createKeychainStore({ timeoutMs: 50, load: () => new Promise(() => {}) })
    const error = await store.get('svc', 'acct').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KeychainUnavailableError)
    expect(error).toMatchObject({ code: 'keychain_unavailable', exitCode: 9 })
    expect((error as Error).message).toBe(
      'Could not read "svc/acct" from the OS keychain: it did not answer within 50 ms.',
    )
  })

  it.each([
    ['Cannot autolaunch D-Bus without X11 $DISPLAY', 'there is no D-Bus session bus'],
    ['The name org.freedesktop.secrets was not provided by any .service files', 'no Secret Service'],
    ['Cannot create an item in a locked collection', 'the keychain is locked; unlock it and retry'],
    ['Failed to load keytar native addon, checked ["../build/Release"] on prebuilds/linux-x64', 'libsecret-1-0'],
  ])('explains "%s"', async (native, explanation) => {
    const store = createKeychainStore({ load: async () => keytarRejecting(native) })
    const error = await store.set('svc', 'acct', new Secret(canary())).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KeychainUnavailableError)
    expect((error as Error).message).toContain(explanation)
    expect((error as Error).message).toContain(native)
  })

  it('reports a keytar module that fails to load', async () => {
    const store = createKeychainStore({ load: () => Promise.reject(new Error('Failed to load keytar native addon')) })
    await expect(store.list('svc')).rejects.toThrow(
      /^Could not list the accounts of "svc" in the OS keychain: the keychain library could not be loaded/,
    )
  })

  it('never repeats the secret in an error message', async () => {
    const value = canary()
    const store = createKeychainStore({ load: async () => keytarRejecting(`refused to store ${value}`) })
    const error = await store.set('svc', 'acct', new Secret(value)).catch((e: unknown) => e as KeychainUnavailableError)
    expect(error?.message).toBe(
      'Could not store "svc/acct" in the OS keychain: native error withheld: it contained the secret.',
    )
    expect(error?.cause).toBeUndefined()
    expect(JSON.stringify(error)).not.toContain(value)
  })

  it('loads keytar only on the first call, once', async () => {
    let loads = 0
    const fake: KeytarModule = {
      getPassword: async () => null,
      setPassword: async () => {},
      deletePassword: async () => false,
      findCredentials: async () => [
        { account: 'b', password: 'value-b' },
        { account: 'a', password: 'value-a' },
        { account: 'b', password: 'value-b2' },
      ],
    }
    const store = createKeychainStore({ load: async () => (loads++, fake) })
    expect(loads).toBe(0)
    expect(await store.get('svc', 'acct')).toBeUndefined()
    expect(await store.list('svc')).toEqual(['a', 'b'])
    expect(loads).toBe(1)
  })

  it.each([
    ['', 'acct', /service name must not be empty/],
    ['svc', '', /account name must not be empty/],
    ['svc\n', 'acct', /service name must not contain control characters/],
    ['svc', 'ac\u0000ct', /account name must not contain control characters/],
    ['svc', 'acct\u007f', /account name must not contain control characters/],
  ])('refuses service %j / account %j before touching the keychain', async (service, account, message) => {
    let loads = 0
    const store = createKeychainStore({ load: async () => (loads++, keytarRejecting('unreachable')) })
    for (const attempt of [
      () => store.get(service, account),
      () => store.set(service, account, new Secret('x')),
      () => store.delete(service, account),
    ]) {
      const error = await attempt().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(UsageError)
      expect((error as Error).message).toMatch(message)
    }
    if (service === '' || service.includes('\n')) await expect(store.list(service)).rejects.toBeInstanceOf(UsageError)
    expect(loads).toBe(0)
  })

  /** A keytar that counts the calls that reach it. */
  const countingKeytar = () => {
    const calls: string[] = []
    const module: KeytarModule = {
      getPassword: async () => (calls.push('getPassword'), 'value'),
      setPassword: async () => void calls.push('setPassword'),
      deletePassword: async () => (calls.push('deletePassword'), true),
      findCredentials: async () => (calls.push('findCredentials'), []),
    }
    return { calls, module }
  }

  it('a locked keychain is exit 9 (keychain_locked) for every call, and keytar is never asked', async () => {
    const keytar = countingKeytar()
    const store = createKeychainStore({ load: async () => keytar.module, lockState: async () => 'locked' })
    for (const attempt of [
      () => store.get('svc', 'acct'),
      () => store.set('svc', 'acct', new Secret(canary())),
      () => store.delete('svc', 'acct'),
      () => store.list('svc'),
      () => store.checkWritable('svc', 'acct'),
    ]) {
      const error = await attempt().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(KeychainUnavailableError)
      expect(error).toMatchObject({ code: 'keychain_locked', exitCode: 9 })
      expect((error as Error).message).toMatch(new RegExp(`^Could not \\w+ .*"svc.*" (from|in) the OS keychain: ${KEYCHAIN_LOCKED}\\.$`))
      expect((error as KeychainUnavailableError).hint).toMatch(/^Unlock your OS keychain/)
    }
    expect(keytar.calls).toEqual([])
  })

  it('a lock check that does not answer times out, and no native call starts after it', async () => {
    const keytar = countingKeytar()
    const unanswered = (_query: LockQuery, signal: AbortSignal) =>
      new Promise<LockState>((resolve) => signal.addEventListener('abort', () => resolve('unanswered')))
    const store = createKeychainStore({ timeoutMs: 50, load: async () => keytar.module, lockState: unanswered })
    await expect(store.get('svc', 'acct')).rejects.toThrow('Could not read "svc/acct" from the OS keychain: it did not answer within 50 ms.')
    await new Promise((resolve) => setTimeout(resolve, 20)) // were a native call still to start, it would have by now
    expect(keytar.calls).toEqual([])
  })

  it('asks about what each call needs: the entry, the service, or the collection new entries go to', async () => {
    const asked: LockQuery[] = []
    const keytar = countingKeytar()
    const store = createKeychainStore({ load: async () => keytar.module, lockState: async (query) => (asked.push(query), 'unlocked') })
    await store.get('svc', 'acct')
    await store.set('svc', 'acct', new Secret(canary()))
    await store.delete('svc', 'acct')
    await store.list('svc')
    await store.checkWritable('svc', 'acct')
    expect(asked).toEqual([
      { items: { service: 'svc', account: 'acct' } },
      { defaultCollection: true },
      { items: { service: 'svc', account: 'acct' } },
      { items: { service: 'svc' } },
      { items: { service: 'svc', account: 'acct' }, defaultCollection: true },
    ])
    expect(keytar.calls).toEqual(['getPassword', 'setPassword', 'deletePassword', 'findCredentials', 'getPassword'])
  })

  it('refuses to store an empty secret', async () => {
    const store = createKeychainStore({ load: async () => keytarRejecting('unreachable') })
    await expect(store.set('svc', 'acct', new Secret(''))).rejects.toBeInstanceOf(UsageError)
  })
})
