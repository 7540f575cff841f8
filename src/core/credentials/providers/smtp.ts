// E-mail through an SMTP submission server, over TLS only: implicit TLS on 465 or STARTTLS on 587.
import { z } from 'zod'
import { type Finding, HOSTNAME, isPort, joinHint, judgeShape, passwordSchema, type Provider, shownValue, valueOf } from '../provider.js'

const RFC_8314 = 'RFC 8314 (Cleartext considered obsolete: TLS for email submission), §3'
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/

export function recipients(text: string | undefined): string[] {
  return (text ?? '').split(',').map((address) => address.trim()).filter((address) => address !== '')
}

function check(values: Parameters<Provider['check']>[0]): Finding[] {
  const findings: Finding[] = []
  const port = valueOf(values, 'port')
  if (port === '25') {
    findings.push({
      rule: 'smtp.plaintext-port',
      severity: 'error',
      field: 'port',
      message: 'port 25 is for relay between mail servers, where TLS is optional: the password could cross the network in clear text.',
      fix: 'Use the submission port of your provider: 465 (implicit TLS, preferred) or 587 (STARTTLS).',
      source: RFC_8314,
    })
  } else if (port !== undefined && isPort(port) && port !== '465' && port !== '587') {
    findings.push({
      rule: 'smtp.nonstandard-port',
      severity: 'warning',
      field: 'port',
      message: `port ${port} is not a submission port (465, 587); TLS cannot be confirmed offline and will be required when connecting.`,
      fix: 'Use 465 (implicit TLS) or 587 (STARTTLS) if your provider offers them.',
      source: RFC_8314,
    })
  }
  const password = valueOf(values, 'password')
  if (password !== undefined) {
    findings.push(...judgeShape({ provider: 'smtp', field: 'password', expected: 'an SMTP password' }, password, {}).findings)
  }
  return findings
}

export const smtp: Provider = {
  id: 'smtp',
  kind: 'notification',
  title: 'E-mail (SMTP submission over TLS)',
  fields: [
    { name: 'host', secret: false, required: true, description: 'the SMTP submission server', schema: z.string().regex(HOSTNAME, 'must be a host name'), example: 'smtp.example.com' },
    {
      name: 'port',
      secret: false,
      required: true,
      description: '465 (implicit TLS) or 587 (STARTTLS)',
      schema: z.string().refine(isPort, 'must be a port number (465 or 587)'),
      example: '587',
    },
    { name: 'username', secret: false, required: true, description: 'the SMTP user name', schema: z.string().min(1, 'is empty').max(256, 'is longer than 256 characters').regex(/^[\x21-\x7e]+$/, 'must be printable without spaces'), example: 'alerts@example.com' },
    { name: 'password', secret: true, required: true, description: 'the SMTP password or app password', schema: passwordSchema(1024) },
    { name: 'from', secret: false, required: true, description: 'the sender address', schema: z.string().regex(EMAIL, 'must be an e-mail address'), example: 'clowdops@example.com' },
    {
      name: 'to',
      secret: false,
      required: true,
      description: 'the recipient addresses, comma-separated',
      schema: z
        .string()
        .refine((text) => recipients(text).length > 0, 'must list at least one address')
        .refine((text) => recipients(text).length <= 50, 'must list at most 50 addresses')
        .refine((text) => recipients(text).every((address) => EMAIL.test(address)), 'must be e-mail addresses separated by commas'),
      example: 'oncall@example.com,ops@example.com',
    },
  ],
  check,
  // Addresses are personal data: the hint shows the server and how many recipients, not who they are.
  hint: (values) => {
    const host = shownValue(values, 'host')
    const port = shownValue(values, 'port')
    const count = recipients(shownValue(values, 'to')).length
    return joinHint(host && `${host}${port ? `:${port}` : ''}`, `${count} recipient${count === 1 ? '' : 's'}`)
  },
}
