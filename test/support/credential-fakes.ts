// Obviously fake credentials for the provider tests: right shape, fake content (FAKE/test/CANARY/EXAMPLE), built by
// concatenation. SSH and OCI keys are generated at test time with node:crypto, never committed.
import { Buffer } from 'node:buffer'
import { createHash, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto'

/** The marker every fake secret body carries, so a test can tell if any part of one leaked. */
export const CANARY = 'CANARY'

/** n characters of an obviously fake body, with the canary in it when n >= 15. */
export function body(n: number, seed = 'FAKEtest0CANARY'): string {
  return seed.repeat(Math.ceil(n / seed.length)).slice(0, n)
}

const hex = (n: number) => body(n, 'fa4e0cafe1').slice(0, n)

function encodeBase64url(text: string): string {
  return Buffer.from(text).toString('base64url')
}

export const fake = {
  openaiServiceAccount: `sk-svcacct-${body(74)}T3BlbkFJ${body(74)}`,
  openaiProject: `sk-proj-${body(74)}T3BlbkFJ${body(74)}`,
  openaiAdmin: `sk-admin-${body(58)}T3BlbkFJ${body(58)}`,
  openaiLegacy: `sk-${body(20)}T3BlbkFJ${body(20)}`,
  anthropicApi: `sk-ant-api03-${body(93)}AA`,
  anthropicAdmin: `sk-ant-admin01-${body(93)}AA`,
  anthropicOauth: `sk-ant-oat01-${body(95)}`,
  anthropicOther: `sk-ant-sid01-${body(60)}`,
  googleApiKey: `AIza${body(35)}`,
  // AWS's own documentation example key pair (IAM User Guide), and fakes in its style.
  awsLongTermId: 'AKIAIOSFODNN7EXAMPLE',
  awsTemporaryId: `ASIA${'CANARYEXAMPLE234'}`,
  awsOtherId: `ABIA${'CANARYEXAMPLE234'}`,
  awsSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  awsSessionToken: `IQoJb3JpZ2luX2VjEFAKE${body(200)}`,
  bedrockLongTerm: `ABSKQmVkcm9ja0FQSUtleS1${body(120)}=`,
  bedrockShortTerm: `bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t${body(80)}`,
  githubFineGrained: `github_pat_${body(82)}`,
  githubClassic: `ghp_${body(36)}`,
  githubOauth: `gho_${body(36)}`,
  githubInstallation: `ghs_${body(36)}`,
  // GitHub Changelog 2026-04-24: ghs_<app id>_<JWT>, ~520 characters. A JWT-shaped fake (three base64url parts).
  githubInstallationJwt: `ghs_1234567_${encodeBase64url('{"alg":"RS256","typ":"JWT"}')}.${encodeBase64url(JSON.stringify({ iss: 'FAKE', installation: 1, canary: body(300) }))}.${body(86)}`,
  gitlabAccess: `glpat-${body(20)}`,
  gitlabDeploy: `gldt-${body(20)}`,
  gitlabRunner: `glrt-${body(20)}`,
  gitlabSessionCookie: `_gitlab_session=${body(32).toLowerCase()}`,
  azureClientSecret: `Fak8Q~${body(34)}`,
  azureSecretId: '5ec7e71d-fa4e-4a11-8bad-c0ffeec0ffee',
  azureDevopsPat: `${body(76)}AZDO${body(4)}`,
  azureDevopsLegacyPat: body(52, 'fakecanarytestexample'),
  slackWebhook: `https://hooks.slack.com/services/TFAKE0000/BFAKE0000/${body(24)}`,
  slackBot: `xoxb-FAKE-${body(40)}`,
  slackUser: `xoxp-FAKE-${body(40)}`,
  slackConfig: `xoxe.xoxp-1-${body(80)}`,
  slackApp: `xapp-1-AFAKE-${body(40)}`,
  slackLegacy: `xoxs-FAKE-${body(30)}`,
  teamsWorkflow: `https://prod-00.westus.logic.azure.com:443/workflows/${hex(32)}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${body(43)}`,
  teamsConnector: `https://example.webhook.office.com/webhookb2/${body(36)}@${body(36)}/IncomingWebhook/${body(32)}/${body(36)}`,
  pagerdutyRoutingKey: body(32),
  pagerdutyRestKey: `y_${body(18)}`,
  pagerdutyUserRestKey: 'u+FAKEcanar-te-st000',
  telegramBot: `123456789:AA${body(33)}`,
  smtpPassword: `fake-app-password-${body(16)}`,
}

export function gcpServiceAccountJson(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      type: 'service_account',
      project_id: 'clowdops-test',
      private_key_id: hex(40),
      private_key: `-----BEGIN PRIVATE KEY-----\n${body(64)}\n${body(64)}\n-----END PRIVATE KEY-----\n`,
      client_email: 'clowdops-reader@clowdops-test.iam.gserviceaccount.com',
      client_id: '100000000000000000000',
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: 'https://oauth2.googleapis.com/token',
      ...overrides,
    },
    null,
    2,
  )
}

