// Every provider: a valid example accepted, every refuse/warn rule triggered by a crafted fake, a secret pasted into
// the wrong provider refused, and no secret in any hint or finding.
import { describe, expect, it } from 'vitest'
import { findProvider, getProvider, PROVIDER_IDS, providers, providersOfKind } from '../../src/core/credentials/catalog.js'
import {
  blockingFindings,
  checkCredential,
  type CredentialValues,
  type Finding,
  type Provider,
  type Severity,
} from '../../src/core/credentials/provider.js'
import { classifyKey, publicPrefix } from '../../src/core/credentials/key-shapes.js'
import { UsageError } from '../../src/core/errors.js'
import { Secret } from '../../src/core/secret.js'
import {
  CANARY,
  encryptedPem,
  fake,
  gcpServiceAccountJson,
  keys,
  ociFingerprint,
  opensshKey,
  pem,
  sshPublicBlob,
  sshPublicKeyLine,
} from '../support/credential-fakes.js'

const S = (value: string) => new Secret(value)
const ROLE = 'arn:aws:iam::123456789012:role/ClowdOpsReadOnly'

const VALID: Record<string, () => CredentialValues> = {
  aws: () => ({ access_key_id: S(fake.awsLongTermId), secret_access_key: S(fake.awsSecret), region: 'us-east-1' }),
  'aws-role': () => ({ role_arn: ROLE, region: 'eu-west-1' }),
  gcp: () => ({ service_account_json: S(gcpServiceAccountJson()) }),
  azure: () => ({
    tenant_id: '11111111-2222-4333-8444-555555555555',
    client_id: '66666666-7777-4888-9999-000000000000',
    client_secret: S(fake.azureClientSecret),
    subscription_id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
  }),
  oci: () => ({
    tenancy_ocid: `ocid1.tenancy.oc1..${'aaaafaketest'.repeat(5)}`,
    user_ocid: `ocid1.user.oc1..${'aaaafakeuser'.repeat(5)}`,
    fingerprint: ociFingerprint(keys.rsa3072().publicKey),
    private_key: S(pem(keys.rsa3072().privateKey)),
    region: 'eu-frankfurt-1',
  }),
  ssh: () => ({ host: 'bastion.example.com:2222', username: 'clowdops', private_key: S(opensshKey(sshPublicBlob.ed25519(keys.ed25519().publicKey))) }),
  github: () => ({ token: S(fake.githubFineGrained) }),
  gitlab: () => ({ token: S(fake.gitlabAccess), host_url: 'https://gitlab.example.com' }),
  'azure-devops': () => ({ organization_url: 'https://dev.azure.com/contoso', token: S(fake.azureDevopsPat) }),
  openai: () => ({ api_key: S(fake.openaiServiceAccount) }),
  anthropic: () => ({ api_key: S(fake.anthropicApi) }),
  gemini: () => ({ api_key: S(fake.googleApiKey) }),
  bedrock: () => ({ role_arn: ROLE, region: 'us-east-1', allowed_model_ids: 'anthropic.claude-sonnet-4-20250514-v1:0, amazon.titan-embed-text-v2:0' }),
  slack: () => ({ webhook_url: S(fake.slackWebhook), channel_hint: '#ops-alerts' }),
  teams: () => ({ webhook_url: S(fake.teamsWorkflow) }),
  pagerduty: () => ({ routing_key: S(fake.pagerdutyRoutingKey) }),
  smtp: () => ({
    host: 'smtp.example.com',
    port: '587',
    username: 'alerts@example.com',
    password: S(fake.smtpPassword),
    from: 'clowdops@example.com',
    to: 'oncall@example.com, ops@example.com',
  }),
  telegram: () => ({ bot_token: S(fake.telegramBot), chat_id: '-1001234567890', thread_id: '42' }),
}

/** Warnings a valid example still gets, by design (the issue asks for them). */
const VALID_WARNINGS: Record<string, string[]> = {
  aws: ['aws.long-term-key'],
  gcp: ['gcp.service-account-key'],
  gemini: ['gemini.google-api-key'],
}

type Patch = Record<string, string | Secret | undefined>
interface RuleCase {
  rule: string
  severity: Severity
  /** What the case is, in words. */
  what: string
  patch: () => Patch
}

const rc = (rule: string, severity: Severity, what: string, patch: () => Patch): RuleCase => ({ rule, severity, what, patch })
const E = 'error' as const
const W = 'warning' as const

