// The privacy rules the local platform applies: its timings, the regulations' periods and limits, and small pure helpers.
import { REQUEST_TYPES, regulationsFor, type Regulation, type RequestType } from '../../src/core/contract/privacy.js'

export interface PrivacySettings {
  codeTtlSeconds: number
  maxAttempts: number
  erasureGraceDays: number
  /** received → in_progress. */
  startAfterMs: number
  /** in_progress → completed (or, for an erasure, → awaiting_grace_period). */
  workMs: number
  /** A request whose identity is not verified by then expires. */
  unverifiedExpiryDays: number
  /** How long export files stay downloadable after completion. */
  exportTtlDays: number
  /** Roughly how large activity.json is in an export, so tests can ask for a multi-megabyte archive. */
  exportPaddingBytes: number
  /** The most items one batch submission may carry; discovery reports it as max_batch_size. */
  maxBatchSize: number
}

export const DEFAULT_PRIVACY_SETTINGS: PrivacySettings = {
  codeTtlSeconds: 900,
  maxAttempts: 5,
  erasureGraceDays: 7,
  startAfterMs: 3_600_000,
  workMs: 2 * 86_400_000,
  unverifiedExpiryDays: 30,
  exportTtlDays: 7,
  exportPaddingBytes: 4096,
  maxBatchSize: 100,
}

/** For the demo and `npm run platform`: work starts a second after verification and is done two seconds later. */
export const FAST_PRIVACY_SETTINGS: Partial<PrivacySettings> = { startAfterMs: 1000, workMs: 2000 }

/** The longest extension of the response period: two further months under (UK) GDPR Art. 12(3), 45 days under the CCPA. */
export const MAX_EXTENSION_DAYS: Record<Regulation, number> = { gdpr: 60, uk_gdpr: 60, ccpa: 45 }

export function typesUnder(regulation: Regulation): RequestType[] {
  return REQUEST_TYPES.filter((type) => regulationsFor(type).includes(regulation))
}

/** `ada@example.com` → `a***@example.com`: enough to recognise the address, not enough to harvest it. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@')
  return `${email.slice(0, 1)}***${email.slice(at)}`
}

/**
 * One calendar month on, the way Regulation 1182/71 counts GDPR periods: the same day of the next month, or its last
 * day when that month is shorter (31 January → 28 or 29 February).
 */
export function addCalendarMonths(ms: number, months: number): number {
  const date = new Date(ms)
  const year = date.getUTCFullYear()
  const month = date.getUTCMonth() + months
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate()
  return Date.UTC(year, month, Math.min(date.getUTCDate(), lastDay), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), date.getUTCMilliseconds())
}
