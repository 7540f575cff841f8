// The organisation report of the local platform: one pass over the requests the filters keep, counted as the API
// shows them (so due dates and days left are the engine's own), at the platform's time.
import type { z } from 'zod'
import {
  REGULATIONS,
  REQUEST_STATES,
  REQUEST_TYPES,
  type PrivacyReport,
  type PrivacyReportQuery,
  type PrivacyRequest,
} from '../../src/core/contract/privacy.js'
import { runningDueMs } from './privacy-filter.js'

const DAY_MS = 86_400_000
const WEEK_MS = 7 * DAY_MS

export type ReportQuery = z.output<typeof PrivacyReportQuery>

export function privacyReport(requests: Iterable<PrivacyRequest>, query: ReportQuery, nowMs: number): PrivacyReport {
  const report = emptyReport(query, nowMs)
  const dayOf = calendarDay(query.time_zone)
  const upcoming = new Map(report.upcoming.map((entry) => [entry.date, entry]))
  const answerTimes: { id: string; ms: number }[] = []
  for (const request of requests) {
    report.total += 1
    report.by_status[request.status] += 1
    report.by_type[request.type] += 1
    report.by_regulation[request.regulation] += 1
    const answered = answerTime(request)
    if (answered) answerTimes.push(answered)
    const due = runningDueMs(request)
    if (due === undefined) continue
    report.running += 1
    if (due < nowMs) {
      report.overdue += 1
      continue
    }
    if (due - nowMs <= WEEK_MS) report.due_this_week += 1
    if (due - nowMs <= query.due_soon_seconds * 1000) report.due_soon.count += 1
    const day = upcoming.get(dayOf(due))
    if (day) day.count += 1
  }
  report.time_to_answer = timeToAnswer(answerTimes)
  return report
}

function emptyReport(query: ReportQuery, nowMs: number): PrivacyReport {
  const zeros = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((value) => [value, 0])) as Record<T, number>
  const today = calendarDay(query.time_zone)(nowMs)
  return {
    as_of: new Date(nowMs).toISOString(),
    total: 0,
    by_status: zeros(REQUEST_STATES),
    by_type: zeros(REQUEST_TYPES),
    by_regulation: zeros(REGULATIONS),
    running: 0,
    overdue: 0,
    due_this_week: 0,
    due_soon: { within_seconds: query.due_soon_seconds, count: 0 },
    time_to_answer: { answered: 0, median_seconds: null, worst_seconds: null, worst_request_id: null },
    upcoming: Array.from({ length: query.days }, (_, k) => ({ date: addDays(today, k), count: 0 })),
    time_zone: query.time_zone,
  }
}

/** From receipt to the answer: completion, or the denial (its last change). Only requests answered after receipt. */
function answerTime(request: PrivacyRequest): { id: string; ms: number } | undefined {
  if (request.received_at === null) return undefined
  const answeredAt = request.status === 'completed' ? request.completed_at : request.status === 'denied' ? request.updated_at : null
  if (answeredAt === null) return undefined
  return { id: request.id, ms: Date.parse(answeredAt) - Date.parse(request.received_at) }
}

function timeToAnswer(times: { id: string; ms: number }[]): PrivacyReport['time_to_answer'] {
  if (times.length === 0) return { answered: 0, median_seconds: null, worst_seconds: null, worst_request_id: null }
  const sorted = [...times].sort((a, b) => a.ms - b.ms)
  const middle = sorted.length >> 1
  const medianMs = sorted.length % 2 ? (sorted[middle] as { ms: number }).ms : ((sorted[middle - 1] as { ms: number }).ms + (sorted[middle] as { ms: number }).ms) / 2
  const worst = sorted.at(-1) as { id: string; ms: number }
  return { answered: times.length, median_seconds: medianMs / 1000, worst_seconds: worst.ms / 1000, worst_request_id: worst.id }
}

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
function calendarDay(timeZone: string): (ms: number) => string {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
  return (ms) => format.format(new Date(ms))
}

/** A date `days` after a YYYY-MM-DD date: calendar arithmetic, so no daylight-saving change skips or repeats a day. */
function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10)
}
