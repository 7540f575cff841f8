// A minimal D-Bus client: the session bus over its unix socket (EXTERNAL authentication), method calls and their replies
// with the basic types, arrays, structs and variants. It exists so that the Secret Service can be asked about locks from
// JavaScript, where a call that never returns is abandoned by closing a socket; a libsecret call cannot be abandoned.
import { existsSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'

/** An error reply: `errorName` is D-Bus's, e.g. org.freedesktop.DBus.Error.ServiceUnknown. */
export class DBusError extends Error {
  constructor(
    readonly errorName: string,
    description: string,
  ) {
    super(`${errorName}: ${description}`)
    this.name = 'DBusError'
  }
}

/** A value of type `v`: its signature travels with it. */
export interface Variant {
  signature: string
  value: unknown
}

export interface MethodCall {
  destination: string
  path: string
  interface: string
  member: string
  /** The body's signature, e.g. 'ss' or 'a{ss}'; a dict is an array of [key, value] pairs. */
  signature?: string
  body?: unknown[]
}

export interface DBusConnection {
  /** The reply's body; rejects with DBusError on an error reply, or when the connection fails or is closed. */
  call(message: MethodCall): Promise<unknown[]>
  /** Drops the connection at once; calls still waiting reject. */
  close(): void
}

/**
 * The sockets of the session bus, as libdbus and GLib find it: DBUS_SESSION_BUS_ADDRESS (its unix transports), else
 * $XDG_RUNTIME_DIR/bus. Empty when there is none this client can use (e.g. only tcp:, or X11 autolaunch).
 */
export function sessionBusSockets(env: Readonly<Record<string, string | undefined>>): string[] {
  const address = env.DBUS_SESSION_BUS_ADDRESS?.trim()
  if (!address) {
    const runtimeBus = env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, 'bus') : undefined
    return runtimeBus !== undefined && existsSync(runtimeBus) ? [runtimeBus] : []
  }
  const sockets: string[] = []
  for (const entry of address.split(';')) {
    const colon = entry.indexOf(':')
    if (entry.slice(0, colon) !== 'unix') continue
    const keys = new Map(
      entry
        .slice(colon + 1)
        .split(',')
        .map((pair) => [pair.slice(0, pair.indexOf('=')), unescapeValue(pair.slice(pair.indexOf('=') + 1))]),
    )
    const socketPath = keys.get('path')
    const abstract = keys.get('abstract')
    if (socketPath) sockets.push(socketPath)
    else if (abstract) sockets.push(`\0${abstract}`) // Linux's abstract namespace, as Node spells it
  }
  return sockets
}

/** Address values escape bytes as %XX. */
function unescapeValue(value: string): string {
  return value.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
}

