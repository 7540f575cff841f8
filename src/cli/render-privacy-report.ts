// The organisation report for people: the counts in a few lines, and the upcoming due dates as a bar chart that fits
// the terminal (plain # bars without colour, so it reads the same in a CI log).
import type { ChalkInstance } from 'chalk'
import { lawOf, REGULATIONS, REQUEST_STATES, REQUEST_TYPES } from '../core/contract/index.js'
import type { OrganisationReport, ReportCheck } from '../core/privacy/report.js'
import { localTime } from '../core/time-text.js'
import { counted } from '../core/wording.js'

/** Where stdout is not a terminal (a pipe, a CI log), the chart is laid out for this many columns. */
export const DEFAULT_COLUMNS = 80
/** Bars longer than this read no better on a very wide terminal. */
const MAX_BAR = 60
/** Narrower than this, a bar could not tell 1 from 10. */
const MIN_BAR = 10
const LABEL_WIDTH = 'Wed 2026-12-02'.length

export interface ChartStyle {
  columns: number
  /** Colour on: solid coloured bars; off: # bars, for logs and screen readers that read plain text. */
  color: boolean
}

export function renderReport(report: OrganisationReport, c: ChalkInstance, style: ChartStyle): string {
  const { time_to_answer: answer } = report
  const lines = [
    c.bold(`Privacy requests of the organisation, as of ${localTime(report.as_of)}`),
    `${counted(report.total, 'request')} · ${report.running} with a deadline running · ` +
      `${report.overdue > 0 ? c.red(`${report.overdue} overdue`) : '0 overdue'} · ${report.due_this_week} due in the next 7 days`,
    '',
    row(c, 'By state', countsText(REQUEST_STATES, report.by_status)),
    row(c, 'By type', countsText(REQUEST_TYPES, report.by_type)),
    row(c, 'By law', countsText(REGULATIONS, report.by_regulation, (r) => lawOf(r).name)),
    row(
      c,
      'To answer',
      answer.median_seconds === null || answer.worst_seconds === null
        ? 'no request answered yet'
        : `median ${durationText(answer.median_seconds)} · worst ${durationText(answer.worst_seconds)}` +
            `${answer.worst_request_id ? ` (${answer.worst_request_id})` : ''} · over ${counted(answer.answered, 'answered request')}`,
    ),
    '',
    c.bold(`Due dates, next ${counted(report.upcoming.length, 'day')} (${report.time_zone}), requests with a deadline running`),
    ...dueChart(report, c, style),
  ]
  if (report.checks.length > 0) lines.push('', ...report.checks.map((check) => checkLine(check, c)))
  return lines.join('\n')
}

function row(c: ChalkInstance, label: string, text: string): string {
  return `${c.dim(label.padEnd(10))} ${text}`
}

/** `received 10 · in_progress 3`: the values that occur, in the contract's order; `none` when nothing does. */
function countsText<T extends string>(values: readonly T[], counts: Record<T, number>, name: (value: T) => string = (v) => v): string {
  const present = values.filter((value) => counts[value] > 0)
  return present.length === 0 ? 'none' : present.map((value) => `${name(value)} ${counts[value]}`).join(' · ')
}

/** Seconds as people say them: minutes, hours under two days, days (one decimal) beyond. */
export function durationText(seconds: number): string {
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`
  if (seconds < 2 * 86_400) return `${(seconds / 3600).toFixed(1)} h`
  return `${(seconds / 86_400).toFixed(1)} days`
}

/** One line per day (overdue first), bars scaled to the largest count and to the width left after label and count. */
export function dueChart(report: Pick<OrganisationReport, 'overdue' | 'upcoming'>, c: ChalkInstance, style: ChartStyle): string[] {
  const entries = [
    { label: 'overdue', count: report.overdue, tone: 'late' as const },
    ...report.upcoming.map((day, index) => ({ label: dayLabel(day.date), count: day.count, tone: index < 2 ? ('soon' as const) : ('later' as const) })),
  ]
  const largest = Math.max(0, ...entries.map((entry) => entry.count))
  const countWidth = String(largest).length
  const barWidth = Math.min(MAX_BAR, Math.max(MIN_BAR, style.columns - LABEL_WIDTH - countWidth - 3))
  return entries.map(({ label, count, tone }) => {
    const length = count === 0 ? 0 : Math.max(1, Math.round((count / largest) * barWidth))
    const bar = style.color ? paint(c, tone, '█'.repeat(length)) : '#'.repeat(length)
    return `${label.padEnd(LABEL_WIDTH)} ${String(count).padStart(countWidth)} ${bar}`.trimEnd()
  })
}

function paint(c: ChalkInstance, tone: 'late' | 'soon' | 'later', text: string): string {
  return tone === 'late' ? c.red(text) : tone === 'soon' ? c.yellow(text) : c.cyan(text)
}

/** `Wed 2026-12-02`: the weekday is what people plan a week by. */
function dayLabel(date: string): string {
  const weekday = new Date(`${date}T12:00:00Z`).toLocaleDateString('en-US', { weekday: 'short', timeZone: 'UTC' })
  return `${weekday} ${date}`
}

function checkLine(check: ReportCheck, c: ChalkInstance): string {
  const window = check.condition.split('=')[1]
  const what = window === undefined ? 'overdue' : `overdue or due within ${window}`
  if (!check.failed) return `${c.green('✓')} --fail-if ${check.condition}: no request ${what}`
  const list = window === undefined ? '--overdue' : `--due-within ${window}`
  return `${c.red('✗')} --fail-if ${check.condition}: ${counted(check.count, 'request')} ${what} (list them: clowdops privacy list --org ${list})`
}
