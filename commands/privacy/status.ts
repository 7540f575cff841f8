import { BaseCommand } from '../../src/cli/base-command.js'
import { requestIdArg } from '../../src/cli/privacy-flags.js'
import { renderRequest } from '../../src/cli/render-privacy.js'
import { getRequest, RequestView } from '../../src/core/privacy/requests.js'

export default class PrivacyStatus extends BaseCommand<RequestView> {
  static override get resultSchema() { return RequestView }
  static override summary = 'Show a privacy request: its state, due date, days left and the next step.'
  static override examples = ['<%= config.bin %> <%= command.id %> 5b0f6c1e-8a47-4c1a-9e55-0c5f2a1d9b7e', '<%= config.bin %> <%= command.id %> 5b0f6c1e-8a47-4c1a-9e55-0c5f2a1d9b7e --json | jq -r .status']
  static override args = { id: requestIdArg }

  async run(): Promise<RequestView> {
    const { args } = await this.parse(PrivacyStatus)
    const request = await getRequest(args.id, this.deps)
    this.log(renderRequest(request, this.colors, this.deps.clock.now()))
    return request
  }
}
