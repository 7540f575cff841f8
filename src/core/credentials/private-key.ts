// Reads what a private key is — algorithm, size, whether a passphrase protects it — without the passphrase and
// without any I/O. PEM keys (PKCS#1, SEC1, PKCS#8) go through node:crypto; OpenSSH keys
// (`-----BEGIN OPENSSH PRIVATE KEY-----`, openssh-key-v1, OpenSSH's PROTOCOL.key) are read here: the cipher name
// and the public key sit unencrypted at the head of the file, which is all we need.
import { Buffer } from 'node:buffer'
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'

export type PrivateKeyType = 'rsa' | 'dsa' | 'ecdsa' | 'ed25519' | 'sk-ed25519' | 'sk-ecdsa' | 'other'

export type PrivateKeyInfo =
  | {
      ok: true
      format: 'pem' | 'openssh'
      type: PrivateKeyType
      /** The algorithm's own name (`ssh-ed25519`, `rsa`, `ec`…): public, fit for messages and hints. */
      algorithm: string
      /** Modulus or curve size, when known. */
      bits?: number
      /** Protected by a passphrase (we cannot read the key itself then; type and bits may still be known). */
      encrypted: boolean
      /** OCI's API-key fingerprint: MD5 of the DER public key, colon-separated hex. Unencrypted PEM keys only. */
      md5Fingerprint?: string
    }
  | { ok: false; reason: 'not-a-key' | 'unreadable' }

const PEM_BLOCK = /^-----BEGIN ([A-Z0-9 ]{1,64})-----\r?\n([\s\S]*?)\r?\n?-----END \1-----\s*$/
const MAX_KEY_TEXT = 65_536

export function inspectPrivateKey(text: string): PrivateKeyInfo {
  if (typeof text !== 'string' || text.length > MAX_KEY_TEXT) return { ok: false, reason: 'not-a-key' }
  const block = PEM_BLOCK.exec(text.trim())
  if (!block) return { ok: false, reason: 'not-a-key' }
  const label = block[1] ?? ''
  const body = block[2] ?? ''
  if (label === 'OPENSSH PRIVATE KEY') return inspectOpenSsh(body)
  if (!label.endsWith('PRIVATE KEY')) return { ok: false, reason: 'not-a-key' }
  return inspectPem(text.trim(), label, body)
}

function inspectPem(pem: string, label: string, body: string): PrivateKeyInfo {
  const labelType: PrivateKeyType | undefined =
    label === 'RSA PRIVATE KEY' ? 'rsa' : label === 'DSA PRIVATE KEY' ? 'dsa' : label === 'EC PRIVATE KEY' ? 'ecdsa' : undefined
  // RFC 1421 headers (Proc-Type: 4,ENCRYPTED) on PKCS#1/SEC1 keys; RFC 5958 EncryptedPrivateKeyInfo for PKCS#8.
  if (label === 'ENCRYPTED PRIVATE KEY' || /^Proc-Type:\s*4,\s*ENCRYPTED/m.test(body)) {
    return { ok: true, format: 'pem', type: labelType ?? 'other', algorithm: labelType ?? 'unknown', encrypted: true }
  }
  let key: KeyObject
  try {
    key = createPrivateKey({ key: pem, format: 'pem' })
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    if (code === 'ERR_MISSING_PASSPHRASE') {
      return { ok: true, format: 'pem', type: labelType ?? 'other', algorithm: labelType ?? 'unknown', encrypted: true }
    }
    return { ok: false, reason: 'unreadable' }
  }
  const algorithm = key.asymmetricKeyType ?? 'unknown'
  const details = key.asymmetricKeyDetails ?? {}
  const type: PrivateKeyType =
    algorithm === 'rsa' || algorithm === 'rsa-pss'
      ? 'rsa'
      : algorithm === 'dsa'
        ? 'dsa'
        : algorithm === 'ec'
          ? 'ecdsa'
          : algorithm === 'ed25519'
            ? 'ed25519'
            : 'other'
  const bits =
    details.modulusLength ?? (details.namedCurve ? CURVE_BITS[details.namedCurve] : undefined) ?? (type === 'ed25519' ? 256 : undefined)
  return { ok: true, format: 'pem', type, algorithm, bits, encrypted: false, md5Fingerprint: md5Fingerprint(key) }
}

