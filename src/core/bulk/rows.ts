// One row of a bulk privacy file, checked and normalised into a BatchItem with its deterministic id, or refused with a stable code.
import { hash } from 'node:crypto'
import { z } from 'zod'
import {
  BatchItem,
  CHANNELS,
  EXPORT_FORMATS,
  EXPORT_TYPES,
  PROCESSING_PURPOSES,
  RECTIFIABLE_FIELDS,
  REGULATIONS,
  REQUEST_TYPES,
  regulationsFor,
  type Channel,
  type ExportFormat,
  type ProcessingPurpose,
  type RectifiableField,
  type Regulation,
  type RequestType,
} from '../contract/index.js'
import type { CheckedRow, InvalidRow, RawRow, UnreadableRow, ValidRow } from './model.js'
import { checkReceivedAt } from '../privacy/deadlines.js'
import { requestIdFor } from './uuid.js'

export { requestIdFor, uuidV5, REQUEST_ID_NAMESPACE } from './uuid.js'
export { SeenKeys } from './seen-keys.js'

/** Rectification columns: `set_<field>` carries the new value of that account field. */
export const RECTIFICATION_COLUMNS = RECTIFIABLE_FIELDS.map((field) => `set_${field}` as const)

/** Every column (CSV) or key (JSONL) a bulk file may carry. */
export const BULK_COLUMNS = [
  'type',
  'regulation',
  'email',
  'account_id',
  'request_id',
  'format',
  'note',
  'purposes',
  ...RECTIFICATION_COLUMNS,
  'received_at',
  'channel',
] as const
export type BulkColumn = (typeof BULK_COLUMNS)[number]

/** Stable codes of InvalidRow; scripts may match on them. */
export const INVALID_ROW_CODES = [
  'unreadable',
  'unknown_field',
  'missing_field',
  'unknown_type',
  'invalid_regulation',
  'invalid_email',
  'invalid_account_id',
  'invalid_request_id',
  'invalid_field',
  'field_too_long',
] as const
export type InvalidRowCode = (typeof INVALID_ROW_CODES)[number]

/** Longest value accepted per column, checked before anything else looks at it (a field may be 100 KB). */
const MAX_LENGTH: Record<BulkColumn, number> = {
  type: 100,
  regulation: 100,
  email: 254,
  account_id: 100,
  request_id: 100,
  format: 100,
  note: 2000,
  purposes: 1000,
  set_name: 500,
  set_email: 500,
  set_phone: 500,
  set_company: 500,
  set_country: 500,
  received_at: 100,
  channel: 100,
}

/** Columns whose values are personal data: a reason names the column but never repeats the value. */
const PERSONAL: ReadonlySet<BulkColumn> = new Set(['email', 'account_id', 'note', ...RECTIFICATION_COLUMNS])

const ACCOUNT_ID = /^usr_[A-Za-z0-9]{8,32}$/
// The contract's own patterns, tested directly: a zod parse per row allocates more than the row itself.
const EMAIL = z.regexes.email
const UUID = z.regexes.uuid()
const KNOWN: ReadonlySet<string> = new Set(BULK_COLUMNS)

/** The columns (or keys) of a file that no row may carry, in first-seen order: refuse the file before sending anything. */
export function checkColumns(columns: readonly string[]): string[] {
  return [...new Set(columns.filter((column) => !KNOWN.has(column)))]
}

/** Trimmed, domain lowercased, local part kept as written (it may be case-sensitive); undefined when not an email. */
export function normaliseEmail(value: string): string | undefined {
  const trimmed = value.trim()
  const at = trimmed.lastIndexOf('@')
  if (at <= 0) return undefined
  const domain = trimmed.slice(at + 1)
  const lower = domain.toLowerCase()
  // Most addresses are already normal: keep the string as it is rather than build an equal one per row.
  const email = lower === domain ? trimmed : `${trimmed.slice(0, at)}@${lower}`
  return EMAIL.test(email) ? email : undefined
}

/** `email:<normalised>` when the row has an email, else `account:<id>`: who the request is for, for ids and duplicates. */
export function identityKeyOf(subject: { email?: string | undefined; account_id?: string | undefined }): string {
  return subject.email !== undefined ? `email:${subject.email}` : `account:${subject.account_id ?? ''}`
}

/**
 * What makes two rows of one file the same request: the same request id, i.e. the same person, type and scope. The
 * regulation is not part of it: a person asking for the same right is one request whichever law the row files it under
 * (two rows saying gdpr and uk_gdpr are a conflict to settle, not two requests to answer), and the platform keys
 * requests by id, so a key that told them apart would send a second row whose id it refuses as a conflict.
 */
export function duplicateKeyOf(row: ValidRow): string {
  return row.item.id
}

export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex')
}

export interface RowContext {
  orgId: string
  batchId: string
  /** The time the run started: a row's received_at may not be later. Unset: not checked here (the platform still does). */
  nowMs?: number | undefined
}

/** Thrown inside checkRow only, caught there: the first problem of a row. */
class RowProblem {
  constructor(
    readonly code: InvalidRowCode,
    readonly reason: string,
  ) {}
}

