import { Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { enumFilterFlags } from '../../src/cli/privacy-flags.js'
import { DEFAULT_COLUMNS, renderReport } from '../../src/cli/render-privacy-report.js'
import { PRIVACY_ADMIN_SCOPE, REPORT_DEFAULT_DAYS, REQUEST_ENUM_FILTER_KEYS } from '../../src/core/contract/index.js'
import { ExitCode } from '../../src/core/errors.js'
import { type FailCondition, OrganisationReport, organisationReport, parseFailIf } from '../../src/core/privacy/report.js'
import type { EnumFilters } from '../../src/core/privacy/requests.js'
import { localTimeZone } from '../../src/core/time-text.js'

export default class PrivacyReport extends BaseCommand<OrganisationReport> {
  static override get resultSchema() { return OrganisationReport }
  static override summary = "The organisation's privacy requests in numbers: states, deadlines, time to answer, due dates ahead."
  static override description =
    'Counts by state, type and law; how many deadlines are running, overdue and due in the next 7 days; the median and ' +
    'worst time from receipt to answer (completed or denied); and a chart of the due dates of the coming days. The ' +
    `platform computes it in one call, however many requests there are. Needs the ${PRIVACY_ADMIN_SCOPE} scope (exit 4 ` +
    'without it). With --fail-if it is a CI check: the report is printed in full, then exit 12 when a check finds any ' +
    'request (overdue: a deadline missed; due-within=2d: missed or due within 2 days).'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --regulation ccpa --days 30',
    '<%= config.bin %> <%= command.id %> --fail-if overdue --fail-if due-within=2d',
    '<%= config.bin %> <%= command.id %> --batch offboarding-2026-11 --json',
  ]
  static override flags = {
    ...enumFilterFlags(),
    batch: Flags.string({ summary: 'Only requests of this batch submission (its batch id).', helpValue: '<batch-id>' }),
    days: Flags.integer({ summary: 'Days of upcoming due dates to chart, today first.', default: REPORT_DEFAULT_DAYS, min: 1, max: 90 }),
    'fail-if': Flags.string({
      summary: 'Exit 12 when a request is overdue, or overdue or due within a window (repeatable).',
      helpValue: '<overdue|due-within=DURATION>',
      multiple: true,
    }),
  }

  async run(): Promise<OrganisationReport> {
    const { flags } = await this.parse(PrivacyReport)
    const checks: FailCondition[] = (flags['fail-if'] ?? []).map(parseFailIf)
    const filters: EnumFilters & { batchId?: string | undefined } = { batchId: flags.batch }
    for (const key of REQUEST_ENUM_FILTER_KEYS) filters[key] = flags[key]
    const report = await organisationReport({ filters, days: flags.days, timeZone: localTimeZone(), checks }, this.deps)
    const style = { columns: this.io.out.columns ?? DEFAULT_COLUMNS, color: this.io.colorLevel > 0 }
    this.log(renderReport(report, this.colors, style))
    if (report.checks.some((check) => check.failed)) this.exitAfterOutput(ExitCode.checkFailed)
    return report
  }
}