const CURVE_BITS: Readonly<Record<string, number>> = {
  prime256v1: 256,
  'P-256': 256,
  secp384r1: 384,
  'P-384': 384,
  secp521r1: 521,
  'P-521': 521,
}

function md5Fingerprint(key: KeyObject): string | undefined {
  try {
    const der = createPublicKey(key).export({ type: 'spki', format: 'der' })
    return createHash('md5').update(der).digest('hex').replace(/(..)(?!$)/g, '$1:')
  } catch {
    return undefined
  }
}

// --- openssh-key-v1

class Truncated extends Error {}

class Reader {
  #offset = 0
  constructor(private readonly bytes: Buffer) {}

  uint32(): number {
    if (this.#offset + 4 > this.bytes.length) throw new Truncated()
    const value = this.bytes.readUInt32BE(this.#offset)
    this.#offset += 4
    return value
  }

  string(): Buffer {
    const length = this.uint32()
    if (this.#offset + length > this.bytes.length) throw new Truncated()
    const value = this.bytes.subarray(this.#offset, this.#offset + length)
    this.#offset += length
    return value
  }

  text(): string {
    return this.string().toString('latin1')
  }
}

const OPENSSH_MAGIC = Buffer.from('openssh-key-v1\0', 'latin1')

function inspectOpenSsh(body: string): PrivateKeyInfo {
  const base64 = body.replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return { ok: false, reason: 'unreadable' }
  const bytes = Buffer.from(base64, 'base64')
  if (!bytes.subarray(0, OPENSSH_MAGIC.length).equals(OPENSSH_MAGIC)) return { ok: false, reason: 'unreadable' }
  try {
    const reader = new Reader(bytes.subarray(OPENSSH_MAGIC.length))
    const cipher = reader.text()
    reader.text() // kdf name
    reader.string() // kdf options
    if (reader.uint32() < 1) return { ok: false, reason: 'unreadable' }
    const publicKey = new Reader(reader.string())
    const algorithm = publicKey.text()
    const encrypted = cipher !== 'none'
    switch (algorithm) {
      case 'ssh-rsa': {
        publicKey.string() // e
        return { ok: true, format: 'openssh', type: 'rsa', algorithm, bits: mpintBits(publicKey.string()), encrypted }
      }
      case 'ssh-dss':
        return { ok: true, format: 'openssh', type: 'dsa', algorithm, bits: mpintBits(publicKey.string()), encrypted }
      case 'ssh-ed25519':
        return { ok: true, format: 'openssh', type: 'ed25519', algorithm, bits: 256, encrypted }
      case 'sk-ssh-ed25519@openssh.com':
        return { ok: true, format: 'openssh', type: 'sk-ed25519', algorithm, bits: 256, encrypted }
      case 'sk-ecdsa-sha2-nistp256@openssh.com':
        return { ok: true, format: 'openssh', type: 'sk-ecdsa', algorithm, bits: 256, encrypted }
      default: {
        const curve = /^ecdsa-sha2-nistp(256|384|521)$/.exec(algorithm)
        if (curve) return { ok: true, format: 'openssh', type: 'ecdsa', algorithm, bits: Number(curve[1]), encrypted }
        // Not an algorithm name we know: report it only if it looks like one, never arbitrary bytes.
        const shown = /^[a-z0-9@.-]{1,64}$/.test(algorithm) ? algorithm : 'unknown'
        return { ok: true, format: 'openssh', type: 'other', algorithm: shown, encrypted }
      }
    }
  } catch (error) {
    if (error instanceof Truncated) return { ok: false, reason: 'unreadable' }
    throw error
  }
}

/** Bit length of an SSH mpint (big-endian, two's complement, maybe a leading zero byte). */
function mpintBits(bytes: Buffer): number {
  let start = 0
  while (start < bytes.length && bytes[start] === 0) start++
  if (start === bytes.length) return 0
  return (bytes.length - start - 1) * 8 + (32 - Math.clz32(bytes[start] ?? 0))
}