/**
 * Checks one record and builds its BatchItem. Never throws: whatever the input, the answer is one CheckedRow, and
 * an invalid row carries the first problem found (type first, since the other rules depend on it).
 */
export function checkRow(raw: RawRow | UnreadableRow, context: RowContext): CheckedRow {
  const line = safeNumber(raw?.line)
  const row = safeNumber(raw?.row)
  const invalid = (code: string, reason: string): CheckedRow => ({ ok: false, row: { line, row, code, reason } satisfies InvalidRow })
  try {
    if ('error' in raw) return invalid('unreadable', clip(String(raw.error), 200))
    return { ok: true, row: { line, row, ...buildItem(raw.fields, context) } }
  } catch (error) {
    if (error instanceof RowProblem) return invalid(error.code, error.reason)
    return invalid('invalid_field', `the row could not be checked: ${clip(error instanceof Error ? error.message : String(error), 120)}`)
  }
}

function buildItem(fields: Record<string, unknown>, context: RowContext): Omit<ValidRow, 'line' | 'row'> {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw new RowProblem('unreadable', 'the record is not an object')
  for (const column in fields) {
    if (!KNOWN.has(column)) throw new RowProblem('unknown_field', `unknown column ${clipQuoted(column)}; expected some of ${BULK_COLUMNS.join(', ')}`)
  }
  const read = (column: BulkColumn) => textOf(fields, column)

  const typeText = read('type')
  if (typeText === undefined) throw new RowProblem('missing_field', `type is required: one of ${REQUEST_TYPES.join(', ')}`)
  const type = typeText.toLowerCase() as RequestType
  if (!REQUEST_TYPES.includes(type)) {
    throw new RowProblem('unknown_type', `type ${clipQuoted(typeText)} is not a request type; expected one of ${REQUEST_TYPES.join(', ')}`)
  }

  const allowed = regulationsFor(type)
  const regulationText = read('regulation')
  const regulation = (regulationText?.toLowerCase() ?? allowed[0]!) as Regulation
  if (!REGULATIONS.includes(regulation)) {
    throw new RowProblem('invalid_regulation', `regulation ${clipQuoted(regulationText ?? '')} is not one of ${REGULATIONS.join(', ')}`)
  }
  if (!allowed.includes(regulation)) {
    throw new RowProblem('invalid_regulation', `regulation: ${type} is a right under ${allowed.join(' or ')}, not ${regulation}`)
  }

  const emailText = read('email')
  const accountText = read('account_id')
  if (emailText === undefined && accountText === undefined) {
    throw new RowProblem('missing_field', 'email or account_id is required: whose request it is')
  }
  const email = emailText === undefined ? undefined : normaliseEmail(emailText)
  if (emailText !== undefined && email === undefined) throw new RowProblem('invalid_email', 'email is not a valid email address')
  if (accountText !== undefined && !ACCOUNT_ID.test(accountText)) {
    throw new RowProblem('invalid_account_id', 'account_id is not an account id: usr_ followed by 8 to 32 letters or digits')
  }
  const subject: BatchItem['subject'] = {}
  if (email !== undefined) subject.email = email
  if (accountText !== undefined) subject.account_id = accountText

  const requestIdText = read('request_id')
  if (requestIdText !== undefined && !UUID.test(requestIdText)) {
    throw new RowProblem('invalid_request_id', `request_id ${clipQuoted(requestIdText)} is not a UUID`)
  }

  const format = readFormat(read('format'), type)
  const processing = readPurposes(fields, type)
  const rectification = readChanges(fields, type)
  const note = read('note')
  const receivedAt = readReceivedAt(read('received_at'), regulation, context.nowMs)
  const channel = readChannel(read('channel'))

  const identityKey = identityKeyOf(subject)
  const id = requestIdFor(context.orgId, identityKey, type, requestIdText?.toLowerCase() ?? context.batchId)
  // Every rule of BatchItem is checked above, field by field, so a valid row is a valid batch item without parsing it
  // again (a zod parse per row was a tenth of a bulk run's CPU); the property test holds every valid row to the schema.
  // Built field by field, not with spreads: a million rows make a million of these.
  const item: BatchItem = { id, type, regulation, subject }
  if (format !== undefined) item.format = format
  if (rectification !== undefined) item.rectification = rectification
  if (processing !== undefined) item.processing = processing
  if (note !== undefined) item.note = note
  // Not part of the id: adding these columns to a file must not change the ids of its rows.
  if (receivedAt !== undefined) item.received_at = receivedAt
  if (channel !== undefined) item.channel = channel
  return { item, identityKey }
}

/** An ISO 8601 date (midnight UTC) or date-time with an offset, normalised to UTC; not in the future, not before its law. */
function readReceivedAt(value: string | undefined, regulation: Regulation, nowMs: number | undefined): string | undefined {
  if (value === undefined) return undefined
  const checked = checkReceivedAt(value, regulation, nowMs)
  if ('problem' in checked) throw new RowProblem('invalid_field', `received_at ${checked.problem}`)
  return checked.iso
}

