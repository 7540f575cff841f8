// The shared key shapes and the private-key reader: what they recognise, and that no input crashes them or any
// provider's checks and hints (property tests).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { providers } from '../../src/core/credentials/catalog.js'
import { classifyKey, describeShape, findShape, KEY_SHAPES } from '../../src/core/credentials/key-shapes.js'
import { inspectPrivateKey } from '../../src/core/credentials/private-key.js'
import { checkCredential, type CredentialValues, maskSecret } from '../../src/core/credentials/provider.js'
import { Secret } from '../../src/core/secret.js'
import {
  CANARY,
  encryptedPem,
  fake,
  gcpServiceAccountJson,
  keys,
  opensshKey,
  pem,
  sshPublicBlob,
  sshPublicKeyLine,
} from '../support/credential-fakes.js'

describe('classifyKey', () => {
  it.each([
    [fake.anthropicAdmin, 'anthropic-admin-key'],
    [fake.anthropicApi, 'anthropic-api-key'],
    [fake.anthropicOauth, 'anthropic-oauth-token'],
    [fake.anthropicOther, 'anthropic-other-key'],
    [fake.openaiAdmin, 'openai-admin-key'],
    [fake.openaiServiceAccount, 'openai-service-account-key'],
    [fake.openaiProject, 'openai-project-key'],
    [fake.openaiLegacy, 'openai-legacy-key'],
    [fake.awsLongTermId, 'aws-long-term-access-key'],
    [fake.awsTemporaryId, 'aws-temporary-access-key'],
    [fake.awsOtherId, 'aws-other-access-key'],
    [fake.bedrockLongTerm, 'bedrock-long-term-api-key'],
    [fake.bedrockShortTerm, 'bedrock-short-term-api-key'],
    [fake.googleApiKey, 'google-api-key'],
    [gcpServiceAccountJson(), 'gcp-service-account-json'],
    [fake.githubFineGrained, 'github-fine-grained-pat'],
    [fake.githubClassic, 'github-classic-pat'],
    [fake.githubOauth, 'github-oauth-token'],
    [fake.githubInstallation, 'github-app-installation-token'],
    [fake.gitlabAccess, 'gitlab-access-token'],
    [fake.gitlabDeploy, 'gitlab-deploy-token'],
    [fake.gitlabRunner, 'gitlab-runner-token'],
    [fake.azureClientSecret, 'azure-client-secret'],
    [fake.azureDevopsPat, 'azure-devops-pat'],
    [fake.teamsConnector, 'teams-connector-webhook'],
    [fake.teamsWorkflow, 'teams-workflow-webhook'],
    [fake.slackWebhook, 'slack-webhook-url'],
    [fake.slackBot, 'slack-bot-token'],
    [fake.slackUser, 'slack-user-token'],
    [fake.slackConfig, 'slack-config-token'],
    [fake.slackApp, 'slack-app-token'],
    [fake.slackLegacy, 'slack-legacy-token'],
    [fake.pagerdutyUserRestKey, 'pagerduty-rest-api-key'],
    [fake.telegramBot, 'telegram-bot-token'],
    [`-----BEGIN RSA PRIVATE KEY-----\n${CANARY}\n-----END RSA PRIVATE KEY-----`, 'private-key'],
    ['PuTTY-User-Key-File-3: ssh-rsa', 'putty-private-key'],
  ])('%#: recognises %s', (value, id) => {
    expect(classifyKey(value)?.id).toBe(id)
    expect(classifyKey(`  ${value}\n`)?.id).toBe(id) // a trailing newline from a file changes nothing
  })

  it('recognises SSH public keys, and leaves unknown values unclassified', () => {
    expect(classifyKey(sshPublicKeyLine(keys.ed25519().publicKey))?.id).toBe('ssh-public-key')
    for (const value of ['', '   ', 'hunter2', fake.pagerdutyRoutingKey, fake.awsSecret, fake.azureDevopsLegacyPat, 'sk-proj-short']) {
      expect(classifyKey(value)).toBeUndefined()
    }
  })

  it('refuses admin prefixes at any length, so a truncated admin key is never taken for a lesser one', () => {
    expect(classifyKey(`sk-admin-${CANARY}`)?.id).toBe('openai-admin-key')
    expect(classifyKey(`sk-admin-${'x'.repeat(30)}`)?.id).toBe('openai-admin-key')
    expect(classifyKey(`sk-ant-admin01-${CANARY}`)?.id).toBe('anthropic-admin-key')
    expect(classifyKey(`sk-ant-${'x'.repeat(30)}`)?.provider).not.toBe('openai')
  })

  it('has unique ids, a source and a name for every shape, and messages that hold no value', () => {
    expect(new Set(KEY_SHAPES.map((shape) => shape.id)).size).toBe(KEY_SHAPES.length)
    for (const shape of KEY_SHAPES) {
      expect(shape.source.length, shape.id).toBeGreaterThan(5)
      expect(describeShape(shape)).toMatch(/^an? /)
      expect(findShape(shape.id)).toBe(shape)
    }
  })
})

