// The privacy rules the local platform applies: its timings, the regulations' periods and limits, and small pure helpers.
import { REQUEST_TYPES, regulationsFor, type Regulation, type RequestType } from '../../src/core/contract/privacy.js'

export { addCalendarMonths } from '../../src/core/privacy/deadlines.js'

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
  /** The platform's privacy policy promises an answer within this many days (or the law's deadline, if sooner). */
  promisedResponseDays: number
  /**
   * How long after a refusal an appeal may be filed where the law says only "a reasonable period" (most US state
   * laws): the platform's policy, stated in its privacy notice.
   */
  appealFilingDays: number
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
  promisedResponseDays: 30,
  appealFilingDays: 60,
}

/** For the demo and `npm run platform`: work starts a second after verification and is done two seconds later. */
export const FAST_PRIVACY_SETTINGS: Partial<PrivacySettings> = { startAfterMs: 1000, workMs: 2000 }

export function typesUnder(regulation: Regulation): RequestType[] {
  return REQUEST_TYPES.filter((type) => regulationsFor(type).includes(regulation))
}

/** `ada@example.com` → `a***@example.com`: enough to recognise the address, not enough to harvest it. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@')
  return `${email.slice(0, 1)}***${email.slice(at)}`
}
