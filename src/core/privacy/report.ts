// The organisation's privacy requests in numbers, and the checks that make them a CI gate (`--fail-if overdue`).
// The platform computes the numbers in one call (GET /v1/privacy/report): paging through tens of thousands of bulk
// requests to count them here would cost hundreds of calls and minutes, and judge deadlines on this machine's clock.
import { z } from 'zod'
import { endpoints, PrivacyReport } from '../contract/index.js'
import { parseDuration } from '../duration.js'
import { UsageError } from '../errors.js'
import type { Deps } from '../ports.js'
import { type EnumFilters, enumFilterQuery, withAdminScopeHint } from './requests.js'

/** What `--fail-if` can check: a deadline already missed, or one due within a window (overdue ones included). */
export type FailCondition = { kind: 'overdue' } | { kind: 'due-within'; ms: number; text: string }

export const ReportCheck = z.object({
  condition: z.string().describe('As given to --fail-if: overdue, or due-within=DURATION.'),
  count: z.number().int().min(0).describe('Requests that meet it.'),
  failed: z.boolean().describe('True when count is above zero; the exit code is then 12.'),
})
export type ReportCheck = z.infer<typeof ReportCheck>

export const OrganisationReport = PrivacyReport.extend({
  checks: z.array(ReportCheck).describe('One per --fail-if, in the order given; empty without it.'),
})
export type OrganisationReport = z.infer<typeof OrganisationReport>

const DEFAULT_DUE_SOON_MS = 7 * 86_400_000

/** `overdue` or `due-within=2d`; a usage error names what is accepted. */
export function parseFailIf(value: string): FailCondition {
  if (value === 'overdue') return { kind: 'overdue' }
  const window = /^due-within=(.+)$/.exec(value)?.[1]
  const ms = window === undefined ? undefined : parseDuration(window)
  if (window !== undefined && ms !== undefined) return { kind: 'due-within', ms, text: value }
  throw new UsageError(`--fail-if ${value} is not a check.`, { hint: 'Use --fail-if overdue, or --fail-if due-within=2d (any duration: 36h, 5d).' })
}

export interface ReportInput {
  filters: EnumFilters & { batchId?: string | undefined }
  /** Calendar days of upcoming due dates, today first. */
  days: number
  /** The IANA zone whose days those are. */
  timeZone: string
  checks: FailCondition[]
}

export async function organisationReport(input: ReportInput, deps: Pick<Deps, 'api'>): Promise<OrganisationReport> {
  const windows = input.checks.filter((check) => check.kind === 'due-within')
  if (windows.length > 1) throw new UsageError('Give --fail-if due-within=… once.', { hint: 'The shortest window you care about is enough: overdue ones count in it too.' })
  const dueSoonMs = windows[0]?.ms ?? DEFAULT_DUE_SOON_MS
  const query: Record<string, string | number> = { days: input.days, time_zone: input.timeZone, due_soon_seconds: Math.ceil(dueSoonMs / 1000) }
  Object.assign(query, enumFilterQuery(input.filters))
  if (input.filters.batchId !== undefined) query.batch_id = input.filters.batchId
  const report = await deps.api.call(endpoints.privacyReport, { query }).catch((error: unknown) => {
    throw withAdminScopeHint(error)
  })
  return { ...report, checks: input.checks.map((check) => judge(check, report)) }
}

function judge(check: FailCondition, report: PrivacyReport): ReportCheck {
  const count = check.kind === 'overdue' ? report.overdue : report.overdue + report.due_soon.count
  return { condition: check.kind === 'overdue' ? 'overdue' : check.text, count, failed: count > 0 }
}
