import { Args, Flags } from '@oclif/core'
import { PrivacyCommand } from '../../src/cli/privacy-command.js'
import { codeFlag, regulationFlag, timeoutFlag } from '../../src/cli/privacy-flags.js'
import { renderRequest } from '../../src/cli/render-privacy.js'
import { CHANNELS, EXPORT_FORMATS, PROCESSING_PURPOSES, RECTIFIABLE_FIELDS, type Channel, type Regulation } from '../../src/core/contract/index.js'
import { UsageError } from '../../src/core/errors.js'
import { checkReceivedAt } from '../../src/core/privacy/deadlines.js'
import { createRequest, requestBody, type RequestSpec } from '../../src/core/privacy/requests.js'
import { FollowedRequest } from '../../src/core/privacy/wait.js'

const TYPES = ['access', 'portability', 'rectification', 'restriction', 'objection', 'ccpa_know', 'ccpa_opt_out', 'opt_out'] as const

export default class PrivacyRequest extends PrivacyCommand<FollowedRequest> {
  static override get resultSchema() { return FollowedRequest }
  static override summary = 'Exercise a privacy right for your account: access, rectification, restriction, objection, CCPA.'
  static override description = [
    'The request gets an id here, kept on disk until the platform answers: running the same command again after a timeout or crash resends that id and cannot create a second request.',
    'A code is emailed to the account: verify with --code, on a terminal with --wait, or later with `clowdops privacy verify ID`. ccpa_opt_out needs no verification.',
    'Erasure has its own command with its own confirmation: clowdops privacy delete. An export you want downloaded: clowdops privacy export.',
  ].join('\n\n')
  static override examples = [
    '<%= config.bin %> <%= command.id %> access',
    '<%= config.bin %> <%= command.id %> rectification --set name="Ada King" --set company="Analytical Engines Ltd"',
    '<%= config.bin %> <%= command.id %> restriction --purpose analytics --purpose profiling',
    '<%= config.bin %> <%= command.id %> objection --purpose marketing --regulation uk_gdpr --wait',
    '<%= config.bin %> <%= command.id %> ccpa_opt_out --json',
    '<%= config.bin %> <%= command.id %> access --regulation us_tx --received-at 2026-11-30 --channel email',
  ]
  static override args = {
    type: Args.string({ description: 'the right to exercise', required: true, options: [...TYPES] }),
  }
  static override flags = {
    regulation: regulationFlag,
    set: Flags.string({ summary: `rectification: field=value to correct (${RECTIFIABLE_FIELDS.join(', ')}; repeatable).`, multiple: true, helpValue: '<field=value>' }),
    purpose: Flags.string({ summary: 'restriction, objection: a processing purpose (repeatable).', options: [...PROCESSING_PURPOSES], multiple: true }),
    format: Flags.string({ summary: 'access, portability, ccpa_know: archive format (default zip).', options: [...EXPORT_FORMATS] }),
    note: Flags.string({ summary: 'Free text for the privacy team.', helpValue: '<text>' }),
    'received-at': Flags.string({
      summary: 'When the request reached the organisation (needs privacy:admin); the deadline counts from then.',
      description: 'A date (2026-11-30, midnight UTC) or a date and time with an offset. Not in the future, not before the law took effect.',
      helpValue: '<date|time>',
    }),
    channel: Flags.string({ summary: 'How the request reached the organisation (needs privacy:admin).', options: [...CHANNELS] }),
    code: codeFlag,
    wait: Flags.boolean({ summary: 'Verify (asking for the code on a terminal) and wait until the request is final.' }),
    timeout: timeoutFlag,
  }

  async run(): Promise<FollowedRequest> {
    const { args, flags } = await this.parse(PrivacyRequest)
    const type = args.type as (typeof TYPES)[number]
    const spec: RequestSpec = {
      type,
      regulation: flags.regulation as Regulation | undefined,
      ...(flags.format ? { format: flags.format as RequestSpec['format'] } : {}),
      ...(flags.note ? { note: flags.note } : {}),
      ...(flags.set?.length ? { rectification: { changes: flags.set.map(parseChange) } } : {}),
      ...(flags.purpose?.length ? { processing: { purposes: flags.purpose as NonNullable<RequestSpec['processing']>['purposes'] } } : {}),
      ...(flags.channel ? { channel: flags.channel as Channel } : {}),
    }
    if (flags['received-at'] !== undefined) {
      const checked = checkReceivedAt(flags['received-at'], requestBody(spec).regulation, this.deps.clock.now().getTime())
      if ('problem' in checked) throw new UsageError(`--received-at ${checked.problem}.`, { hint: 'Give the date the request reached you, e.g. --received-at 2026-11-30.' })
      spec.received_at = checked.iso
    }
    if (type === 'rectification' && !flags.set?.length) throw new UsageError('rectification needs what to correct.', { hint: 'Pass --set field=value, e.g. --set name="Ada King".' })
    if ((type === 'restriction' || type === 'objection') && !flags.purpose?.length) {
      throw new UsageError(`${type} needs the processing it is about.`, { hint: `Pass --purpose, one of ${PROCESSING_PURPOSES.join(', ')}.` })
    }
    const created = await createRequest(spec, this.deps)
    const followed = await this.follow(created.request, { code: flags.code, wait: flags.wait, timeoutMs: flags.timeout })
    this.log(renderRequest(followed.request, this.colors, this.deps.clock.now()))
    if (followed.wait) this.exitForWait(followed.wait)
    return { ...created, request: followed.request, ...(followed.wait ? { wait: followed.wait } : {}) }
  }
}

function parseChange(pair: string): { field: (typeof RECTIFIABLE_FIELDS)[number]; value: string } {
  const at = pair.indexOf('=')
  const field = pair.slice(0, at)
  if (at < 1 || !(RECTIFIABLE_FIELDS as readonly string[]).includes(field)) {
    throw new UsageError(`--set ${pair.slice(0, 40)}: expected field=value with a field of ${RECTIFIABLE_FIELDS.join(', ')}.`)
  }
  return { field: field as (typeof RECTIFIABLE_FIELDS)[number], value: pair.slice(at + 1) }
}