const BUS = { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus' }
/** Far above any reply this client asks for; a peer that sends more is cut off rather than buffered. */
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024
const MAX_AUTH_LINE = 512

/**
 * Connects to the first of `sockets` and says Hello; calls made meanwhile wait their turn, so this returns at once and
 * `close()` can end a connection that hangs at any step. Authentication, Hello and the calls made before the socket
 * connected go out in one write (the protocol allows a client to pipeline them, as sd-bus does): one round trip less.
 */
export function connectBus(sockets: readonly string[]): DBusConnection {
  const pending = new Map<number, { resolve: (body: unknown[]) => void; reject: (error: Error) => void }>()
  const queued: Buffer[] = []
  let serial = 0
  let received = Buffer.alloc(0)
  let connected = false
  let authenticated = false
  let failure: Error | undefined

  const fail = (error: Error) => {
    failure ??= error
    for (const waiter of pending.values()) waiter.reject(failure)
    pending.clear()
    socket?.destroy()
  }

  let socket: net.Socket | undefined
  const connectTo = (index: number) => {
    const target = sockets[index]
    if (target === undefined) return fail(new Error('no D-Bus session bus socket to connect to'))
    const attempt = net.createConnection({ path: target })
    socket = attempt
    attempt.once('connect', () => {
      connected = true
      attempt.on('error', (error) => fail(error))
      attempt.on('close', () => fail(new Error('the D-Bus connection closed')))
      // One NUL byte, then the EXTERNAL mechanism: the bus checks our uid on the socket itself.
      const uid = Buffer.from(String(process.getuid?.() ?? 0)).toString('hex')
      attempt.write(Buffer.concat([Buffer.from(`\0AUTH EXTERNAL ${uid}\r\nBEGIN\r\n`), ...queued]))
      queued.length = 0
    })
    attempt.once('error', (error) => {
      if (failure || connected) return // after connecting, the listener above has it
      if (index + 1 < sockets.length) connectTo(index + 1)
      else fail(error)
    })
    attempt.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      try {
        if (!authenticated) readAuthReply()
        if (authenticated) readMessages()
      } catch (error) {
        fail(error as Error)
      }
    })
  }

  function readAuthReply() {
    const end = received.indexOf('\r\n')
    if (end < 0) {
      if (received.length > MAX_AUTH_LINE) throw new Error('the D-Bus bus sent an overlong authentication line')
      return
    }
    const line = received.subarray(0, end).toString('latin1')
    received = received.subarray(end + 2)
    if (!line.startsWith('OK ')) throw new Error(`the D-Bus bus refused authentication (${line.split(' ')[0]})`)
    authenticated = true
  }

  function readMessages() {
    for (;;) {
      const parsed = parseMessage(received)
      if (parsed === undefined) return
      received = received.subarray(parsed.length)
      const { message } = parsed
      if (message.replySerial === undefined) continue // a signal, e.g. NameAcquired after Hello
      const waiter = pending.get(message.replySerial)
      if (!waiter) continue
      pending.delete(message.replySerial)
      if (message.type === MessageType.error) {
        waiter.reject(new DBusError(message.errorName ?? 'unknown', typeof message.body[0] === 'string' ? message.body[0] : ''))
      } else {
        waiter.resolve(message.body)
      }
    }
  }

  const call = (message: MethodCall): Promise<unknown[]> => {
    if (failure) return Promise.reject(failure)
    serial += 1
    const bytes = marshalMethodCall(serial, message)
    const reply = new Promise<unknown[]>((resolve, reject) => pending.set(serial, { resolve, reject }))
    if (connected) socket?.write(bytes)
    else queued.push(bytes)
    return reply
  }

  connectTo(0)
  // The bus answers nothing before Hello; its reply (our unique name) is not needed, a failure shows in the next call.
  void call({ ...BUS, member: 'Hello' }).catch(() => undefined)
  return { call, close: () => fail(new Error('the D-Bus connection was closed')) }
}

const MessageType = { methodCall: 1, methodReturn: 2, error: 3, signal: 4 } as const

const HeaderField = { path: 1, interface: 2, member: 3, errorName: 4, replySerial: 5, destination: 6, signature: 8 } as const

interface Message {
  type: number
  replySerial: number | undefined
  errorName: string | undefined
  body: unknown[]
}

/** Our messages are little-endian; replies may be either (the bus passes on the sender's byte order). */
export function marshalMethodCall(serial: number, call: MethodCall): Buffer {
  const signature = call.signature ?? ''
  const body = new Writer()
  splitSignature(signature).forEach((type, i) => body.write(type, call.body?.[i]))
  const fields: Array<[number, Variant]> = [
    [HeaderField.path, { signature: 'o', value: call.path }],
    [HeaderField.interface, { signature: 's', value: call.interface }],
    [HeaderField.member, { signature: 's', value: call.member }],
    [HeaderField.destination, { signature: 's', value: call.destination }],
    ...(signature ? [[HeaderField.signature, { signature: 'g', value: signature }] as [number, Variant]] : []),
  ]
  const header = new Writer()
  for (const byte of ['l'.charCodeAt(0), MessageType.methodCall, 0, 1]) header.write('y', byte)
  header.write('u', body.length)
  header.write('u', serial)
  header.write('a(yv)', fields)
  header.align(8)
  return Buffer.concat([header.bytes(), body.bytes()])
}