// --- private keys, generated once per test run

function memo<T>(make: () => T): () => T {
  let value: T | undefined
  return () => (value ??= make())
}

const pkcs8 = { type: 'pkcs8', format: 'pem' } as const
const spkiDer = { type: 'spki', format: 'der' } as const

export const keys = {
  rsa1024: memo(() => generateKeyPairSync('rsa', { modulusLength: 1024 })),
  rsa2048: memo(() => generateKeyPairSync('rsa', { modulusLength: 2048 })),
  rsa3072: memo(() => generateKeyPairSync('rsa', { modulusLength: 3072 })),
  ed25519: memo(() => generateKeyPairSync('ed25519')),
  ed448: memo(() => generateKeyPairSync('ed448')),
  ecdsa: memo(() => generateKeyPairSync('ec', { namedCurve: 'P-256' })),
  dsa: memo(() => generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 })),
}

export function pem(privateKey: KeyObject, type: 'pkcs8' | 'pkcs1' | 'sec1' = 'pkcs8'): string {
  return privateKey.export({ type, format: 'pem' }) as string
}

/** A passphrase-protected PEM (PKCS#8 EncryptedPrivateKeyInfo, or PKCS#1 with Proc-Type: 4,ENCRYPTED). */
export function encryptedPem(privateKey: KeyObject, type: 'pkcs8' | 'pkcs1' = 'pkcs8'): string {
  return privateKey.export({ ...(type === 'pkcs8' ? pkcs8 : { type, format: 'pem' }), cipher: 'aes-256-cbc', passphrase: 'test-passphrase' }) as string
}

/** OCI's fingerprint, computed from the public key the generator returned. */
export function ociFingerprint(publicKey: KeyObject): string {
  const der = publicKey.export(spkiDer)
  return createHash('md5').update(der).digest('hex').match(/../g)!.join(':')
}

// --- OpenSSH keys (openssh-key-v1), assembled here because node:crypto does not write that format

function uint32(n: number): Buffer {
  const out = Buffer.alloc(4)
  out.writeUInt32BE(n)
  return out
}

function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data
  return Buffer.concat([uint32(bytes.length), bytes])
}

function mpint(bytes: Buffer): Buffer {
  let start = 0
  while (start < bytes.length - 1 && bytes[start] === 0) start++
  const trimmed = bytes.subarray(start)
  return (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed
}

const jwk = (publicKey: KeyObject) => publicKey.export({ format: 'jwk' })
const b64url = (text: string | undefined) => Buffer.from(text ?? '', 'base64url')

export const sshPublicBlob = {
  ed25519: (publicKey: KeyObject) => Buffer.concat([sshString('ssh-ed25519'), sshString(b64url(jwk(publicKey).x))]),
  rsa: (publicKey: KeyObject) => {
    const { n, e } = jwk(publicKey)
    return Buffer.concat([sshString('ssh-rsa'), sshString(mpint(b64url(e))), sshString(mpint(b64url(n)))])
  },
  /** A DSA public key with a 1024-bit p of fake content (the parser reads only the algorithm and p's size). */
  dsa: () => {
    const p = Buffer.concat([Buffer.from([0xff]), randomBytes(127)])
    return Buffer.concat([sshString('ssh-dss'), sshString(mpint(p)), sshString(randomBytes(20)), sshString(p), sshString(p)])
  },
  skEd25519: (publicKey: KeyObject) =>
    Buffer.concat([sshString('sk-ssh-ed25519@openssh.com'), sshString(b64url(jwk(publicKey).x)), sshString('ssh:')]),
}

export function opensshKey(publicBlob: Buffer, cipher = 'none'): string {
  const encrypted = cipher !== 'none'
  const kdfOptions = encrypted ? Buffer.concat([sshString(randomBytes(16)), uint32(16)]) : Buffer.alloc(0)
  const bytes = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString(cipher),
    sshString(encrypted ? 'bcrypt' : 'none'),
    sshString(kdfOptions),
    uint32(1),
    sshString(publicBlob),
    sshString(randomBytes(96)), // the private section: opaque here (and encrypted when cipher is not none)
  ])
  const lines = bytes.toString('base64').match(/.{1,70}/g) ?? []
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`
}

export function sshPublicKeyLine(publicKey: KeyObject): string {
  return `ssh-ed25519 ${sshPublicBlob.ed25519(publicKey).toString('base64')} fake@test`
}
