// What a credential provider is: data (its fields) plus small functions (offline checks, a display hint).
// Each provider lives in providers/<id>.ts and is registered in catalog.ts; nothing else changes to add one.
//
// Checks see secret fields as Secret and reveal them only to inspect their shape. Nothing a check returns (a
// Finding's message, fix or source) and nothing a hint returns may contain a secret beyond its public prefix and
// last four characters; the helpers here (judgeShape, maskSecret) are built so that a provider cannot get that wrong
// by accident, and the tests feed every provider canary values to prove it.
import { z } from 'zod'
import { Secret } from '../secret.js'
import { didYouMean } from '../suggest.js'
import { classifyKey, describeShape, isPlaceholder, type KeyShape, publicPrefix } from './key-shapes.js'

export type ProviderKind = 'cloud' | 'ai' | 'notification'
export type Severity = 'error' | 'warning'

/** One result of an offline check. Errors refuse (unless the rule is allowed); warnings print and proceed. */
export interface Finding {
  /** Stable id, `<provider>.<rule>` (e.g. `openai.admin-key`) or `field.<rule>` for field validation. */
  rule: string
  severity: Severity
  /** The field the finding is about, when it is about one. */
  field?: string
  /** What was found. Never contains a secret. */
  message: string
  /** What to do instead. */
  fix: string
  /** Where the rule or pattern comes from: a gitleaks/trufflehog rule id or a vendor document. */
  source: string
}

export interface FieldSpec {
  name: string
  /** Secret fields are given as references, arrive as Secret, are sealed, and are never shown. */
  secret: boolean
  required: boolean
  description: string
  /**
   * The value's form. Non-secret fields are validated fully; secret fields only for a basic shape (one line of
   * printable characters, a length bound), because what a secret is — and whether it belongs here — is the
   * provider's check. Messages never quote the value.
   */
  schema: z.ZodType<string>
  /** For non-secret fields: an example value for help text and prompts. */
  example?: string
}

export type FieldValue = string | Secret
/** A credential's field values by field name: secret fields as Secret, the others as plain strings. */
export type CredentialValues = Readonly<Record<string, FieldValue | undefined>>

export interface Provider {
  id: string
  kind: ProviderKind
  title: string
  fields: readonly FieldSpec[]
  /** Offline least-privilege checks. Total: any values (missing, malformed, hostile) give findings, never a throw. */
  check(values: CredentialValues): Finding[]
  /** A one-line description that identifies the credential without revealing it (e.g. `AKIA…WXYZ / us-east-1`). */
  hint(values: CredentialValues): string
}

/** Rule ids that `--allow` cannot waive: a field that is missing or malformed is not an accepted risk. */
export const UNWAIVABLE_RULE_PREFIX = 'field.'

// ---------------------------------------------------------------------------------------------------------------
// Reading values

/** A field's text, revealing a Secret. For checks and hints only; undefined when absent or empty. */
export function valueOf(values: CredentialValues, name: string): string | undefined {
  if (!Object.hasOwn(values, name)) return undefined
  const value: unknown = values[name]
  const text = value instanceof Secret ? value.reveal() : typeof value === 'string' ? value : undefined
  return text === undefined || text === '' ? undefined : text
}

// ---------------------------------------------------------------------------------------------------------------
// Field schemas

/** A token-like secret: one line of printable ASCII without spaces. */
export function tokenSchema(max = 4096): z.ZodType<string> {
  return z
    .string()
    .min(1, 'is empty')
    .max(max, `is longer than ${max} characters`)
    .regex(/^[\x21-\x7e]+$/, 'must be one line of printable characters without spaces')
}

/** A multi-line secret document (a PEM key, a JSON key file). */
export function documentSchema(max = 65_536): z.ZodType<string> {
  return z
    .string()
    .min(1, 'is empty')
    .max(max, `is longer than ${max} characters`)
    .regex(/^[\x20-\x7e\t\r\n]+$/, 'must be printable text')
}

/** A secret with no known shape (a password): any printable text on one line. */
export function passwordSchema(max = 1024): z.ZodType<string> {
  return z
    .string()
    .min(1, 'is empty')
    .max(max, `is longer than ${max} characters`)
    .regex(/^[^\x00-\x1f\x7f]+$/, 'must be one line without control characters')
}

export const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/
export const uuidSchema = z.string().regex(UUID, 'must be a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)')

/** A DNS name or an IPv4 address (no scheme, no port). */
export const HOSTNAME =
  /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/

