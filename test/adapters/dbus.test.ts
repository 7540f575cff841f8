// The small D-Bus client and the Secret Service lock check: the wire format by hand, then against a real dbus-daemon
// and a gnome-keyring of this file's own (locked, stopped and missing on purpose).
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DBusError, connectBus, marshalMethodCall, parseMessage, sessionBusSockets, splitSignature } from '../../src/adapters/dbus.js'
import { type LockQuery, secretServiceLockState } from '../../src/adapters/secret-service.js'
import {
  keytarAttributes,
  secretTool,
  startPrivateBus,
  startPrivateKeyring,
  startSilentBus,
  testKeyringReady,
  type PrivateBus,
  type PrivateKeyring,
} from '../support/keyring.js'

describe('D-Bus wire format', () => {
  it('splits a signature into complete types', () => {
    expect(splitSignature('sa{ss}(ao(yv))vb')).toEqual(['s', 'a{ss}', '(ao(yv))', 'v', 'b'])
    expect(() => splitSignature('a(s')).toThrow(/unbalanced/)
    expect(() => splitSignature('z')).toThrow(/unsupported/)
  })

  it('reads back the method call it writes, padding included', () => {
    const bytes = marshalMethodCall(7, {
      destination: 'org.freedesktop.secrets',
      path: '/org/freedesktop/secrets',
      interface: 'org.freedesktop.Secret.Service',
      member: 'SearchItems',
      signature: 'a{ss}aoyb',
      body: [[['service', 'clowdops'], ['account', 'dé']], ['/a', '/b/c'], 255, true],
    })
    expect(bytes.readUInt32LE(8)).toBe(7) // the serial
    const parsed = parseMessage(bytes)
    expect(parsed?.length).toBe(bytes.length)
    expect(parsed?.message).toMatchObject({ type: 1, body: [[['service', 'clowdops'], ['account', 'dé']], ['/a', '/b/c'], 255, true] })
    expect(parseMessage(bytes.subarray(0, bytes.length - 1))).toBeUndefined() // not all there yet
  })

  it('reads a big-endian error reply (the bus passes on the byte order of whoever sent it)', () => {
    // Header: 'B', error (3), no flags, version 1, body 4 bytes, serial 9, fields: REPLY_SERIAL u 2, ERROR_NAME s, SIGNATURE g "u".
    const name = 'x.Y'
    const fields = Buffer.from([
      5, 1, 0x75, 0, 0, 0, 0, 2, // (y v): 5, 'u', 2
      4, 1, 0x73, 0, 0, 0, 0, 3, ...Buffer.from(name), 0, // (y v): 4, 's', "x.Y" (8-aligned start)
      0, 0, 0, 0, // pad to 8 for the next struct
      8, 1, 0x67, 0, 1, 0x75, 0, // (y v): 8, 'g', "u"
    ])
    const header = Buffer.concat([Buffer.from([0x42, 3, 0, 1, 0, 0, 0, 4, 0, 0, 0, 9]), Buffer.from([0, 0, 0, fields.length]), fields])
    const padding = Buffer.alloc((8 - (header.length % 8)) % 8)
    const message = Buffer.concat([header, padding, Buffer.from([0, 0, 1, 0])])
    expect(parseMessage(message)?.message).toEqual({ type: 3, replySerial: 2, errorName: 'x.Y', body: [256] })
  })

  it('refuses what is not a D-Bus message, and one bigger than it would ever need', () => {
    expect(() => parseMessage(Buffer.alloc(16, 0x7a))).toThrow(/not a D-Bus message/)
    const huge = Buffer.from([0x6c, 2, 0, 1, 0xff, 0xff, 0xff, 0x0f, 1, 0, 0, 0, 0, 0, 0, 0])
    expect(() => parseMessage(huge)).toThrow(/more than this client reads/)
  })
})

describe('session bus address', () => {
  it('takes the unix sockets of DBUS_SESSION_BUS_ADDRESS, in order, unescaped', () => {
    const env = { DBUS_SESSION_BUS_ADDRESS: 'tcp:host=localhost,port=1;unix:path=/run/user/1000/b%2cus,guid=ab;unix:abstract=/tmp/dbus-x' }
    expect(sessionBusSockets(env)).toEqual(['/run/user/1000/b,us', '\0/tmp/dbus-x'])
  })

  it('falls back to $XDG_RUNTIME_DIR/bus when it exists, else there is none', () => {
    const runtime = mkdtempSync(join(tmpdir(), 'clowdops-runtime-'))
    expect(sessionBusSockets({ XDG_RUNTIME_DIR: runtime })).toEqual([])
    writeFileSync(join(runtime, 'bus'), '')
    expect(sessionBusSockets({ XDG_RUNTIME_DIR: runtime })).toEqual([join(runtime, 'bus')])
    expect(sessionBusSockets({ DBUS_SESSION_BUS_ADDRESS: 'tcp:host=localhost,port=1' })).toEqual([])
    expect(sessionBusSockets({})).toEqual([])
  })
})

