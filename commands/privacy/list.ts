import { Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { limitOf, listFlags } from '../../src/cli/list-flags.js'
import { renderRequests } from '../../src/cli/render-privacy.js'
import { REQUEST_STATES, REQUEST_TYPES } from '../../src/core/contract/index.js'
import { parseDuration } from '../../src/core/duration.js'
import { UsageError } from '../../src/core/errors.js'
import { listRequests, type RequestView, RequestViewList } from '../../src/core/privacy/requests.js'

export default class PrivacyList extends BaseCommand<RequestView[]> {
  static override get resultSchema() { return RequestViewList }
  static override summary = 'List your privacy requests, newest first.'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --status received --status in_progress',
    '<%= config.bin %> <%= command.id %> --type erasure --since 7d --json',
  ]
  static override flags = {
    status: Flags.string({ summary: 'Only requests in this state (repeatable).', options: [...REQUEST_STATES], multiple: true }),
    type: Flags.string({ summary: 'Only requests of this type (repeatable).', options: [...REQUEST_TYPES], multiple: true }),
    since: Flags.string({ summary: 'Only requests changed since: a time (2026-11-01T00:00:00Z) or an age (7d, 12h).', helpValue: '<time|age>' }),
    ...listFlags('requests', 50),
  }

  async run(): Promise<RequestView[]> {
    const { flags } = await this.parse(PrivacyList)
    const listed = await listRequests(
      {
        status: flags.status as RequestView['status'][] | undefined,
        type: flags.type as RequestView['type'][] | undefined,
        since: flags.since === undefined ? undefined : this.sinceDate(flags.since),
        limit: limitOf(flags),
      },
      this.deps,
    )
    this.log(renderRequests(listed.items, this.colors))
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