export function isPort(text: string): boolean {
  return /^\d{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 65_535
}

/** An http(s) URL; `https:` is required by the provider's check, except on loopback. */
export const httpUrlSchema = z.string().refine((text) => parseHttpUrl(text) !== undefined, 'must be an http(s) URL')

export function parseHttpUrl(text: string): URL | undefined {
  if (text.length > 2048 || /\s/.test(text)) return undefined
  try {
    const url = new URL(text)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined
  } catch {
    return undefined
  }
}

/** A plain-http URL field to a non-loopback host: the secret sent there would cross the network in clear text. */
export function insecureUrlFindings(
  values: CredentialValues,
  rule: { provider: string; field: string; fallback?: string; fix: string; source: string },
): Finding[] {
  const url = parseHttpUrl(valueOf(values, rule.field) ?? rule.fallback ?? '')
  if (!url || url.protocol !== 'http:' || isLoopbackHost(url.hostname)) return []
  return [
    {
      rule: `${rule.provider}.insecure-url`,
      severity: 'error',
      field: rule.field,
      message: `${rule.field} uses http://: the token would cross the network in clear text.`,
      fix: rule.fix,
      source: rule.source,
    },
  ]
}

export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname)
}

// ---------------------------------------------------------------------------------------------------------------
// Field validation

const SAFE_FIELD_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/

/**
 * Required fields present, no unknown fields, secret fields wrapped in Secret, every value of the right form.
 * Findings are `field.*` errors, which no `--allow` waives.
 */
export function validateFields(provider: Provider, values: CredentialValues): Finding[] {
  const findings: Finding[] = []
  const source = 'clowdops provider catalog'
  const known = new Set(provider.fields.map((field) => field.name))
  for (const name of Object.keys(values)) {
    if (known.has(name) || values[name] === undefined) continue
    const shown = SAFE_FIELD_NAME.test(name) ? `"${name}"` : 'a field with an invalid name'
    findings.push({
      rule: 'field.unknown',
      severity: 'error',
      message: `${provider.id} has no field ${shown}.`,
      fix: `${didYouMean(name, [...known])}Fields of ${provider.id}: ${[...known].join(', ')}.`,
      source,
    })
  }
  for (const field of provider.fields) {
    const raw: unknown = Object.hasOwn(values, field.name) ? values[field.name] : undefined
    const text = valueOf(values, field.name)
    if (text === undefined) {
      if (field.required) {
        findings.push({
          rule: 'field.missing',
          severity: 'error',
          field: field.name,
          message: `${field.name} is required for ${provider.id}: ${field.description}.`,
          fix: field.secret
            ? `Give ${field.name} as a reference: keychain:SERVICE/ACCOUNT, env:NAME, file:PATH or stdin.`
            : `Give ${field.name}=VALUE${field.example ? ` (e.g. ${field.example})` : ''}.`,
          source,
        })
      }
      continue
    }
    if (field.secret && !(raw instanceof Secret)) {
      findings.push({
        rule: 'field.secret-as-text',
        severity: 'error',
        field: field.name,
        message: `${field.name} is a secret field but was given as plain text.`,
        fix: `Give ${field.name} as a reference: keychain:SERVICE/ACCOUNT, env:NAME, file:PATH or stdin.`,
        source,
      })
      continue
    }
    const parsed = field.schema.safeParse(text)
    if (!parsed.success) {
      // Our schemas' messages describe the rule, never the input; for secret fields we still add nothing else.
      const reason = parsed.error.issues[0]?.message ?? 'is not valid'
      findings.push({
        rule: 'field.invalid',
        severity: 'error',
        field: field.name,
        message: `${field.name} ${reason}.`,
        fix: `Give ${field.name} as ${field.description}${field.example ? ` (e.g. ${field.example})` : ''}.`,
        source,
      })
    }
  }
  return findings
}

/** Everything checked offline for a credential: its fields' form, then the provider's least-privilege checks. */
export function checkCredential(provider: Provider, values: CredentialValues): Finding[] {
  return [...validateFields(provider, values), ...provider.check(values)]
}

/** The errors that still refuse once the user has accepted `allowed` rules (never `field.*`). */
export function blockingFindings(findings: readonly Finding[], allowed: readonly string[] = []): Finding[] {
  const accepted = new Set(allowed)
  return findings.filter(
    (finding) =>
      finding.severity === 'error' && (finding.rule.startsWith(UNWAIVABLE_RULE_PREFIX) || !accepted.has(finding.rule)),
  )
}

