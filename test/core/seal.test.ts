// Sealing: what the CLI seals, the local platform opens, for that credential only. Keys come over real HTTP.
import { beforeAll, describe, expect, it } from 'vitest'
import { systemClock } from '../../src/adapters/clock.js'
import { createHttpClient } from '../../src/adapters/http.js'
import { type CredentialKey, endpoints } from '../../src/core/contract/index.js'
import { fingerprint, sealSecret } from '../../src/core/credentials/seal.js'
import { Secret } from '../../src/core/secret.js'
import { usePlatform } from '../support/platform.js'

const platform = usePlatform()
let key: CredentialKey
const CANARY = 'canary-secret-EXAMPLE-7f3a9c'
const context = { org_id: 'org_1', project_id: 'prj_1', provider: 'openai', label: 'prod-agent', field: 'api_key' }

beforeAll(async () => {
  const api = createHttpClient({
    baseUrl: platform().url,
    userAgent: 'clowdops/test',
    clock: systemClock,
    session: { token: async () => new Secret(platform().token), afterRejection: async () => undefined },
  })
  key = (await api.call(endpoints.credentialKeys)).data[0]!
})

describe('sealing a credential', () => {
  it('the platform opens what the client sealed, and the envelope does not contain the secret', async () => {
    const sealed = await sealSecret(new Secret(CANARY), key, context)
    expect(JSON.stringify(sealed)).not.toContain(CANARY)
    expect(Buffer.from(sealed.ciphertext, 'base64url').toString('latin1')).not.toContain(CANARY)
    expect(await platform().credentialKeys.open(sealed, context)).toBe(CANARY)
  })

  it('an envelope replayed as another credential, field or project is rejected', async () => {
    const sealed = await sealSecret(new Secret(CANARY), key, context)
    for (const other of [{ label: 'other-label' }, { field: 'secret' }, { project_id: 'prj_2' }, { provider: 'anthropic' }, { org_id: 'org_2' }]) {
      await expect(platform().credentialKeys.open(sealed, { ...context, ...other })).rejects.toMatchObject({ code: 'seal_mismatch' })
    }
  })

  it('a tampered ciphertext or an unknown key id is rejected', async () => {
    const sealed = await sealSecret(new Secret(CANARY), key, context)
    const bytes = Buffer.from(sealed.ciphertext, 'base64url')
    bytes[0] = (bytes[0] ?? 0) ^ 1
    await expect(platform().credentialKeys.open({ ...sealed, ciphertext: bytes.toString('base64url') }, context)).rejects.toMatchObject({ code: 'seal_mismatch' })
    await expect(platform().credentialKeys.open({ ...sealed, key_id: 'ck_retired' }, context)).rejects.toMatchObject({ code: 'unknown_key' })
  })

  it('sealing twice gives different envelopes but the same keyed fingerprint; another secret or key changes it', async () => {
    const [a, b] = await Promise.all([sealSecret(new Secret(CANARY), key, context), sealSecret(new Secret(CANARY), key, context)])
    expect(a.ciphertext).not.toBe(b.ciphertext)
    expect(a.fingerprint).toBe(b.fingerprint)
    expect(await fingerprint(new Secret(`${CANARY}x`), key, context)).not.toBe(a.fingerprint)
    const otherKey = { fingerprint_key: Buffer.alloc(32, 7).toString('base64url') }
    expect(await fingerprint(new Secret(CANARY), otherKey, context)).not.toBe(a.fingerprint)
  })
})
