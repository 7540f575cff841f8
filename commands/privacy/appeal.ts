import { Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { requestIdArg } from '../../src/cli/privacy-flags.js'
import { renderRequest } from '../../src/cli/render-privacy.js'
import { appealRequest, RequestView } from '../../src/core/privacy/requests.js'

export default class PrivacyAppeal extends BaseCommand<RequestView> {
  static override get resultSchema() { return RequestView }
  static override summary = 'Appeal the refusal of a privacy request, where its law grants an appeal (most US state laws).'
  static override description = [
    'The appeal is a record of its own, linked to the request (regarding), with the law\'s own time to decide it (45 or 60 days); it shows in `privacy status` and `privacy list` and ends completed or denied like a request.',
    'Refused (exit 6) when the law grants no appeal (GDPR, UK GDPR, CCPA, Utah: complain to the regulator instead), the request was not denied, the time to appeal has passed, or it was already appealed.',
  ].join('\n\n')
  static override examples = ['<%= config.bin %> <%= command.id %> 5b0f6c1e-8a47-4c1a-9e55-0c5f2a1d9b7e --reason "The account is mine; I sent the ID you asked for."']
  static override args = { id: requestIdArg }
  static override flags = {
    reason: Flags.string({ summary: 'Why the refusal should be reconsidered.', required: true, helpValue: '<text>' }),
  }

  async run(): Promise<RequestView> {
    const { args, flags } = await this.parse(PrivacyAppeal)
    const appeal = await appealRequest(args.id, flags.reason, this.deps)
    this.log(renderRequest(appeal, this.colors, this.deps.clock.now()))
    return appeal
  }
}