/** One whole message from the start of `bytes`, or undefined while more bytes are needed. */
export function parseMessage(bytes: Buffer): { message: Message; length: number } | undefined {
  if (bytes.length < 16) return undefined
  const littleEndian = bytes[0] === 'l'.charCodeAt(0)
  if (!littleEndian && bytes[0] !== 'B'.charCodeAt(0)) throw new Error('not a D-Bus message')
  const u32 = (at: number) => (littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at))
  const headerEnd = alignUp(16 + u32(12), 8)
  const length = headerEnd + u32(4)
  if (length > MAX_MESSAGE_BYTES) throw new Error(`a D-Bus message of ${length} bytes is more than this client reads`)
  if (bytes.length < length) return undefined
  const reader = new Reader(bytes.subarray(0, length), littleEndian, 12)
  const fields = new Map(reader.read('a(yv)') as Array<[number, unknown]>)
  reader.position = headerEnd
  const signature = fields.get(HeaderField.signature)
  const body = typeof signature === 'string' ? splitSignature(signature).map((type) => reader.read(type)) : []
  const replySerial = fields.get(HeaderField.replySerial)
  const errorName = fields.get(HeaderField.errorName)
  return {
    message: {
      type: bytes[1] ?? 0,
      replySerial: typeof replySerial === 'number' ? replySerial : undefined,
      errorName: typeof errorName === 'string' ? errorName : undefined,
      body,
    },
    length,
  }
}

const alignments: Record<string, number> = {
  y: 1, b: 4, n: 2, q: 2, i: 4, u: 4, x: 8, t: 8, d: 8, s: 4, o: 4, g: 1, h: 4, v: 1, a: 4, '(': 8, '{': 8,
}

function alignUp(offset: number, to: number): number {
  return Math.ceil(offset / to) * to
}

/** Where the single complete type starting at `start` ends. */
function completeTypeEnd(signature: string, start: number): number {
  const code = signature[start]
  if (code === 'a') return completeTypeEnd(signature, start + 1)
  if (code === '(' || code === '{') {
    const close = code === '(' ? ')' : '}'
    let at = start + 1
    while (signature[at] !== close) {
      if (at >= signature.length) throw new Error(`unbalanced D-Bus signature ${signature}`)
      at = completeTypeEnd(signature, at)
    }
    return at + 1
  }
  if (code !== undefined && code in alignments) return start + 1
  throw new Error(`unsupported D-Bus signature ${signature}`)
}

/** 'sa{ss}o' → ['s', 'a{ss}', 'o']. */
export function splitSignature(signature: string): string[] {
  const types: string[] = []
  for (let at = 0; at < signature.length; ) {
    const end = completeTypeEnd(signature, at)
    types.push(signature.slice(at, end))
    at = end
  }
  return types
}

class Writer {
  private buffer = Buffer.alloc(256)
  length = 0

  bytes(): Buffer {
    return this.buffer.subarray(0, this.length)
  }

  align(to: number): void {
    this.reserve(alignUp(this.length, to) - this.length)
  }

  write(type: string, value: unknown): void {
    const code = type[0] ?? ''
    this.align(alignments[code] ?? 1)
    switch (code) {
      case 'y':
        this.buffer.writeUInt8(value as number, this.reserve(1))
        return
      case 'b':
        this.buffer.writeUInt32LE(value ? 1 : 0, this.reserve(4))
        return
      case 'i':
        this.buffer.writeInt32LE(value as number, this.reserve(4))
        return
      case 'u':
        this.buffer.writeUInt32LE(value as number, this.reserve(4))
        return
      case 's':
      case 'o': {
        const text = Buffer.from(String(value), 'utf8')
        this.buffer.writeUInt32LE(text.length, this.reserve(4))
        text.copy(this.buffer, this.reserve(text.length + 1)) // and the NUL after it
        return
      }
      case 'g': {
        const text = Buffer.from(String(value), 'latin1')
        this.buffer.writeUInt8(text.length, this.reserve(1))
        text.copy(this.buffer, this.reserve(text.length + 1))
        return
      }
      case 'v': {
        const variant = value as Variant
        this.write('g', variant.signature)
        this.write(variant.signature, variant.value)
        return
      }
      case 'a': {
        const lengthAt = this.reserve(4)
        const element = type.slice(1)
        this.align(alignments[element[0] ?? ''] ?? 1)
        const start = this.length
        for (const item of value as unknown[]) this.write(element, item)
        this.buffer.writeUInt32LE(this.length - start, lengthAt)
        return
      }
      case '(':
      case '{': {
        const fields = splitSignature(type.slice(1, -1))
        fields.forEach((field, i) => this.write(field, (value as unknown[])[i]))
        return
      }
      default:
        throw new Error(`this D-Bus client does not write ${type}`)
    }
  }