/** Every rule each provider has, with a fake that triggers it. */
const CASES: Record<string, RuleCase[]> = {
  aws: [
    rc('aws.long-term-key', W, 'an AKIA key', () => ({})),
    rc('aws.temporary-key', W, 'an ASIA key with its session token', () => ({ access_key_id: S(fake.awsTemporaryId), session_token: S(fake.awsSessionToken) })),
    rc('aws.session-token-missing', E, 'an ASIA key without a session token', () => ({ access_key_id: S(fake.awsTemporaryId) })),
    rc('aws.unsupported-key-type', E, 'an ABIA key id', () => ({ access_key_id: S(fake.awsOtherId) })),
    rc('aws.invalid-access-key-id', E, 'a key id of no known shape', () => ({ access_key_id: S('FAKEKEYID-CANARY') })),
    rc('aws.invalid-secret-access-key', E, 'a 20-character secret key', () => ({ secret_access_key: S('fake/CANARY/test+key') })),
    rc('aws.fields-swapped', E, 'the key id given as the secret', () => ({ secret_access_key: S(fake.awsLongTermId) })),
    rc('aws.wrong-provider', E, 'a GitHub token as the secret key', () => ({ secret_access_key: S(fake.githubClassic) })),
  ],
  'aws-role': [
    rc('aws-role.not-a-role', E, 'an IAM user ARN', () => ({ role_arn: 'arn:aws:iam::123456789012:user/alice' })),
    rc('aws-role.admin-role-name', W, 'OrganizationAccountAccessRole', () => ({ role_arn: 'arn:aws:iam::123456789012:role/OrganizationAccountAccessRole' })),
    rc('aws-role.wrong-provider', E, 'an access key id where the ARN belongs', () => ({ role_arn: fake.awsLongTermId })),
  ],
  gcp: [
    rc('gcp.service-account-key', W, 'a valid key file', () => ({})),
    rc('gcp.not-json', E, 'text that is not JSON', () => ({ service_account_json: S(`not json ${CANARY} at all`) })),
    rc('gcp.not-service-account', E, "a user's authorized_user file", () => ({
      service_account_json: S(JSON.stringify({ type: 'authorized_user', client_id: 'fake', client_secret: `fake-${CANARY}`, refresh_token: `1//fake-${CANARY}` })),
    })),
    rc('gcp.incomplete-key', E, 'a service-account JSON without private_key', () => ({ service_account_json: S(gcpServiceAccountJson({ private_key: undefined })) })),
    rc('gcp.default-service-account', E, 'the Compute Engine default service account', () => ({
      service_account_json: S(gcpServiceAccountJson({ client_email: '123456789012-compute@developer.gserviceaccount.com' })),
    })),
    rc('gcp.wrong-provider', E, 'an AWS key id', () => ({ service_account_json: S(fake.awsLongTermId) })),
  ],
  azure: [
    rc('azure.secret-id-not-value', E, "the secret's ID (a GUID)", () => ({ client_secret: S(fake.azureSecretId) })),
    rc('azure.wrong-provider', E, 'an OpenAI key', () => ({ client_secret: S(fake.openaiProject) })),
  ],
  oci: [
    rc('oci.invalid-key', E, 'a PEM block that is no key', () => ({ private_key: S(`-----BEGIN PRIVATE KEY-----\n${CANARY}fake\n-----END PRIVATE KEY-----`) })),
    rc('oci.encrypted-key', E, 'a passphrase-protected key', () => ({ private_key: S(encryptedPem(keys.rsa3072().privateKey)) })),
    rc('oci.not-rsa', E, 'an Ed25519 key', () => ({ private_key: S(pem(keys.ed25519().privateKey)), fingerprint: ociFingerprint(keys.ed25519().publicKey) })),
    rc('oci.rsa-too-short', E, 'an RSA-1024 key', () => {
      const small = keys.rsa1024()
      return { private_key: S(pem(small.privateKey)), fingerprint: ociFingerprint(small.publicKey) }
    }),
    rc('oci.fingerprint-mismatch', E, "another key's fingerprint", () => ({ fingerprint: ociFingerprint(keys.rsa2048().publicKey) })),
    rc('oci.wrong-provider', E, 'a Slack token', () => ({ private_key: S(fake.slackUser) })),
  ],
  ssh: [
    rc('ssh.root-login', W, 'username root', () => ({ username: 'root' })),
    rc('ssh.public-key', E, 'the .pub line', () => ({ private_key: S(sshPublicKeyLine(keys.ed25519().publicKey)) })),
    rc('ssh.putty-key', E, 'a .ppk file', () => ({ private_key: S(`PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: fake-${CANARY}\n`) })),
    rc('ssh.invalid-key', E, 'an OpenSSH block of garbage', () => ({
      private_key: S(`-----BEGIN OPENSSH PRIVATE KEY-----\nZmFrZS${CANARY}test\n-----END OPENSSH PRIVATE KEY-----`),
    })),
    rc('ssh.encrypted-key', E, 'an encrypted PKCS#8 PEM', () => ({ private_key: S(encryptedPem(keys.ed25519().privateKey)) })),
    rc('ssh.encrypted-key', E, 'an encrypted PKCS#1 PEM (Proc-Type)', () => ({ private_key: S(encryptedPem(keys.rsa3072().privateKey, 'pkcs1')) })),
    rc('ssh.encrypted-key', E, 'an encrypted OpenSSH key', () => ({ private_key: S(opensshKey(sshPublicBlob.ed25519(keys.ed25519().publicKey), 'aes256-ctr')) })),
    rc('ssh.dsa-key', E, 'a DSA PEM key', () => ({ private_key: S(pem(keys.dsa().privateKey)) })),
    rc('ssh.dsa-key', E, 'a DSA OpenSSH key', () => ({ private_key: S(opensshKey(sshPublicBlob.dsa())) })),
    rc('ssh.rsa-too-short', E, 'RSA-2048 (PEM, PKCS#1)', () => ({ private_key: S(pem(keys.rsa2048().privateKey, 'pkcs1')) })),
    rc('ssh.rsa-too-short', E, 'RSA-2048 (OpenSSH)', () => ({ private_key: S(opensshKey(sshPublicBlob.rsa(keys.rsa2048().publicKey))) })),
    rc('ssh.security-key', E, 'a FIDO sk-ssh-ed25519 key', () => ({ private_key: S(opensshKey(sshPublicBlob.skEd25519(keys.ed25519().publicKey))) })),
    rc('ssh.unsupported-key-type', E, 'an Ed448 key', () => ({ private_key: S(pem(keys.ed448().privateKey)) })),
    rc('ssh.wrong-provider', E, 'a GCP key file', () => ({ private_key: S(gcpServiceAccountJson()) })),
  ],
  github: [
    rc('github.classic-token', E, 'a classic ghp_ token', () => ({ token: S(fake.githubClassic) })),
    rc('github.unsupported-token', E, 'an installation token', () => ({ token: S(fake.githubInstallation) })),
    rc('github.unsupported-token', E, 'a 2026-format installation token (ghs_<app id>_<JWT>)', () => ({ token: S(fake.githubInstallationJwt) })),
    rc('github.unsupported-token', E, 'a short 2026-format installation token', () => ({ token: S(`ghs_123456_${CANARY}.e30.sig`) })),
    rc('github.placeholder', E, 'a github_pat_ placeholder', () => ({ token: S(`github_pat_${'x'.repeat(22)}_${'x'.repeat(59)}`) })),
    rc('github.unsupported-token', E, 'an OAuth token', () => ({ token: S(fake.githubOauth) })),
    rc('github.unrecognised-token', W, 'a token of no known shape', () => ({ token: S(`fake-token-${CANARY}-test`) })),
    rc('github.wrong-provider', E, 'a GitLab token', () => ({ token: S(fake.gitlabAccess) })),
  ],
  gitlab: [
    rc('gitlab.insecure-url', E, 'an http:// host', () => ({ host_url: 'http://gitlab.example.com' })),
    rc('gitlab.unsupported-token', E, 'a deploy token', () => ({ token: S(fake.gitlabDeploy) })),
    rc('gitlab.unsupported-token', E, 'a runner token', () => ({ token: S(fake.gitlabRunner) })),
    rc('gitlab.placeholder', E, 'a glpat- placeholder', () => ({ token: S('glpat-XXXXXXXXXXX-XXXXXXXX') })),
    rc('gitlab.session-cookie', E, 'a _gitlab_session cookie', () => ({ token: S(fake.gitlabSessionCookie) })),
    rc('gitlab.unrecognised-token', W, 'a token of no known shape', () => ({ token: S(`fake-token-${CANARY}-test`) })),
    rc('gitlab.wrong-provider', E, 'a GitHub token', () => ({ token: S(fake.githubFineGrained) })),
  ],
  'azure-devops': [
    rc('azure-devops.insecure-url', E, 'an http:// organisation URL', () => ({ organization_url: 'http://devops.example.com/tfs' })),
    rc('azure-devops.unrecognised-token', W, 'a token of no known shape', () => ({ token: S(`fake-token-${CANARY}-test`) })),
    rc('azure-devops.wrong-provider', E, 'a GitHub token', () => ({ token: S(fake.githubFineGrained) })),
  ],
  openai: [
    rc('openai.admin-key', E, 'an sk-admin- key', () => ({ api_key: S(fake.openaiAdmin) })),
    rc('openai.admin-key', E, 'a truncated sk-admin- key', () => ({ api_key: S(`sk-admin-${CANARY}`) })),
    rc('openai.user-key', W, 'an sk-proj- key', () => ({ api_key: S(fake.openaiProject) })),
    rc('openai.legacy-key', W, 'a legacy sk- key', () => ({ api_key: S(fake.openaiLegacy) })),
    rc('openai.unrecognised-key', W, 'a key of no known shape', () => ({ api_key: S(`fake-key-${CANARY}-test`) })),
    rc('openai.wrong-provider', E, 'an Anthropic key', () => ({ api_key: S(fake.anthropicApi) })),
  ],
  anthropic: [
    rc('anthropic.admin-key', E, 'an sk-ant-admin01- key', () => ({ api_key: S(fake.anthropicAdmin) })),
    rc('anthropic.oauth-token', E, 'a Claude Code OAuth token', () => ({ api_key: S(fake.anthropicOauth) })),
    rc('anthropic.malformed-key', E, 'an sk-ant-api03- key too short', () => ({ api_key: S(`sk-ant-api03-${fake.anthropicApi.slice(13, 70)}AA`) })),
    rc('anthropic.malformed-key', E, 'an sk-ant-api03- key with the wrong suffix', () => ({ api_key: S(`${fake.anthropicApi.slice(0, -2)}BB`) })),
    rc('anthropic.unrecognised-key', W, 'an sk-ant- key of an unknown kind', () => ({ api_key: S(fake.anthropicOther) })),
    rc('anthropic.unrecognised-key', W, 'a key of no known shape', () => ({ api_key: S(`fake-key-${CANARY}-test`) })),
    rc('anthropic.wrong-provider', E, 'an OpenAI key', () => ({ api_key: S(fake.openaiServiceAccount) })),
  ],
  gemini: [
    rc('gemini.google-api-key', W, 'any AIza key', () => ({})),
    rc('gemini.unrecognised-key', W, 'a key of no known shape', () => ({ api_key: S(`fake-key-${CANARY}-test`) })),
    rc('gemini.wrong-provider', E, 'an OpenAI key', () => ({ api_key: S(fake.openaiProject) })),
  ],
  bedrock: [
    rc('bedrock.auth-method', E, 'no credential', () => ({ role_arn: undefined })),
    rc('bedrock.auth-method', E, 'a role and an API key', () => ({ api_key: S(fake.bedrockLongTerm) })),
    rc('bedrock.auth-method', E, 'half a key pair', () => ({ role_arn: undefined, access_key_id: S(fake.awsLongTermId) })),
    rc('bedrock.long-term-key', W, 'an AKIA key pair', () => ({ role_arn: undefined, access_key_id: S(fake.awsLongTermId), secret_access_key: S(fake.awsSecret) })),
    rc('bedrock.temporary-key', W, 'an ASIA key with session token', () => ({
      role_arn: undefined,
      access_key_id: S(fake.awsTemporaryId),
      secret_access_key: S(fake.awsSecret),
      session_token: S(fake.awsSessionToken),
    })),
    rc('bedrock.session-token-missing', E, 'an ASIA key without session token', () => ({ role_arn: undefined, access_key_id: S(fake.awsTemporaryId), secret_access_key: S(fake.awsSecret) })),
    rc('bedrock.unsupported-key-type', E, 'an ACCA key id', () => ({ role_arn: undefined, access_key_id: S(`ACCA${'CANARYEXAMPLE234'}`), secret_access_key: S(fake.awsSecret) })),
    rc('bedrock.invalid-access-key-id', E, 'a key id of no known shape', () => ({ role_arn: undefined, access_key_id: S('FAKEKEYID-CANARY'), secret_access_key: S(fake.awsSecret) })),
    rc('bedrock.invalid-secret-access-key', E, 'a short secret key', () => ({ role_arn: undefined, access_key_id: S(fake.awsLongTermId), secret_access_key: S('fake/CANARY/test+key') })),
    rc('bedrock.fields-swapped', E, 'the key id as the secret', () => ({ role_arn: undefined, access_key_id: S(fake.awsSecret), secret_access_key: S(fake.awsLongTermId) })),
    rc('bedrock.not-a-role', E, 'an assumed-role session ARN', () => ({ role_arn: 'arn:aws:sts::123456789012:assumed-role/ReadOnly/alice' })),
    rc('bedrock.admin-role-name', W, 'an admin-named role', () => ({ role_arn: 'arn:aws:iam::123456789012:role/BedrockAdmin' })),
    rc('bedrock.long-term-api-key', W, 'an ABSK key', () => ({ role_arn: undefined, api_key: S(fake.bedrockLongTerm) })),
    rc('bedrock.short-term-api-key', W, 'a short-term key', () => ({ role_arn: undefined, api_key: S(fake.bedrockShortTerm) })),
    rc('bedrock.invalid-api-key', E, 'an API key of no known shape', () => ({ role_arn: undefined, api_key: S(`fake-key-${CANARY}-test`) })),
    rc('bedrock.all-models', E, 'a wildcard model list', () => ({ allowed_model_ids: 'anthropic.*' })),
    rc('bedrock.wrong-provider', E, 'an OpenAI key as the API key', () => ({ role_arn: undefined, api_key: S(fake.openaiProject) })),
  ],
  slack: [
    rc('slack.user-token', E, 'an xoxp- token', () => ({ webhook_url: S(fake.slackUser) })),
    rc('slack.config-token', E, 'an xoxe token', () => ({ webhook_url: S(fake.slackConfig) })),
    rc('slack.app-token', E, 'an xapp- token', () => ({ webhook_url: S(fake.slackApp) })),
    rc('slack.bot-token', E, 'an xoxb- token', () => ({ webhook_url: S(fake.slackBot) })),
    rc('slack.legacy-token', E, 'an xoxs- token', () => ({ webhook_url: S(fake.slackLegacy) })),
    rc('slack.not-webhook', E, 'another URL', () => ({ webhook_url: S(`https://example.com/hooks/${CANARY}test`) })),
    rc('slack.wrong-provider', E, 'a Teams webhook', () => ({ webhook_url: S(fake.teamsWorkflow) })),
  ],
  teams: [
    rc('teams.connector-retiring', W, 'an Office 365 connector URL', () => ({ webhook_url: S(fake.teamsConnector) })),
    rc('teams.not-webhook', E, 'another URL', () => ({ webhook_url: S(`https://example.com/hooks/${CANARY}test`) })),
    rc('teams.wrong-provider', E, 'a Slack webhook', () => ({ webhook_url: S(fake.slackWebhook) })),
  ],
  pagerduty: [
    rc('pagerduty.rest-api-key', E, 'a 20-character REST API key', () => ({ routing_key: S(fake.pagerdutyRestKey) })),
    rc('pagerduty.rest-api-key', E, 'a user REST API key (u+…)', () => ({ routing_key: S(fake.pagerdutyUserRestKey) })),
    rc('pagerduty.not-routing-key', E, 'a 40-character value', () => ({ routing_key: S(`fake${CANARY}`.repeat(4)) })),
    rc('pagerduty.wrong-provider', E, 'a Slack webhook', () => ({ routing_key: S(fake.slackWebhook) })),
  ],
  smtp: [
    rc('smtp.plaintext-port', E, 'port 25', () => ({ port: '25' })),
    rc('smtp.nonstandard-port', W, 'port 2525', () => ({ port: '2525' })),
    rc('smtp.wrong-provider', E, 'an Anthropic key as the password', () => ({ password: S(fake.anthropicApi) })),
  ],
  telegram: [
    rc('telegram.not-bot-token', E, 'a token without the bot id', () => ({ bot_token: S(`fake-${CANARY}-test-token`) })),
    rc('telegram.thread-needs-forum', W, 'a topic in a private chat', () => ({ chat_id: '123456789' })),
    rc('telegram.wrong-provider', E, 'a Slack bot token', () => ({ bot_token: S(fake.slackBot) })),
  ],
}

