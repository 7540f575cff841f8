import { Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { requestIdArg } from '../../src/cli/privacy-flags.js'
import { renderRequest } from '../../src/cli/render-privacy.js'
import { askClarification, RequestView } from '../../src/core/privacy/requests.js'

export default class PrivacyRequestClarification extends BaseCommand<RequestView> {
  static override get resultSchema() { return RequestView }
  static override summary = 'Privacy team: ask the person for what you need to answer their request (needs privacy:admin).'
  static override description = [
    'The person answers with `clowdops privacy clarify ID --message ...`.',
    'Where the law stops the clock meanwhile (UK GDPR Art. 12A), the deadlines move on by the time it takes; elsewhere the clock keeps running. A question already open, or a final request: exit 6.',
  ].join('\n\n')
  static override examples = ['<%= config.bin %> <%= command.id %> 5b0f6c1e-8a47-4c1a-9e55-0c5f2a1d9b7e --question "Which of your two accounts is this about?"']
  static override args = { id: requestIdArg }
  static override flags = {
    question: Flags.string({ summary: 'What you need to know.', required: true, helpValue: '<text>' }),
  }

  async run(): Promise<RequestView> {
    const { args, flags } = await this.parse(PrivacyRequestClarification)
    const request = await askClarification(args.id, flags.question, this.deps)
    this.log(renderRequest(request, this.colors, this.deps.clock.now()))
    return request
  }
}
