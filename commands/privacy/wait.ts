import { Args } from '@oclif/core'
import { PrivacyCommand } from '../../src/cli/privacy-command.js'
import { requestId, requestIdArg, timeoutFlag } from '../../src/cli/privacy-flags.js'
import { renderWait } from '../../src/cli/render-privacy.js'
import { waitForRequests, type WaitResult } from '../../src/core/privacy/wait.js'

export default class PrivacyWait extends PrivacyCommand<WaitResult> {
  static override summary = 'Wait until privacy requests are final: exit 0 when all completed.'
  static override description =
    'Polls with backoff and shows each state on stderr. Exit 1 when any ended otherwise (denied, canceled, failed, expired); exit 8 when the timeout ran out or one waits for its verification code.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> 5b0f6c1e-8a47-4c1a-9e55-0c5f2a1d9b7e',
    '<%= config.bin %> <%= command.id %> 5b0f6c1e-8a47-4c1a-9e55-0c5f2a1d9b7e 0d2c9f4e-6b1a-4f3e-8c7d-2a9b5e1f0c3d --timeout 1h --json',
  ]
  static override strict = false
  static override args = { id: requestIdArg, more: Args.string({ description: 'more request ids', required: false }) }
  static override flags = { timeout: timeoutFlag }

  async run(): Promise<WaitResult> {
    const { argv, flags } = await this.parse(PrivacyWait)
    const ids = [...new Set((argv as string[]).map(requestId))]
    const result = await waitForRequests(ids, { timeoutMs: flags.timeout, onPoll: (requests) => this.progress(requests) }, this.deps)
    this.endProgress()
    this.log(renderWait(result, this.colors))
    this.exitForWait(result)
    return result
  }
}
