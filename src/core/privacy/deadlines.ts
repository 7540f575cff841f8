// Deadlines of privacy requests, from the law table: periods counted in calendar days, business days or months.
import { lawOf, type LawPeriod, type Regulation } from '../contract/privacy-laws.js'
import type { RequestType } from '../contract/privacy.js'

const DAY_MS = 86_400_000

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

/**
 * `count` business days on: each step moves a day and skips Saturday and Sunday (UTC). Public holidays are not
 * skipped: a deadline may come a day or two early, never late.
 */
export function addBusinessDays(ms: number, count: number): number {
  let at = ms
  for (let left = count; left > 0; ) {
    at += DAY_MS
    const weekday = new Date(at).getUTCDay()
    if (weekday !== 0 && weekday !== 6) left -= 1
  }
  return at
}

export function addPeriod(ms: number, period: LawPeriod): number {
  switch (period.unit) {
    case 'days':
      return ms + period.amount * DAY_MS
    case 'business_days':
      return addBusinessDays(ms, period.amount)
    case 'months':
      return addCalendarMonths(ms, period.amount)
  }
}

/** The time a law gives to answer this type of request (California opt-outs are faster than its other rights). */
export function responsePeriod(regulation: Regulation, type: RequestType): LawPeriod {
  const law = lawOf(regulation)
  return law.faster?.types.includes(type) ? law.faster.response : law.response
}

/** The legal deadline of a request received at `startMs`, before any extension or pause. */
export function legalDueAt(regulation: Regulation, type: RequestType, startMs: number): number {
  return addPeriod(startMs, responsePeriod(regulation, type))
}

/** ISO 8601 duration of a period (business days have none: they are shown as days, with the unit said beside). */
export function isoDuration(period: LawPeriod): string {
  return period.unit === 'months' ? `P${period.amount}M` : `P${period.amount}D`
}

/** `one month`, `45 days`, `15 business days`. */
export function periodText(period: LawPeriod): string {
  const unit = period.unit === 'months' ? 'month' : period.unit === 'business_days' ? 'business day' : 'day'
  return `${period.amount} ${unit}${period.amount === 1 ? '' : 's'}`
}

/**
 * The one rule for a receipt time typed by a person (a flag or a bulk column): a date or a date-time with an offset,
 * not later than `nowMs`, not before the law took effect. The problem is worded to follow the field's name.
 */
export function checkReceivedAt(value: string, regulation: Regulation, nowMs: number | undefined): { iso: string } | { problem: string } {
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(text) ? Date.parse(text) : Number.NaN
  if (Number.isNaN(ms)) return { problem: `${quoted(value)} is not a date (2026-11-30) or a date and time with an offset (2026-11-30T09:15:00Z)` }
  const law = lawOf(regulation)
  if (nowMs !== undefined && ms > nowMs) return { problem: `${quoted(value)} is in the future` }
  if (ms < Date.parse(`${law.effective}T00:00:00Z`)) return { problem: `${quoted(value)} is before ${law.name} took effect (${law.effective})` }
  return { iso: new Date(ms).toISOString() }
}

function quoted(value: string): string {
  return JSON.stringify(value.length <= 60 ? value : `${value.slice(0, 60)}…`)
}
