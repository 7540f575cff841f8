// Oracle Cloud Infrastructure with an API signing key (RSA, PEM) of a user, ideally a dedicated one with read-only
// policies. The key's fingerprint is checked against the key itself, offline.
import { z } from 'zod'
import {
  documentSchema,
  type Finding,
  joinHint,
  judgeShape,
  type Provider,
  shownValue,
  valueOf,
} from '../provider.js'
import { inspectPrivateKey } from '../private-key.js'

const OCI_KEYS = 'OCI Documentation: Required Keys and OCIDs (RSA key pair in PEM format, minimum 2048 bits)'

function check(values: Parameters<Provider['check']>[0]): Finding[] {
  const pem = valueOf(values, 'private_key')
  if (pem === undefined) return []
  const field = 'private_key'
  const judged = judgeShape({ provider: 'oci', field, expected: 'a PEM RSA private key' }, pem, { 'private-key': 'ok' })
  if (judged.findings.length > 0) return judged.findings
  const refuse = (rule: string, message: string, fix: string, source = OCI_KEYS): Finding[] => [
    { rule: `oci.${rule}`, severity: 'error', field, message, fix, source },
  ]
  const key = inspectPrivateKey(pem)
  if (!key.ok) {
    return refuse('invalid-key', 'private_key is not a readable PEM private key.', 'Give the oci_api_key.pem file (openssl genrsa -out oci_api_key.pem 3072).')
  }
  if (key.encrypted) {
    return refuse(
      'encrypted-key',
      'private_key is protected by a passphrase, which the agent cannot supply.',
      'Create a dedicated API key without a passphrase for ClowdOps (openssl genrsa -out clowdops_oci.pem 3072) and upload its public key.',
      'OCI Documentation: Required Keys and OCIDs; RFC 5958 (EncryptedPrivateKeyInfo)',
    )
  }
  if (key.format !== 'pem') {
    return refuse('invalid-key', 'private_key is an OpenSSH key; OCI API keys are PEM.', 'Convert a copy: ssh-keygen -p -m PEM -f KEY, or create a PEM key with openssl genrsa.')
  }
  if (key.type !== 'rsa') {
    return refuse('not-rsa', `private_key is a ${key.algorithm} key; OCI API signing keys are RSA.`, 'Create an RSA key: openssl genrsa -out clowdops_oci.pem 3072.')
  }
  const findings: Finding[] = []
  if ((key.bits ?? 0) < 2048) {
    findings.push(...refuse('rsa-too-short', `private_key is RSA-${key.bits ?? '?'}; OCI requires at least 2048 bits.`, 'Create a 3072-bit key: openssl genrsa -out clowdops_oci.pem 3072.'))
  }
  const fingerprint = valueOf(values, 'fingerprint')?.trim().toLowerCase()
  if (fingerprint !== undefined && key.md5Fingerprint !== undefined && fingerprint !== key.md5Fingerprint) {
    findings.push(
      ...refuse(
        'fingerprint-mismatch',
        'fingerprint does not match private_key: the fingerprint of another key was given, or another key file.',
        'Give the fingerprint shown for this key under the user\'s API keys, or compute it: openssl rsa -pubout -outform DER -in KEY.pem | openssl md5 -c.',
        "OCI Documentation: Required Keys and OCIDs, How to Get the Key's Fingerprint",
      ),
    )
  }
  return findings
}

const ocid = (type: string) =>
  z.string().regex(new RegExp(`^ocid1\\.${type}\\.oc\\d+\\.[a-z0-9-]*\\.[a-z0-9]{20,}$`), `must be a ${type} OCID (ocid1.${type}.oc1..…)`)

export const oci: Provider = {
  id: 'oci',
  kind: 'cloud',
  title: 'Oracle Cloud Infrastructure (API signing key)',
  fields: [
    { name: 'tenancy_ocid', secret: false, required: true, description: 'the tenancy OCID', schema: ocid('tenancy'), example: 'ocid1.tenancy.oc1..aaaa…' },
    { name: 'user_ocid', secret: false, required: true, description: 'the OCID of the (dedicated, read-only) user that owns the API key', schema: ocid('user'), example: 'ocid1.user.oc1..aaaa…' },
    {
      name: 'fingerprint',
      secret: false,
      required: true,
      description: "the API key's fingerprint (16 colon-separated hex bytes)",
      schema: z.string().regex(/^(?:[0-9a-fA-F]{2}:){15}[0-9a-fA-F]{2}$/, 'must be 16 colon-separated hex bytes (12:34:…:ef)'),
      example: '12:34:56:78:90:ab:cd:ef:12:34:56:78:90:ab:cd:ef',
    },
    { name: 'private_key', secret: true, required: true, description: 'the PEM RSA private key of the API key, without a passphrase', schema: documentSchema(32_768) },
    {
      name: 'region',
      secret: false,
      required: true,
      description: 'the home region identifier',
      schema: z.string().regex(/^[a-z]{2,}-[a-z]+-\d{1,2}$/, 'must be an OCI region identifier such as eu-frankfurt-1'),
      example: 'eu-frankfurt-1',
    },
  ],
  check,
  hint: (values) => {
    const user = shownValue(values, 'user_ocid')
    return joinHint(user === undefined ? undefined : `user …${user.slice(-6)}`, shownValue(values, 'region'), shownValue(values, 'fingerprint'))
  },
}
