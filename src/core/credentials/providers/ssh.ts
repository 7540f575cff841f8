// A host reached over SSH with a private key. The key must be one the agent can use unattended (no passphrase, no
// hardware touch) and strong: no DSA, no RSA under 3072 bits.
import { z } from 'zod'
import {
  documentSchema,
  type Finding,
  HOSTNAME,
  isPort,
  joinHint,
  judgeShape,
  type Provider,
  shownValue,
  valueOf,
} from '../provider.js'
import { inspectPrivateKey } from '../private-key.js'

const MIN_RSA_BITS = 3072
const NEW_KEY = 'Create a dedicated key for ClowdOps: ssh-keygen -t ed25519 -N "" -C clowdops -f clowdops_ed25519, and add its .pub to the user\'s authorized_keys.'

/** host, host:port, [v6]:port. */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?$/.exec(text)
  if (bracketed) {
    const port = bracketed[2] ?? '22'
    return isPort(port) && bracketed[1] ? { host: `[${bracketed[1]}]`, port: Number(port) } : undefined
  }
  const plain = /^([^:]+)(?::(\d{1,5}))?$/.exec(text)
  if (!plain?.[1] || !HOSTNAME.test(plain[1])) return undefined
  const port = plain[2] ?? '22'
  return isPort(port) ? { host: plain[1], port: Number(port) } : undefined
}

function check(values: Parameters<Provider['check']>[0]): Finding[] {
  const findings: Finding[] = []
  const username = valueOf(values, 'username')
  if (username === 'root') {
    findings.push({
      rule: 'ssh.root-login',
      severity: 'warning',
      field: 'username',
      message: 'username is root: the agent would hold every right on the host.',
      fix: 'Create an unprivileged user for ClowdOps (with sudo rights only for the commands it needs) and give that name.',
      source: 'CIS Benchmarks (Linux): Ensure SSH root login is disabled (PermitRootLogin no)',
    })
  }
  const text = valueOf(values, 'private_key')
  if (text === undefined) return findings
  const field = 'private_key'
  const refuse = (rule: string, message: string, fix: string, source: string): Finding[] => [
    ...findings,
    { rule: `ssh.${rule}`, severity: 'error', field, message, fix, source },
  ]
  const judged = judgeShape({ provider: 'ssh', field, expected: 'an SSH private key' }, text, {
    'private-key': 'ok',
    'ssh-public-key': {
      rule: 'ssh.public-key',
      severity: 'error',
      message: 'private_key holds a public key (the .pub file); the agent needs the private half.',
      fix: 'Give the private key file (the one without .pub). ' + NEW_KEY,
    },
    'putty-private-key': {
      rule: 'ssh.putty-key',
      severity: 'error',
      message: 'private_key is a PuTTY key (.ppk), which OpenSSH cannot read.',
      fix: 'Export it in OpenSSH format: puttygen KEY.ppk -O private-openssh -o KEY.',
    },
  })
  if (judged.findings.length > 0) return [...findings, ...judged.findings]
  const key = inspectPrivateKey(text)
  if (!key.ok) {
    return refuse('invalid-key', 'private_key is not a readable private key (OpenSSH or PEM).', NEW_KEY, 'OpenSSH PROTOCOL.key (openssh-key-v1); RFC 7468 (PEM)')
  }
  if (key.encrypted) {
    return refuse(
      'encrypted-key',
      'private_key is protected by a passphrase, which the agent cannot type.',
      NEW_KEY,
      'OpenSSH PROTOCOL.key (cipher name other than "none"); RFC 1421 Proc-Type / RFC 5958 EncryptedPrivateKeyInfo',
    )
  }
  switch (key.type) {
    case 'dsa':
      return refuse('dsa-key', 'private_key is a DSA (ssh-dss) key: disabled by default since OpenSSH 7.0 and removed in OpenSSH 10.0.', NEW_KEY, 'OpenSSH 7.0 and 10.0 release notes')
    case 'rsa':
      if ((key.bits ?? 0) < MIN_RSA_BITS) {
        return refuse(
          'rsa-too-short',
          `private_key is RSA-${key.bits ?? '?'}; at least ${MIN_RSA_BITS} bits are required.`,
          NEW_KEY,
          'NIST SP 800-57 Part 1 Rev. 5, Table 2 (RSA-3072 for 128-bit security)',
        )
      }
      return findings
    case 'sk-ed25519':
    case 'sk-ecdsa':
      return refuse('security-key', 'private_key is bound to a FIDO security key, which needs a touch the agent cannot give.', NEW_KEY, 'OpenSSH 8.2 release notes (FIDO/U2F keys)')
    case 'ed25519':
    case 'ecdsa':
      return findings
    default:
      return refuse('unsupported-key-type', `private_key is a ${key.algorithm} key, which OpenSSH does not use for logins.`, NEW_KEY, 'RFC 4253 §6.6, RFC 5656, RFC 8709 (SSH public key algorithms)')
  }
}

export const ssh: Provider = {
  id: 'ssh',
  kind: 'cloud',
  title: 'SSH host (private key)',
  fields: [
    {
      name: 'host',
      secret: false,
      required: true,
      description: 'the host name or address, with :port when not 22',
      schema: z.string().refine((text) => parseHostPort(text) !== undefined, 'must be HOST or HOST:PORT'),
      example: 'bastion.example.com:2222',
    },
    {
      name: 'username',
      secret: false,
      required: true,
      description: 'the user ClowdOps logs in as',
      schema: z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}\$?$/i, 'must be a POSIX user name'),
      example: 'clowdops',
    },
    { name: 'private_key', secret: true, required: true, description: 'the private key, without a passphrase (OpenSSH or PEM)', schema: documentSchema(32_768) },
  ],
  check,
  hint: (values) => {
    const target = parseHostPort(shownValue(values, 'host') ?? '')
    const user = shownValue(values, 'username')
    const text = valueOf(values, 'private_key')
    const key = text === undefined ? undefined : inspectPrivateKey(text)
    const keyType = key?.ok ? `${key.algorithm}${key.type === 'rsa' && key.bits ? `-${key.bits}` : ''}` : undefined
    return joinHint(target ? `${user ?? '?'}@${target.host}${target.port === 22 ? '' : `:${target.port}`}` : undefined, keyType)
  },
}
