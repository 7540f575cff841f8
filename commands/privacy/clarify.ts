import { Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { requestIdArg } from '../../src/cli/privacy-flags.js'
import { renderRequest } from '../../src/cli/render-privacy.js'
import { answerClarification, RequestView } from '../../src/core/privacy/requests.js'

export default class PrivacyClarify extends BaseCommand<RequestView> {
  static override get resultSchema() { return RequestView }
  static override summary = 'Answer the question the privacy team asked about your request.'
  static override description =
    'Where the law stops the clock while the team waits for you (UK GDPR), it starts again with your answer. No open question: exit 6.'
  static override examples = ['<%= config.bin %> <%= command.id %> 5b0f6c1e-8a47-4c1a-9e55-0c5f2a1d9b7e --message "Only the invoices of 2025."']
  static override args = { id: requestIdArg }
  static override flags = {
    message: Flags.string({ summary: 'Your answer.', required: true, helpValue: '<text>' }),
  }

  async run(): Promise<RequestView> {
    const { args, flags } = await this.parse(PrivacyClarify)
    const request = await answerClarification(args.id, flags.message, this.deps)
    this.log(renderRequest(request, this.colors, this.deps.clock.now()))
    return request
  }
}
