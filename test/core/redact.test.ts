import { inspect } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { redactBody, redactHeaders, redactJson, redactText } from '../../src/core/redact.js'
import { Secret } from '../../src/core/secret.js'

const base62 = fc.stringMatching(/^[A-Za-z0-9]{36}$/)

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
