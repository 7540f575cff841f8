// Scrubs secrets out of anything that may be logged: headers, JSON bodies, free text.
import { redacted } from './secret.js'

const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-admin-key|x-api-key)$/i
const SECRET_KEY = /(token|secret|password|passphrase|private_?key|api_?key|authorization|cookie|credential|^code$)/i
// Token shapes that must never reach a log even inside free text: ours, bearer values, common provider keys.
const SECRET_TEXT = [
  /\bcop_[A-Za-z0-9]{8,}/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi,
  /\b(sk-(?:ant-|proj-|admin-)?[A-Za-z0-9_-]{8,})/g,
  /\b(gh[pousr]_[A-Za-z0-9]{20,})/g,
  /\b(xox[abpre]-[A-Za-z0-9-]{8,})/g,
  /\bAKIA[A-Z0-9]{16}\b/g,
]

export function redactText(text: string): string {
  return SECRET_TEXT.reduce((out, pattern) => out.replace(pattern, redacted), text)
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

/** Deep copy of a JSON value with every secret-looking field replaced. */
export function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson)
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        SECRET_KEY.test(key) && key !== 'token_type' && inner !== null && typeof inner !== 'object'
          ? redacted
          : redactJson(inner),
      ]),
    )
  }
  return typeof value === 'string' ? redactText(value) : value
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
