import { inspect } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { redactBody, redactHeaders, redactJson, redactText } from '../../src/core/redact.js'
import { Secret } from '../../src/core/secret.js'

const base62 = fc.stringMatching(/^[A-Za-z0-9]{36}$/)

/** An OAuth discovery document (RFC 8414 field names): nothing in it is secret, so it is logged as it is. */
const DISCOVERY = {
  issuer: 'https://platform.clowdops.ai',
  token_endpoint: 'https://platform.clowdops.ai/oauth/token',
  device_authorization_endpoint: 'https://platform.clowdops.ai/oauth/device/code',
  revocation_endpoint: 'https://platform.clowdops.ai/oauth/token/revocation',
  grant_types_supported: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
  token_endpoint_auth_methods_supported: ['none', 'private_key_jwt'],
  code_challenge_methods_supported: ['S256'],
}

describe('redaction', () => {
  it('removes a clowdops token wherever it sits in free text', () => {
    fc.assert(
      fc.property(fc.string(), base62, fc.string(), (before, body, after) => {
        const token = `cop_${body}`
        expect(redactText(`${before} ${token} ${after}`)).not.toContain(token)
      }),
    )
  })

  it('redacts secret headers and secret-looking JSON fields, keeping the rest', () => {
    expect(redactHeaders({ Authorization: 'Bearer x', accept: 'application/json' })).toEqual({
      Authorization: '[redacted]',
      accept: 'application/json',
    })
    expect(redactJson({ access_token: 'a', nested: [{ client_secret: 'b', name: 'n' }], token_type: 'bearer' })).toEqual({
      access_token: '[redacted]',
      nested: [{ client_secret: '[redacted]', name: 'n' }],
      token_type: 'bearer',
    })
    expect(redactBody('not json Bearer abc.def')).toBe('not json [redacted]')
  })

  // Real-shaped bodies: what the OAuth server, the platform and the token exchange send, and what must stay readable.
  const DEVICE_CODE = 'GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS'
  const JWT = 'eyJhbGciOiJFUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJyZXBvOmFjbWUvcGF5bWVudHMifQ.c2lnbmF0dXJlc2lnbmF0dXJl'
  const jsonCases: { name: string; body: Record<string, unknown>; expected: Record<string, unknown> }[] = [
    {
      name: 'a device authorization response: the device code and user code, also inside the complete URI',
      body: {
        device_code: DEVICE_CODE,
        user_code: 'WDJB-MJHT',
        verification_uri: 'https://platform.clowdops.ai/device',
        verification_uri_complete: 'https://platform.clowdops.ai/device?user_code=WDJB-MJHT',
        expires_in: 1800,
        interval: 5,
      },
      expected: {
        device_code: '[redacted]',
        user_code: '[redacted]',
        verification_uri: 'https://platform.clowdops.ai/device',
        verification_uri_complete: 'https://platform.clowdops.ai/device?user_code=[redacted]',
        expires_in: 1800,
        interval: 5,
      },
    },
    {
      name: 'a token response: access, refresh and ID tokens; the type, lifetime and scope stay',
      body: { access_token: 'SlAV32hkKG', token_type: 'Bearer', expires_in: 3600, refresh_token: 'tGzv3JOkF0XG5Qx2TlKWIA', id_token: JWT, scope: 'openid projects:read' },
      expected: { access_token: '[redacted]', token_type: 'Bearer', expires_in: 3600, refresh_token: '[redacted]', id_token: '[redacted]', scope: 'openid projects:read' },
    },
    {
      name: 'a token-exchange request as JSON: the subject token and client assertion; their types stay',
      body: {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: 'opaque-ci-token-value',
        subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: 'opaque-assertion-value',
        client_id: 'clowdops-cli',
      },
      expected: {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: '[redacted]',
        subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: '[redacted]',
        client_id: 'clowdops-cli',
      },
    },
    {
      name: 'a problem+json error: its code is an error code, readable',
      body: { type: 'https://docs.clowdops.ai/errors/invalid_code', title: 'Invalid verification code', status: 422, code: 'invalid_code', detail: '2 attempts left', request_id: 'req_01HZX' },
      expected: { type: 'https://docs.clowdops.ai/errors/invalid_code', title: 'Invalid verification code', status: 422, code: 'invalid_code', detail: '2 attempts left', request_id: 'req_01HZX' },
    },
    {
      name: 'row errors of a batch: error codes, readable',
      body: { results: [{ row: 3, error: { code: 'invalid_email', message: 'not an email address', field: 'email' } }] },
      expected: { results: [{ row: 3, error: { code: 'invalid_email', message: 'not an email address', field: 'email' } }] },
    },
    {
      name: 'a discovery document: endpoints and supported values, all readable',
      body: DISCOVERY,
      expected: structuredClone(DISCOVERY), // a copy: a redaction that changed its input in place must not pass
    },
    {
      name: 'codes that are secrets: a verification code, an authorization code with its state',
      body: { verify: { code: '482913' }, callback: { code: 'SplxlOBeZQQYbYS6WxSbIA', state: 'af0ifjsldkj' } },
      expected: { verify: { code: '[redacted]' }, callback: { code: '[redacted]', state: 'af0ifjsldkj' } },
    },
    {
      name: 'secret-named fields holding arrays or objects: the whole value; null stays null',
      body: { client_secret: ['one', 'two'], password: { value: 'hunter2', hint: 'h' }, backup_codes: ['1234-5678'], refresh_token: null },
      expected: { client_secret: '[redacted]', password: '[redacted]', backup_codes: '[redacted]', refresh_token: null },
    },
    {
      name: 'secret names in camelCase and kebab-case, next to ordinary ones',
      body: { accessToken: 'a1', tokenType: 'Bearer', 'client-secret': 'c1', SecretAccessKey: 's1', AccessKeyId: 'ASIA-EXAMPLE', apiKey: 'k1', tokenExpiresAt: '2026-01-01T00:00:00Z' },
      expected: { accessToken: '[redacted]', tokenType: 'Bearer', 'client-secret': '[redacted]', SecretAccessKey: '[redacted]', AccessKeyId: 'ASIA-EXAMPLE', apiKey: '[redacted]', tokenExpiresAt: '2026-01-01T00:00:00Z' },
    },
  ]

  it.each(jsonCases)('JSON: $name', ({ body, expected }) => {
    expect(redactJson(body)).toEqual(expected)
    expect(JSON.parse(redactBody(JSON.stringify(body)))).toEqual(expected)
  })

  const textCases: { name: string; text: string; secrets: string[]; kept: string[] }[] = [
    {
      name: 'a device-code poll, form-encoded',
      text: `grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=${DEVICE_CODE}&client_id=clowdops-cli`,
      secrets: [DEVICE_CODE],
      kept: ['grant-type%3Adevice_code', 'client_id=clowdops-cli'],
    },
    {
      name: 'a token-exchange request, form-encoded',
      text: `grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=opaque-ci-token-value&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aid_token&client_assertion=opaque-assertion-value`,
      secrets: ['opaque-ci-token-value', 'opaque-assertion-value'],
      kept: ['subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aid_token'],
    },
    {
      name: 'a refresh and a revocation, form-encoded',
      text: 'grant_type=refresh_token&refresh_token=tGzv3JOkF0XG5Qx2TlKWIA&client_id=clowdops-cli token=SlAV32hkKG&token_type_hint=access_token',
      secrets: ['tGzv3JOkF0XG5Qx2TlKWIA', 'SlAV32hkKG'],
      kept: ['grant_type=refresh_token', 'token_type_hint=access_token'],
    },
    {
      name: 'a redirect with an authorization code in its query',
      text: 'GET https://cli.example/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj',
      secrets: ['SplxlOBeZQQYbYS6WxSbIA'],
      kept: ['state=af0ifjsldkj'],
    },
    {
      name: 'a JSON body cut short, so only readable as text',
      text: `{"device_code":"${DEVICE_CODE}","user_code":"WDJB-MJHT","verification_uri":"https://platform.clowdops.ai/dev`,
      secrets: [DEVICE_CODE, 'WDJB-MJHT'],
      kept: ['"verification_uri":"https://platform.clowdops.ai/dev'],
    },
    {
      name: 'a JWT (an ID token, a CI token, a client assertion) in a message',
      text: `the token exchange refused ${JWT} (invalid_grant)`,
      secrets: [JWT, JWT.split('.')[1] ?? ''],
      kept: ['the token exchange refused', '(invalid_grant)'],
    },
  ]

  it.each(textCases)('text: $name', ({ text, secrets, kept }) => {
    for (const out of [redactText(text), redactBody(text)]) {
      for (const secret of secrets) expect(out).not.toContain(secret)
      for (const part of kept) expect(out).toContain(part)
    }
  })

  it('a Secret prints as [redacted] however it is printed, and reveals only on request', () => {
    const secret = new Secret('s3cr3t-canary')
    expect(String(secret)).toBe('[redacted]')
    expect(`${secret}`).toBe('[redacted]')
    expect(JSON.stringify({ secret })).toBe('{"secret":"[redacted]"}')
    expect(inspect(secret)).toBe('[redacted]')
    expect(inspect({ deep: { secret } })).not.toContain('s3cr3t')
    expect(secret.reveal()).toBe('s3cr3t-canary')
  })
})
