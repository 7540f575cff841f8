// Scrubs secrets out of anything that may be logged: headers, JSON bodies, free text.
import { redacted } from './secret.js'

const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-admin-key|x-api-key)$/i

/**
 * Field names whose whole value is a secret, whatever its type, matched on the name in snake_case (accessToken and
 * access-token are access_token): OAuth and token-exchange secrets (access, refresh, ID, subject and actor tokens,
 * client secrets and assertions, device and user codes, PKCE verifiers), passwords, keys and cookies. Names that only
 * mention one (token_type, token_endpoint, subject_token_type, client_assertion_type, public_key) are ordinary.
 */
const SECRET_FIELD = new RegExp(
  '(^|_)(' +
    [
      'tokens?',
      'secrets?',
      'passwords?|passphrase|passwd',
      'assertion',
      'authorization',
      'cookies?',
      'verifier',
      '(private|api|secret|access|signing|encryption|client)_keys?',
      '(device|user|authorization|auth|verification|recovery|backup)_codes?',
    ].join('|') +
    ')$',
)

/** Fields that describe a failure: next to them, `code` is an error code (problem+json, row errors), not a secret. */
const ERROR_FIELDS = ['message', 'title', 'detail', 'error', 'error_description']

// Names of the same secrets where they travel as `name=value` (forms, query strings) or as `"name":"value"` in text that
// did not parse as JSON (a body cut short). A bare `code=` counts only as a form field or query parameter.
const SECRET_NAMES = 'device_code|user_code|code_verifier|subject_token|actor_token|client_assertion|client_secret|refresh_token|access_token|id_token|token|password'
const SECRET_PARAMETER = new RegExp(`(^|[?&\\s;,])(${SECRET_NAMES})=[^&\\s"',;#]+`, 'g')
const CODE_PARAMETER = /(^|[?&])(code)=[^&\s"',;#]+/g
const SECRET_JSON_TEXT = new RegExp(`("(?:${SECRET_NAMES})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'g')

// Token shapes that must never reach a log even inside free text: ours, bearer values, JWTs, common provider keys.
const SECRET_TEXT: [RegExp, string][] = [
  [/\bcop_[A-Za-z0-9]{8,}/g, redacted],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, redacted],
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, redacted],
  [/\b(sk-(?:ant-|proj-|admin-)?[A-Za-z0-9_-]{8,})/g, redacted],
  [/\b(gh[pousr]_[A-Za-z0-9]{20,})/g, redacted],
  [/\b(xox[abpre]-[A-Za-z0-9-]{8,})/g, redacted],
  [/\bAKIA[A-Z0-9]{16}\b/g, redacted],
  [SECRET_PARAMETER, `$1$2=${redacted}`],
  [CODE_PARAMETER, `$1$2=${redacted}`],
  [SECRET_JSON_TEXT, `$1"${redacted}"`],
]

export function redactText(text: string): string {
  return SECRET_TEXT.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text)
}

const EMAIL = /\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b/g

/** Personal data in debug logs: email addresses keep their first letter and domain (a***@example.com). */
export function redactPersonal(text: string): string {
  return text.replace(EMAIL, '$1***@$2')
}

export function redactHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, SECRET_HEADER.test(name) ? redacted : value]),
  )
}

/** Deep copy of a JSON value with the whole value of every secret field replaced, and token shapes scrubbed from text. */
export function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson)
  if (value && typeof value === 'object') {
    const fields = value as Record<string, unknown>
    const describesError = ERROR_FIELDS.some((name) => typeof fields[name] === 'string')
    return Object.fromEntries(
      Object.entries(fields).map(([key, inner]) => [
        key,
        inner !== null && isSecretField(key, describesError) ? redacted : redactJson(inner),
      ]),
    )
  }
  return typeof value === 'string' ? redactText(value) : value
}

function isSecretField(key: string, describesError: boolean): boolean {
  const name = snakeCase(key)
  return name === 'code' ? !describesError : SECRET_FIELD.test(name)
}

/** accessToken, access-token, AccessToken → access_token. */
function snakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/-/g, '_').toLowerCase()
}

/** A body as it may be logged: JSON is parsed and redacted, anything else is scrubbed as text and clipped. */
export function redactBody(body: string, limit = 2000): string {
  let out: string
  try {
    out = JSON.stringify(redactJson(JSON.parse(body)))
  } catch {
    out = redactText(body)
  }
  return out.length > limit ? `${out.slice(0, limit)}… (${out.length} chars)` : out
}