describe('maskSecret', () => {
  it('keeps the public prefix and last four, and shows less of short or unknown secrets', () => {
    expect(maskSecret(fake.awsLongTermId)).toBe('AKIA…MPLE')
    expect(maskSecret(fake.githubFineGrained)).toMatch(/^github_pat_…\w{4}$/)
    expect(maskSecret('hunter2-hunter2')).toBe('…')
    expect(maskSecret(undefined)).toBe('…')
  })

  it('never contains the middle of any secret', () => {
    fc.assert(
      fc.property(fc.constantFrom('', 'sk-proj-', 'AKIA', 'ghp_', 'xoxb-', '12345:A'), fc.string({ minLength: 0, maxLength: 200 }), (prefix, rest) => {
        const secret = `${prefix}${rest}`
        const masked = maskSecret(secret)
        const visible = masked.replace('…', '')
        expect(visible.length).toBeLessThanOrEqual(Math.max(prefix.length, 12) + 4)
        if (secret.trim().length >= 12) expect(masked).not.toBe(secret)
      }),
    )
  })
})

describe('inspectPrivateKey', () => {
  it('reads type, size and encryption of PEM and OpenSSH keys', () => {
    expect(inspectPrivateKey(pem(keys.rsa3072().privateKey))).toMatchObject({ ok: true, format: 'pem', type: 'rsa', bits: 3072, encrypted: false })
    expect(inspectPrivateKey(pem(keys.rsa2048().privateKey, 'pkcs1'))).toMatchObject({ ok: true, type: 'rsa', bits: 2048 })
    expect(inspectPrivateKey(pem(keys.ed25519().privateKey))).toMatchObject({ ok: true, type: 'ed25519', encrypted: false })
    expect(inspectPrivateKey(pem(keys.ecdsa().privateKey, 'sec1'))).toMatchObject({ ok: true, type: 'ecdsa', bits: 256 })
    expect(inspectPrivateKey(pem(keys.dsa().privateKey))).toMatchObject({ ok: true, type: 'dsa' })
    expect(inspectPrivateKey(encryptedPem(keys.ed25519().privateKey))).toMatchObject({ ok: true, encrypted: true })
    expect(inspectPrivateKey(encryptedPem(keys.rsa2048().privateKey, 'pkcs1'))).toMatchObject({ ok: true, type: 'rsa', encrypted: true })
    expect(inspectPrivateKey(opensshKey(sshPublicBlob.ed25519(keys.ed25519().publicKey)))).toMatchObject({ ok: true, format: 'openssh', type: 'ed25519', encrypted: false })
    expect(inspectPrivateKey(opensshKey(sshPublicBlob.rsa(keys.rsa3072().publicKey)))).toMatchObject({ ok: true, type: 'rsa', bits: 3072 })
    expect(inspectPrivateKey(opensshKey(sshPublicBlob.rsa(keys.rsa2048().publicKey), 'aes256-ctr'))).toMatchObject({ ok: true, type: 'rsa', bits: 2048, encrypted: true })
    expect(inspectPrivateKey(opensshKey(sshPublicBlob.dsa()))).toMatchObject({ ok: true, type: 'dsa', bits: 1024 })
    expect(inspectPrivateKey('not a key')).toEqual({ ok: false, reason: 'not-a-key' })
  })

  it('computes the OCI fingerprint of an unencrypted PEM key', () => {
    const info = inspectPrivateKey(pem(keys.rsa3072().privateKey))
    expect(info.ok && info.md5Fingerprint).toMatch(/^(?:[0-9a-f]{2}:){15}[0-9a-f]{2}$/)
  })

  it('never throws, whatever the text (property)', () => {
    const wrap = (label: string, bytes: Uint8Array) =>
      `-----BEGIN ${label}-----\n${Buffer.from(bytes).toString('base64')}\n-----END ${label}-----`
    const magic = Buffer.from('openssh-key-v1\0', 'latin1')
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.uint8Array({ maxLength: 400 }).map((bytes) => wrap('OPENSSH PRIVATE KEY', Buffer.concat([magic, bytes]))),
          fc.uint8Array({ maxLength: 400 }).map((bytes) => wrap('OPENSSH PRIVATE KEY', bytes)),
          fc.tuple(fc.constantFrom('PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'DSA PRIVATE KEY', 'ENCRYPTED PRIVATE KEY'), fc.uint8Array({ maxLength: 400 })).map(
            ([label, bytes]) => wrap(label, bytes),
          ),
        ),
        (text) => {
          const info = inspectPrivateKey(text)
          expect(typeof info.ok).toBe('boolean')
        },
      ),
    )
  })
})

