import { Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { limitOf, listFlags } from '../../src/cli/list-flags.js'
import { dueWithinFlag, enumFilterFlags } from '../../src/cli/privacy-flags.js'
import { renderRequests } from '../../src/cli/render-privacy.js'
import { PRIVACY_ADMIN_SCOPE, REQUEST_ENUM_FILTER_KEYS } from '../../src/core/contract/index.js'
import { parseDuration } from '../../src/core/duration.js'
import { UsageError } from '../../src/core/errors.js'
import { listRequests, type ListFilters, type RequestView, RequestViewList } from '../../src/core/privacy/requests.js'

export default class PrivacyList extends BaseCommand<RequestView[]> {
  static override get resultSchema() { return RequestViewList }
  static override summary = 'List your privacy requests, newest first; with --org, every request of the organisation.'
  static override description =
    'Without --org: the requests about your own account. With --org: every request of the organisation, those made in ' +
    `bulk for other people included, with whom each is about (email masked; --json has it whole) and its batch. --org ` +
    `needs the ${PRIVACY_ADMIN_SCOPE} scope (exit 4 without it). Every filter is applied by the platform, so --limit ` +
    'counts matching requests.'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --status received --status in_progress',
    '<%= config.bin %> <%= command.id %> --type erasure --since 7d --json',
    '<%= config.bin %> <%= command.id %> --org --overdue',
    '<%= config.bin %> <%= command.id %> --org --due-within 5d --regulation ccpa',
    '<%= config.bin %> <%= command.id %> --org --batch offboarding-2026-11 --status denied --all --json',
  ]
  static override flags = {
    org: Flags.boolean({
      summary: `Every request of the organisation, not only yours (needs the ${PRIVACY_ADMIN_SCOPE} scope).`,
    }),
    ...enumFilterFlags(),
    batch: Flags.string({ summary: 'Only requests of this batch submission (its batch id).', helpValue: '<batch-id>', dependsOn: ['org'] }),
    subject: Flags.string({
      summary: 'Only requests about this person: an email address or an account id (usr_...).',
      helpValue: '<email|account-id>',
      dependsOn: ['org'],
    }),
    'due-within': dueWithinFlag,
    overdue: Flags.boolean({ summary: 'Only requests past their due date whose response period is still running.' }),
    since: Flags.string({ summary: 'Only requests changed since: a time (2026-11-01T00:00:00Z) or an age (7d, 12h).', helpValue: '<time|age>' }),
    ...listFlags('requests', 50),
  }

  async run(): Promise<RequestView[]> {
    const { flags } = await this.parse(PrivacyList)
    const filters: ListFilters = {
      view: flags.org ? 'organisation' : 'own',
      batchId: flags.batch,
      subject: flags.subject,
      dueWithinMs: flags['due-within'],
      overdue: flags.overdue || undefined,
      since: flags.since === undefined ? undefined : this.sinceDate(flags.since),
      limit: limitOf(flags),
    }
    for (const key of REQUEST_ENUM_FILTER_KEYS) filters[key] = flags[key]
    const listed = await listRequests(filters, this.deps)
    this.log(renderRequests(listed.items, this.colors, this.deps.clock.now(), { organisation: flags.org === true }))
    this.noteMore(listed, 'requests')
    return listed.items
  }

  private sinceDate(value: string): Date {
    const age = parseDuration(value)
    if (age !== undefined) return new Date(this.deps.clock.now().getTime() - age)
    const date = new Date(value)
    if (Number.isNaN(date.getTime())) throw new UsageError(`--since ${value} is neither a time nor an age.`, { hint: 'Use e.g. 2026-11-01T00:00:00Z or 7d.' })
    return date
  }
}