// ---------------------------------------------------------------------------------------------------------------
// Classification of a secret field's value

/** What a provider says about a key shape it recognises as its own. */
export interface ShapeVerdict {
  rule: string
  severity: Severity
  message: string
  fix: string
  /** Defaults to the shape's source. */
  source?: string
}

/** For each key shape (by id) a provider accepts in a field: 'ok', or the finding it raises. */
export type ShapeRules = Readonly<Record<string, ShapeVerdict | 'ok'>>

export interface FieldContext {
  provider: string
  field: string
  /** What belongs in the field, with an article: 'an OpenAI API key'. */
  expected: string
}

/**
 * Classifies a secret field's value against the shared key shapes. A shape the provider lists gives its verdict;
 * a recognised shape it does not list is another provider's secret pasted here (`<provider>.wrong-provider`, an
 * error); an unrecognised value gives `shape` undefined and the `unrecognised` finding, if the provider has one.
 */
export function judgeShape(
  context: FieldContext,
  value: string,
  rules: ShapeRules,
  /** The finding for a value of no known shape; none when omitted (the provider judges it itself). */
  unrecognised?: ShapeVerdict & { source: string },
): { shape: KeyShape | undefined; findings: Finding[] } {
  const shape = classifyKey(value)
  if (!shape) return { shape, findings: unrecognised ? [{ ...unrecognised, field: context.field }] : [] }
  const verdict = Object.hasOwn(rules, shape.id) ? rules[shape.id] : undefined
  if (verdict === 'ok') return { shape, findings: isPlaceholder(shape, value) ? [placeholderFinding(context, shape)] : [] }
  if (verdict) {
    const { source, ...rest } = verdict
    return { shape, findings: [{ ...rest, field: context.field, source: source ?? shape.source }] }
  }
  const home = shape.provider ? ` It belongs with the ${shape.provider} provider (clowdops credentials add ${shape.provider}).` : ''
  return {
    shape,
    findings: [
      {
        rule: `${context.provider}.wrong-provider`,
        severity: 'error',
        field: context.field,
        message: `${context.field} looks like ${describeShape(shape)}, not ${context.expected}.${home}`,
        fix: `Give ${context.field} ${context.expected}, and register this secret with the provider it belongs to, if any.`,
        source: shape.source,
      },
    ],
  }
}

/** A value with an accepted shape's prefix but a body too uniform to be a key (github_pat_xxxx…): refused. */
function placeholderFinding(context: FieldContext, shape: KeyShape): Finding {
  return {
    rule: `${context.provider}.placeholder`,
    severity: 'error',
    field: context.field,
    message: `${context.field} has the prefix of ${describeShape(shape)} but the rest is a placeholder (too few distinct characters to be a real key).`,
    fix: `Give ${context.field} the real value, copied whole from where it was created.`,
    source: `${shape.source} (entropy threshold ${shape.minEntropy} bits per character)`,
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Hints

/** Below this many characters after the public prefix, not even the last four are shown. */
const MIN_HIDDEN = 16

/**
 * A secret as a hint: its public prefix (from its key shape, when recognised) and its last four characters, e.g.
 * `AKIA…WXYZ`. Short or unrecognised secrets show less. Never the middle.
 */
export function maskSecret(value: string | undefined): string {
  if (value === undefined) return '…'
  const trimmed = value.trim()
  const shape = classifyKey(trimmed)
  const prefix = shape ? publicPrefix(shape, trimmed) : ''
  const rest = trimmed.slice(prefix.length)
  return rest.length >= MIN_HIDDEN ? `${prefix}…${rest.slice(-4)}` : `${prefix}…`
}

const MAX_HINT_PART = 120

/**
 * A non-secret field's value for a hint. Should it hold something shaped like a known secret (a key pasted into
 * the wrong field), it is masked like one: a hint never shows a secret, whichever field it came in.
 */
export function shownValue(values: CredentialValues, name: string): string | undefined {
  const value = valueOf(values, name)
  return value !== undefined && classifyKey(value) ? maskSecret(value) : value
}

/** Joins the present parts of a hint with ' / ', each on one line and clipped. */
export function joinHint(...parts: Array<string | undefined | false>): string {
  return parts
    .filter((part): part is string => typeof part === 'string' && part !== '')
    .map((part) => {
      const line = part.replace(/[\x00-\x1f\x7f]/g, '?')
      return line.length > MAX_HINT_PART ? `${line.slice(0, MAX_HINT_PART - 1)}…` : line
    })
    .join(' / ')
}
