// Seals a secret on the client to the platform's public key (HPKE, RFC 9180), bound to the credential it belongs to.
// Only the envelope, the key id and a keyed fingerprint cross the wire; this is the one place a credential is revealed.
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core'
import { type CredentialKey, type SealContext, type SealedSecret, associatedData } from '../contract/credentials.js'
import type { Secret } from '../secret.js'

export const hpkeSuite = () =>
  new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() })

export function toBase64Url(bytes: ArrayBuffer | Uint8Array): string {
  return Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('base64url')
}

export function fromBase64Url(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64url'))
}

export async function sealSecret(
  secret: Secret,
  key: CredentialKey,
  context: Omit<SealContext, 'key_id'>,
): Promise<SealedSecret> {
  const suite = hpkeSuite()
  const recipientPublicKey = await suite.kem.deserializePublicKey(fromBase64Url(key.public_key))
  const plaintext = new TextEncoder().encode(secret.reveal())
  const { ct, enc } = await suite.seal({ recipientPublicKey }, plaintext, associatedData({ ...context, key_id: key.key_id }))
  return {
    key_id: key.key_id,
    enc: toBase64Url(enc),
    ciphertext: toBase64Url(ct),
    fingerprint: await fingerprint(secret, key, context),
  }
}

/** HMAC-SHA256 under the organisation's fingerprint key: equal secrets compare equal, without revealing either. */
export async function fingerprint(
  secret: Secret,
  key: Pick<CredentialKey, 'fingerprint_key'>,
  context: Pick<SealContext, 'provider' | 'field'>,
): Promise<string> {
  const hmacKey = await crypto.subtle.importKey('raw', fromBase64Url(key.fingerprint_key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const data = new TextEncoder().encode(`${context.provider}\0${context.field}\0${secret.reveal()}`)
  return toBase64Url(await crypto.subtle.sign('HMAC', hmacKey, data))
}