function valuesFor(providerId: string, patch: Patch = {}): Record<string, string | Secret> {
  const out: Record<string, string | Secret> = { ...VALID[providerId]!() } as Record<string, string | Secret>
  for (const [name, value] of Object.entries(patch)) {
    if (value === undefined) delete out[name]
    else out[name] = value
  }
  return out
}

const rules = (findings: Finding[], severity?: Severity) =>
  findings.filter((finding) => !severity || finding.severity === severity).map((finding) => finding.rule)

/** The secret texts of a credential (for leak checks). */
function secretsOf(provider: Provider, values: CredentialValues): string[] {
  return provider.fields
    .filter((field) => field.secret)
    .map((field) => values[field.name])
    .filter((value): value is Secret => value instanceof Secret)
    .map((value) => value.reveal())
}

/** No finding and no hint may carry the canary, nor any 8-character run of a secret beyond its prefix. */
function expectNoLeak(provider: Provider, values: CredentialValues, findings: Finding[]): void {
  const hint = provider.hint(values)
  const texts = [hint, ...findings.flatMap((finding) => [finding.message, finding.fix, finding.source])]
  for (const secret of secretsOf(provider, values)) {
    for (const text of texts) {
      if (secret.includes(CANARY)) expect(text).not.toContain(CANARY)
      expect(text).not.toContain(secret.trim())
    }
  }
}