describe.skipIf(!testKeyringReady)('D-Bus client against a real bus', () => {
  let bus: PrivateBus
  beforeAll(async () => {
    bus = await startPrivateBus()
  })
  afterAll(() => bus?.stop())

  const dbus = { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus' }

  it('says Hello, calls methods and gets their replies, and error replies as DBusError', async () => {
    const connection = connectBus(sessionBusSockets({ DBUS_SESSION_BUS_ADDRESS: bus.address }))
    try {
      expect(await connection.call({ ...dbus, member: 'GetNameOwner', signature: 's', body: ['org.freedesktop.DBus'] })).toEqual([
        'org.freedesktop.DBus',
      ])
      const [names] = await connection.call({ ...dbus, member: 'ListNames' })
      expect(names).toEqual(expect.arrayContaining(['org.freedesktop.DBus', expect.stringMatching(/^:1\./)]))
      const error = await connection.call({ ...dbus, member: 'GetNameOwner', signature: 's', body: ['org.example.Nobody'] }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(DBusError)
      expect(error).toMatchObject({ errorName: 'org.freedesktop.DBus.Error.NameHasNoOwner' })
    } finally {
      connection.close()
    }
  })

  it('tries the next address when a socket is not there, and fails every call when none is', async () => {
    const connection = connectBus(['/nonexistent/bus', ...sessionBusSockets({ DBUS_SESSION_BUS_ADDRESS: bus.address })])
    expect(await connection.call({ ...dbus, member: 'GetId' })).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/)])
    connection.close()
    await expect(connectBus(['/nonexistent/bus']).call({ ...dbus, member: 'GetId' })).rejects.toThrow(/ENOENT/)
  })

  it('close() ends a call on a bus that never answers', async () => {
    const silent = await startSilentBus()
    try {
      const connection = connectBus(sessionBusSockets({ DBUS_SESSION_BUS_ADDRESS: silent.address }))
      const call = connection.call({ ...dbus, member: 'GetId' })
      setTimeout(() => connection.close(), 50)
      await expect(call).rejects.toThrow(/closed/)
    } finally {
      await silent.release()
    }
  })
})

describe.skipIf(!testKeyringReady)('Secret Service lock check', () => {
  let keyring: PrivateKeyring
  const service = 'clowdops-lock-check'
  const entry: LockQuery = { items: { service, account: 'stored' } }
  const check = (query: LockQuery, env: Record<string, string> = keyring.env, timeoutMs = 3000) =>
    secretServiceLockState(query, env, AbortSignal.timeout(timeoutMs))

  beforeAll(async () => {
    keyring = await startPrivateKeyring()
    await secretTool(['store', '--label', 'clowdops test', ...keytarAttributes(service, 'stored')], 'value', keyring.env)
  })
  afterAll(() => keyring?.stop())
  afterEach(async () => {
    keyring.resume()
    if (await keyring.locked()) await keyring.unlock()
  })

  it('says unlocked while the keyring is, and locked for its items and default collection once it is locked', async () => {
    expect(await check({ ...entry, defaultCollection: true })).toBe('unlocked')
    await keyring.lock()
    expect(await check(entry)).toBe('locked')
    expect(await check({ items: { service } })).toBe('locked')
    expect(await check({ defaultCollection: true })).toBe('locked')
    // Nothing stored under that name: nothing of it is locked.
    expect(await check({ items: { service, account: 'never-stored' } })).toBe('unlocked')
  })

  it('says unanswered, in time, when the Secret Service is stopped', async () => {
    keyring.pause()
    const started = performance.now()
    expect(await check(entry, keyring.env, 300)).toBe('unanswered')
    expect(performance.now() - started).toBeLessThan(3000) // a hang guard, not a performance assertion
  })

  it('says unknown where there is no bus or no Secret Service on it: libsecret then says what it finds', async () => {
    const bare = await startPrivateBus()
    try {
      expect(await check(entry, { DBUS_SESSION_BUS_ADDRESS: bare.address })).toBe('unknown')
    } finally {
      await bare.stop()
    }
    expect(await check(entry, { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' })).toBe('unknown')
    expect(await check(entry, {})).toBe('unknown')
  })
})
