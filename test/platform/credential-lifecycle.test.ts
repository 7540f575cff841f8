// The local platform's credential lifecycle endpoints over real HTTP: rotation opens envelopes only under the
// credential's own context, and attachment stays inside the credential's project.
import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { Credential, CredentialKeys, CredentialVerification, Me, Problem } from '../../src/core/contract/index.js'
import { sealSecret } from '../../src/core/credentials/seal.js'
import { Secret } from '../../src/core/secret.js'
import { usePlatform } from '../support/platform.js'
import { storedState } from './server.js'

const platform = usePlatform({ port: 0 })
let projectId: string
let otherProjectSandbox: string
let ownSandbox: string

beforeAll(() => {
  const [own, other] = Object.entries(storedState(platform()).sandboxes)
  projectId = own![0]
  ownSandbox = own![1][0]!.id
  otherProjectSandbox = other![1][0]!.id
})

async function call(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${platform().token}`, 'idempotency-key': randomUUID() }
  if (body !== undefined) headers['content-type'] = 'application/json'
  return fetch(`${platform().url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
}

async function seal(value: string, label: string) {
  const me = Me.parse(await (await call('GET', '/v1/me')).json())
  const [key] = CredentialKeys.parse(await (await call('GET', '/v1/credential-keys')).json()).data
  return sealSecret(new Secret(value), key!, { org_id: me.org.id, project_id: projectId, provider: 'openai', label, field: 'api_key' })
}

async function create(label: string, value: string): Promise<Credential> {
  const response = await call('POST', `/v1/projects/${projectId}/credentials`, {
    provider: 'openai',
    label,
    hint: 'sk-svcacct-…',
    fields: {},
    secrets: { api_key: await seal(value, label) },
  })
  expect(response.status).toBe(201)
  return Credential.parse(await response.json())
}

async function problemCode(response: Response, status: number): Promise<string> {
  expect(response.status).toBe(status)
  return Problem.parse(await response.json()).code
}

describe('local platform: credential lifecycle', () => {
  it('rotates with an envelope sealed for this credential, and rejects one sealed under another label', async () => {
    const credential = await create('rotation', 'sk-svcacct-FAKEfakeFAKEfakeFAKEfake0001')
    const replayed = await call('POST', `/v1/credentials/${credential.id}/rotate`, { secrets: { api_key: await seal('sk-svcacct-FAKEfakeFAKEfakeFAKEfake0002', 'other') } })
    expect(await problemCode(replayed, 422)).toBe('seal_mismatch')

    const sealed = await seal('sk-svcacct-FAKEfakeFAKEfakeFAKEfake0003', 'rotation')
    const forged = await call('POST', `/v1/credentials/${credential.id}/rotate`, { secrets: { api_key: { ...sealed, fingerprint: credential.secrets.api_key!.fingerprint } } })
    expect(await problemCode(forged, 422)).toBe('fingerprint_mismatch')
    expect(storedState(platform()).credentials.find((c) => c.id === credential.id)?.secrets).toEqual(credential.secrets)

    const rotated = await call('POST', `/v1/credentials/${credential.id}/rotate`, { secrets: { api_key: sealed }, hint: 'sk-svcacct-…0003' })
    expect(rotated.status).toBe(200)
    expect(Credential.parse(await rotated.json())).toMatchObject({ hint: 'sk-svcacct-…0003', secrets: { api_key: { fingerprint: sealed.fingerprint } } })
  })

  it('attaches only sandboxes of the credential project; unknown ids are 404', async () => {
    const credential = await create('attachment', 'sk-svcacct-FAKEfakeFAKEfakeFAKEfake0004')
    expect(await problemCode(await call('PUT', `/v1/credentials/${credential.id}/sandboxes/${otherProjectSandbox}`), 422)).toBe('sandbox_in_other_project')
    expect(await problemCode(await call('PUT', `/v1/credentials/${credential.id}/sandboxes/sbx_unknown`), 404)).toBe('not_found')
    expect(await problemCode(await call('DELETE', `/v1/credentials/cred_unknown/sandboxes/${ownSandbox}`), 404)).toBe('not_found')
    for (let i = 0; i < 2; i++) {
      const attached = await call('PUT', `/v1/credentials/${credential.id}/sandboxes/${ownSandbox}`)
      expect(Credential.parse(await attached.json()).sandboxes).toEqual([ownSandbox])
    }
  })

  it('grades from what it opened: an admin-class key is F whatever the label says', async () => {
    const credential = await create('read-only', 'sk-admin-FAKEfakeFAKEfakeFAKEfake0005')
    const verification = CredentialVerification.parse(await (await call('POST', `/v1/credentials/${credential.id}/verify`)).json())
    expect(verification.grade).toBe('F')
  })
})