describe('the catalog', () => {
  it('registers each provider of the issue once, with kinds', () => {
    expect([...PROVIDER_IDS].sort()).toEqual(Object.keys(VALID).sort())
    expect(new Set(PROVIDER_IDS).size).toBe(PROVIDER_IDS.length)
    expect(providersOfKind('ai').map((p) => p.id)).toEqual(['openai', 'anthropic', 'gemini', 'bedrock'])
    expect(providersOfKind('notification').map((p) => p.id)).toEqual(['slack', 'teams', 'pagerduty', 'smtp', 'telegram'])
    expect(findProvider('nope')).toBeUndefined()
    expect(() => getProvider('nope')).toThrow(UsageError)
  })

  it('never repeats an unknown provider id that could be a secret', () => {
    try {
      getProvider(fake.openaiAdmin)
      expect.unreachable()
    } catch (error) {
      expect((error as UsageError).message).not.toContain(CANARY)
      expect((error as UsageError).hint).toContain('aws-role')
    }
  })

  it('gives every field a description and a schema, and names no field twice', () => {
    for (const provider of providers) {
      expect(new Set(provider.fields.map((f) => f.name)).size, provider.id).toBe(provider.fields.length)
      for (const field of provider.fields) {
        expect(field.description.length, `${provider.id}.${field.name}`).toBeGreaterThan(5)
        if (!field.secret && field.example) expect(field.schema.safeParse(field.example).success || field.example.includes('…'), `${provider.id}.${field.name} example`).toBe(true)
      }
    }
  })
})

