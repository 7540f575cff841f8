// The platform side of sealing: its HPKE key pair, the public half published, and opening envelopes under a context.
import { randomBytes } from 'node:crypto'
import { type CredentialKey, HPKE_SUITE, type SealContext, type SealedSecret, associatedData } from '../../src/core/contract/credentials.js'
import { fingerprint, fromBase64Url, hpkeSuite, toBase64Url } from '../../src/core/credentials/seal.js'
import { Secret } from '../../src/core/secret.js'
import { ProblemError } from './problems.js'
import { randomBase62 } from './store.js'

export interface CredentialKeyring {
  /** As GET /v1/credential-keys publishes it. */
  current: CredentialKey
  /** Opens an envelope for exactly this context; any mismatch (label, field, project, key...) is a 422. */
  open(sealed: SealedSecret, context: Omit<SealContext, 'key_id'>): Promise<string>
  /** The keyed fingerprint the client must have sent for this plaintext. */
  fingerprintOf(plaintext: string, context: Pick<SealContext, 'provider' | 'field'>): Promise<string>
}

export async function createCredentialKeyring(): Promise<CredentialKeyring> {
  const suite = hpkeSuite()
  const pair = await suite.kem.generateKeyPair()
  const current: CredentialKey = {
    key_id: `ck_${randomBase62(16)}`,
    ...HPKE_SUITE,
    public_key: toBase64Url(await suite.kem.serializePublicKey(pair.publicKey)),
    fingerprint_key: toBase64Url(randomBytes(32)),
    created_at: new Date().toISOString(),
  }
  return {
    current,
    fingerprintOf: (plaintext, context) => fingerprint(new Secret(plaintext), current, context),
    async open(sealed, context) {
      if (sealed.key_id !== current.key_id) throw new ProblemError(422, 'unknown_key', `No credential key ${sealed.key_id}.`)
      try {
        const plaintext = await suite.open(
          { recipientKey: pair.privateKey, enc: fromBase64Url(sealed.enc) },
          fromBase64Url(sealed.ciphertext),
          associatedData({ ...context, key_id: sealed.key_id }),
        )
        return new TextDecoder().decode(plaintext)
      } catch {
        throw new ProblemError(422, 'seal_mismatch', 'The sealed secret does not open for this credential (replayed or tampered).')
      }
    },
  }
}
