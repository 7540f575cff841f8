import { BaseCommand } from '../../src/cli/base-command.js'
import { requestIdArg } from '../../src/cli/privacy-flags.js'
import { renderRequest } from '../../src/cli/render-privacy.js'
import { cancelRequest, RequestView } from '../../src/core/privacy/requests.js'

export default class PrivacyCancel extends BaseCommand<RequestView> {
  static override get resultSchema() { return RequestView }
  static override summary = 'Cancel a privacy request that is not final yet; an erasure until its grace period ends.'
  static override description =
    'Canceling a canceled request changes nothing. A completed, denied, failed or expired request cannot be canceled (exit 6).'
  static override examples = ['<%= config.bin %> <%= command.id %> 5b0f6c1e-8a47-4c1a-9e55-0c5f2a1d9b7e']
  static override args = { id: requestIdArg }

  async run(): Promise<RequestView> {
    const { args } = await this.parse(PrivacyCancel)
    const request = await cancelRequest(args.id, this.deps)
    this.log(renderRequest(request, this.colors, this.deps.clock.now()))
    return request
  }
}