describe.each(providers.map((provider) => [provider.id, provider] as const))('provider %s', (id, provider) => {
  it('accepts a valid example without errors', () => {
    const values = valuesFor(id)
    const findings = checkCredential(provider, values)
    expect(rules(findings, 'error')).toEqual([])
    expect(rules(findings, 'warning')).toEqual(VALID_WARNINGS[id] ?? [])
    expectNoLeak(provider, values, findings)
  })

  it.each((CASES[id] ?? []).map((c) => [c.rule, c.what, c] as const))('%s: %s', (_rule, _what, c) => {
    const values = valuesFor(id, c.patch())
    const findings = checkCredential(provider, values)
    const found = findings.find((finding) => finding.rule === c.rule)
    expect(found, JSON.stringify(rules(findings))).toBeDefined()
    expect(found?.severity).toBe(c.severity)
    expect(found?.source.length).toBeGreaterThan(5)
    expect(found?.fix.length).toBeGreaterThan(5)
    // An error refuses unless allowed; a warning never does.
    if (c.severity === 'error') {
      expect(blockingFindings(findings).map((f) => f.rule)).toContain(c.rule)
      expect(blockingFindings(findings, [c.rule]).map((f) => f.rule)).not.toContain(c.rule)
    } else {
      expect(blockingFindings(findings).map((f) => f.rule)).not.toContain(c.rule)
    }
    expectNoLeak(provider, values, findings)
  })

  it('refuses a secret pasted from another provider', () => {
    expect((CASES[id] ?? []).some((c) => c.rule === `${id}.wrong-provider` && c.severity === 'error')).toBe(true)
  })

  it('raises no rule without a case here, and no other provider\'s rules', () => {
    const listed = new Set((CASES[id] ?? []).map((c) => c.rule))
    for (const c of CASES[id] ?? []) {
      for (const rule of rules(checkCredential(provider, valuesFor(id, c.patch())))) {
        if (rule.startsWith('field.')) continue
        expect(rule.startsWith(`${id}.`), rule).toBe(true)
        expect(listed.has(rule), `${rule} has no case`).toBe(true)
      }
    }
  })

  it('validates its fields: required, unknown, secret given as text, malformed', () => {
    const secretField = provider.fields.find((field) => field.secret)
    const required = provider.fields.find((field) => field.required)!
    expect(rules(checkCredential(provider, valuesFor(id, { [required.name]: undefined })))).toContain('field.missing')
    expect(rules(checkCredential(provider, valuesFor(id, { not_a_field: 'x' })))).toContain('field.unknown')
    if (secretField) {
      const text = (valuesFor(id)[secretField.name] as Secret | undefined)?.reveal() ?? 'x'
      const findings = checkCredential(provider, valuesFor(id, { [secretField.name]: text }))
      expect(rules(findings)).toContain('field.secret-as-text')
      const malformed = checkCredential(provider, valuesFor(id, { [secretField.name]: S(`two words\u0000${CANARY}`) }))
      expect(rules(malformed)).toContain('field.invalid')
      expect(JSON.stringify(malformed)).not.toContain(CANARY)
    }
    // field.* errors cannot be waived.
    const missing = checkCredential(provider, valuesFor(id, { [required.name]: undefined }))
    expect(rules(blockingFindings(missing, ['field.missing']))).toContain('field.missing')
  })
})

