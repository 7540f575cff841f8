import { Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { requestIdArg } from '../../src/cli/privacy-flags.js'
import { renderRequest } from '../../src/cli/render-privacy.js'
import { complainAbout, RequestView } from '../../src/core/privacy/requests.js'

export default class PrivacyComplain extends BaseCommand<RequestView> {
  static override get resultSchema() { return RequestView }
  static override summary = 'Complain about the handling of a privacy request, where its law provides it (UK, from 19 June 2026).'
  static override description = [
    'The complaint is recorded and acknowledged at once (Data Protection Act 2018 s.164A), linked to the request (regarding), and answered like a request; it shows in `privacy status` and `privacy list`.',
    'Under a law with no complaint to the organisation: exit 6 (complain to the regulator instead).',
  ].join('\n\n')
  static override examples = ['<%= config.bin %> <%= command.id %> 5b0f6c1e-8a47-4c1a-9e55-0c5f2a1d9b7e --message "Nobody answered my question for three weeks."']
  static override args = { id: requestIdArg }
  static override flags = {
    message: Flags.string({ summary: 'What was wrong with the handling.', required: true, helpValue: '<text>' }),
  }

  async run(): Promise<RequestView> {
    const { args, flags } = await this.parse(PrivacyComplain)
    const complaint = await complainAbout(args.id, flags.message, this.deps)
    this.log(renderRequest(complaint, this.colors, this.deps.clock.now()))
    return complaint
  }
}