// Values that reach the deeper branches: known prefixes followed by anything, valid fakes, and arbitrary text.
const PREFIXES = [...new Set(KEY_SHAPES.map((shape) => shape.prefix).filter(Boolean)), '{', '-----BEGIN OPENSSH PRIVATE KEY-----\n', 'arn:aws:iam::123456789012:', 'https://', 'http://']
const anyValue = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.tuple(fc.constantFrom(...PREFIXES), fc.string({ maxLength: 200 })).map(([prefix, rest]) => prefix + rest),
  fc.constantFrom(...Object.values(fake), gcpServiceAccountJson(), gcpServiceAccountJson({ type: 'authorized_user' }), '25', '587', '-100123', 'root'),
  fc.jsonValue().map((value) => JSON.stringify(value)),
)

const DOCUMENTED = [
  ...providers.flatMap((provider) => provider.fields.map((field) => field.example ?? '')),
  'arn:aws:iam::123456789012:role/NAME',
].filter(Boolean)

describe('every provider, on any input (property)', () => {
  it.each(providers.map((provider) => [provider.id, provider] as const))('%s: checks and hints never throw and never echo a secret', (_id, provider) => {
    const names = [...provider.fields.map((field) => field.name), 'unknown_field']
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...names), fc.tuple(anyValue, fc.boolean()), { maxKeys: names.length }),
        (entries) => {
          const values: CredentialValues = Object.fromEntries(
            Object.entries(entries).map(([name, [text, asSecret]]) => [name, asSecret ? new Secret(text) : text]),
          )
          const findings = checkCredential(provider, values)
          const direct = provider.check(values)
          const hint = provider.hint(values)
          expect(typeof hint).toBe('string')
          for (const finding of [...findings, ...direct]) {
            expect(finding.rule).toMatch(/^[a-z-]+\.[a-z-]+$/)
            expect(['error', 'warning']).toContain(finding.severity)
            expect(typeof finding.message).toBe('string')
          }
          // The text of the fields that are not secret (shown in hints by design), however they were given: a secret that
          // also occurs inside one of them is no echo.
          const secretNames = new Set(provider.fields.filter((f) => f.secret).map((f) => f.name))
          const plain = new Set(
            Object.entries(values)
              .filter(([name]) => !secretNames.has(name))
              .map(([, value]) => (value instanceof Secret ? value.reveal() : String(value))),
          )
          for (const field of provider.fields.filter((f) => f.secret)) {
            const value = values[field.name]
            if (!(value instanceof Secret)) continue
            const secret = value.reveal().trim()
            // A bare public prefix (bedrock-api-key-, https://hooks.slack.com/) is no secret, and messages name them.
            if (secret.length < 12 || [...plain].some((text) => text.includes(secret)) || PREFIXES.some((prefix) => prefix.trim() === secret)) continue
            // Nor is a fragment of the documentation examples that fixes quote (e.g. arn:aws:iam::123456789012:role/...).
            if (DOCUMENTED.some((text) => text.includes(secret))) continue
            expect(hint).not.toContain(secret)
            for (const finding of findings) expect(`${finding.message} ${finding.fix} ${finding.source}`).not.toContain(secret)
          }
        },
      ),
      { numRuns: 500 },
    )
  })
})

describe('shapes that are accepted as they are', () => {
  // OpenAI service-account keys from before the sk-svcacct- prefix (2024) read sk-None-…T3BlbkFJ…: a service
  // account's key, not a user's legacy key.
  it('accepts an older-format OpenAI service-account key without calling it a legacy user key', () => {
    const key = `sk-None-${'FAKEtest0CANARY'.repeat(2)}T3BlbkFJ${'FAKEtest0CANARY'.repeat(2)}`
    expect(classifyKey(key)?.id).toBe('openai-service-account-key-2024')
    const openai = providers.find((provider) => provider.id === 'openai')
    expect(openai && checkCredential(openai, { api_key: new Secret(key) })).toEqual([])
  })
})