/** The part of a secret that must never show: a JSON key file's private key (its client_email is public). */
function secretCore(secret: string): string {
  const text = secret.trim()
  try {
    const parsed = JSON.parse(text) as { private_key?: unknown } | null
    if (parsed && typeof parsed === 'object') return typeof parsed.private_key === 'string' ? parsed.private_key : ''
  } catch {
    // not JSON
  }
  return text
}

describe('hints', () => {
  it('show a public prefix and the last four characters, never the middle', () => {
    const hint = getProvider('aws').hint(valuesFor('aws'))
    expect(hint).toBe('AKIA…MPLE / us-east-1')
    expect(getProvider('openai').hint(valuesFor('openai'))).toMatch(/^sk-svcacct-…\w{4}$/)
    expect(getProvider('telegram').hint(valuesFor('telegram'))).toMatch(/^bot 123456789:…\w{4} \/ chat -1001234567890 topic 42$/)
    expect(getProvider('slack').hint(valuesFor('slack'))).toMatch(/^https:\/\/hooks\.slack\.com\/…\w{4} \/ #ops-alerts$/)
    expect(getProvider('ssh').hint(valuesFor('ssh'))).toBe('clowdops@bastion.example.com:2222 / ssh-ed25519')
    expect(getProvider('gcp').hint(valuesFor('gcp'))).toMatch(/^clowdops-reader@clowdops-test\.iam\.gserviceaccount\.com \/ key …\w{4}$/)
    expect(getProvider('smtp').hint(valuesFor('smtp'))).toBe('smtp.example.com:587 / 2 recipients')
  })

  it('mask a secret pasted into a field that is not secret', () => {
    const hint = getProvider('aws-role').hint({ role_arn: fake.anthropicAdmin, region: 'eu-west-1' })
    expect(hint).toMatch(/^sk-ant-admin01-…\w{4} \/ eu-west-1$/)
    expect(hint).not.toContain(CANARY)
  })

  it('never show a canary in any provider, whatever the secret', () => {
    for (const provider of providers) {
      for (const c of CASES[provider.id] ?? []) {
        const values = valuesFor(provider.id, c.patch())
        const hint = provider.hint(values)
        expect(hint, `${provider.id} ${c.what}`).not.toContain(CANARY)
        for (const secret of secretsOf(provider, values).map(secretCore)) {
          const shape = classifyKey(secret)
          const middle = secret.slice(shape ? publicPrefix(shape, secret).length : 0, -4)
          for (let i = 0; i + 8 <= middle.length; i++) expect(hint, `${provider.id} ${c.what}`).not.toContain(middle.slice(i, i + 8))
        }
      }
    }
  })
})