function readChannel(value: string | undefined): Channel | undefined {
  if (value === undefined) return undefined
  const channel = value.toLowerCase().replace(/[ -]/g, '_') as Channel
  if (!CHANNELS.includes(channel)) throw new RowProblem('invalid_field', `channel ${clipQuoted(value)} is not one of ${CHANNELS.join(', ')}`)
  return channel
}

function readFormat(value: string | undefined, type: RequestType): ExportFormat | undefined {
  if (value === undefined) return undefined
  if (!EXPORT_TYPES.includes(type)) throw new RowProblem('invalid_field', `format applies only to ${EXPORT_TYPES.join(', ')}, not ${type}`)
  const format = value.toLowerCase() as ExportFormat
  if (!EXPORT_FORMATS.includes(format)) throw new RowProblem('invalid_field', `format ${clipQuoted(value)} is not one of ${EXPORT_FORMATS.join(', ')}`)
  return format
}

const PROCESSING_TYPES: readonly RequestType[] = ['restriction', 'objection']

function readPurposes(fields: Record<string, unknown>, type: RequestType): { purposes: ProcessingPurpose[] } | undefined {
  const value = fields['purposes']
  let items: string[]
  if (Array.isArray(value)) {
    if (value.length > 100) throw new RowProblem('field_too_long', `purposes has ${value.length} items; at most ${PROCESSING_PURPOSES.length} make sense`)
    items = value.map((item, index) => {
      if (typeof item !== 'string') throw new RowProblem('invalid_field', `purposes[${index}]: expected a string, got ${kindOf(item)}`)
      return item
    })
  } else {
    const text = textOf(fields, 'purposes')
    if (text === undefined) {
      if (PROCESSING_TYPES.includes(type)) throw new RowProblem('missing_field', `purposes is required for ${type}: some of ${PROCESSING_PURPOSES.join(', ')}, separated by ; or |`)
      return undefined
    }
    items = text.split(/[;|]/)
  }
  const purposes = [...new Set(items.map((item) => item.trim().toLowerCase()).filter((item) => item !== ''))]
  const wanted = PROCESSING_TYPES.includes(type)
  if (purposes.length === 0) {
    if (wanted) throw new RowProblem('missing_field', `purposes is required for ${type}: some of ${PROCESSING_PURPOSES.join(', ')}, separated by ; or |`)
    return undefined
  }
  if (!wanted) throw new RowProblem('invalid_field', `purposes applies only to ${PROCESSING_TYPES.join(' and ')}, not ${type}`)
  const unknown = purposes.find((purpose) => !PROCESSING_PURPOSES.includes(purpose as ProcessingPurpose))
  if (unknown !== undefined) {
    throw new RowProblem('invalid_field', `purposes: ${clipQuoted(unknown)} is not one of ${PROCESSING_PURPOSES.join(', ')}`)
  }
  return { purposes: purposes as ProcessingPurpose[] }
}

const CHANGE_COLUMNS = RECTIFIABLE_FIELDS.map((field) => [field, `set_${field}` as const] as const)

function readChanges(fields: Record<string, unknown>, type: RequestType): { changes: { field: RectifiableField; value: string }[] } | undefined {
  const changes: { field: RectifiableField; value: string }[] = []
  for (const [field, column] of CHANGE_COLUMNS) {
    const value = textOf(fields, column)
    if (value === undefined) continue
    if (field === 'email' && normaliseEmail(value) === undefined) throw new RowProblem('invalid_email', `${column} is not a valid email address`)
    changes.push({ field, value: field === 'email' ? normaliseEmail(value)! : value })
  }
  if (type !== 'rectification') {
    if (changes.length > 0) throw new RowProblem('invalid_field', `set_${changes[0]!.field} applies only to rectification, not ${type}`)
    return undefined
  }
  if (changes.length === 0) throw new RowProblem('missing_field', `rectification needs at least one of ${RECTIFICATION_COLUMNS.join(', ')}`)
  return { changes }
}

/** The trimmed text of a column; absent, null and blank all mean "not given". JSON numbers, booleans and objects are refused, not coerced. */
function textOf(fields: Record<string, unknown>, column: BulkColumn): string | undefined {
  if (!Object.hasOwn(fields, column)) return undefined
  const value = fields[column]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw new RowProblem('invalid_field', `${column}: expected a string, got ${kindOf(value)}`)
  const max = MAX_LENGTH[column]
  // Checked before trimming so a 100 KB value costs one comparison, not a copy.
  if (value.length > max + 1000) throw new RowProblem('field_too_long', `${column} is ${value.length} characters long; at most ${max}`)
  const text = value.trim()
  if (text.length > max) throw new RowProblem('field_too_long', `${column} is ${text.length} characters long; at most ${max}`)
  if (text === '') return undefined
  if (!PERSONAL.has(column) && /[\u0000-\u001f\u007f]/.test(text)) {
    throw new RowProblem('invalid_field', `${column} ${clipQuoted(text)} contains control characters`)
  }
  return text
}

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  return `a ${typeof value}`
}

/** A value shown in a reason: JSON-quoted, at most ~60 characters. Never used on personal columns. */
function clipQuoted(value: string): string {
  return JSON.stringify(clip(value, 60))
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`
}

function safeNumber(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0
}