  /** Grows the buffer by `count` zero bytes; returns where they start. */
  private reserve(count: number): number {
    const at = this.length
    if (at + count > this.buffer.length) {
      const grown = Buffer.alloc(Math.max(this.buffer.length * 2, at + count))
      this.buffer.copy(grown)
      this.buffer = grown
    }
    this.length += count
    return at
  }
}

class Reader {
  constructor(
    private readonly buffer: Buffer,
    private readonly littleEndian: boolean,
    public position: number,
  ) {}

  read(type: string): unknown {
    const code = type[0] ?? ''
    this.position = alignUp(this.position, alignments[code] ?? 1)
    switch (code) {
      case 'y':
        return this.buffer.readUInt8(this.advance(1))
      case 'b':
        return this.u32() !== 0
      case 'n':
        return this.littleEndian ? this.buffer.readInt16LE(this.advance(2)) : this.buffer.readInt16BE(this.advance(2))
      case 'q':
        return this.littleEndian ? this.buffer.readUInt16LE(this.advance(2)) : this.buffer.readUInt16BE(this.advance(2))
      case 'i':
        return this.littleEndian ? this.buffer.readInt32LE(this.advance(4)) : this.buffer.readInt32BE(this.advance(4))
      case 'u':
      case 'h':
        return this.u32()
      case 'x':
        return this.littleEndian ? this.buffer.readBigInt64LE(this.advance(8)) : this.buffer.readBigInt64BE(this.advance(8))
      case 't':
        return this.littleEndian ? this.buffer.readBigUInt64LE(this.advance(8)) : this.buffer.readBigUInt64BE(this.advance(8))
      case 'd':
        return this.littleEndian ? this.buffer.readDoubleLE(this.advance(8)) : this.buffer.readDoubleBE(this.advance(8))
      case 's':
      case 'o':
        return this.text(this.u32(), 'utf8')
      case 'g':
        return this.text(this.buffer.readUInt8(this.advance(1)), 'latin1')
      case 'v':
        return this.read(this.read('g') as string) // the value itself: callers know what they asked for
      case 'a': {
        const length = this.u32()
        const element = type.slice(1)
        this.position = alignUp(this.position, alignments[element[0] ?? ''] ?? 1)
        const end = this.position + length
        if (end > this.buffer.length) throw new Error('a D-Bus array runs past the end of its message')
        const items: unknown[] = []
        while (this.position < end) items.push(this.read(element))
        return items
      }
      case '(':
      case '{':
        return splitSignature(type.slice(1, -1)).map((field) => this.read(field))
      default:
        throw new Error(`this D-Bus client does not read ${type}`)
    }
  }

  private u32(): number {
    return this.littleEndian ? this.buffer.readUInt32LE(this.advance(4)) : this.buffer.readUInt32BE(this.advance(4))
  }

  private text(length: number, encoding: BufferEncoding): string {
    const start = this.advance(length + 1) // and the NUL after it
    return this.buffer.toString(encoding, start, start + length)
  }

  private advance(count: number): number {
    const at = this.position
    if (at + count > this.buffer.length) throw new Error('a D-Bus value runs past the end of its message')
    this.position += count
    return at
  }
}
