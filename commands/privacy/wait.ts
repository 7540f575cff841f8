import { Args, Flags } from '@oclif/core'
import { PrivacyCommand } from '../../src/cli/privacy-command.js'
import { timeoutFlag } from '../../src/cli/privacy-flags.js'
import { renderWait } from '../../src/cli/render-privacy.js'
import { waitForRequests, WaitResult } from '../../src/core/privacy/wait.js'

export default class PrivacyWait extends PrivacyCommand<WaitResult> {
  static override get resultSchema() { return WaitResult }
  static override summary = 'Wait until privacy requests are final: exit 0 when all completed.'
  static override description =
    'Polls with backoff and shows progress on stderr: each request while there are a few, counts by state for more. ' +
    'Thousands of requests cost a few list calls per poll (100 requests a call, then only what changed), not one call each. ' +
    'With --from, the ids come from a file or stdin: one id a line, or the report of `privacy submit` (--report FILE or ' +
    'its --json output), whose accepted rows are followed by id and duplicate rows by the request they duplicate; other ' +
    'rows are skipped, and stderr says how many. ' +
    'Exit 1 when any ended otherwise (denied, canceled, failed, expired); exit 5 when an id is not found; exit 8 when ' +
    'the timeout ran out or one waits for its verification code.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> 5b0f6c1e-8a47-4c1a-9e55-0c5f2a1d9b7e',
    '<%= config.bin %> <%= command.id %> 5b0f6c1e-8a47-4c1a-9e55-0c5f2a1d9b7e 0d2c9f4e-6b1a-4f3e-8c7d-2a9b5e1f0c3d --timeout 1h --json',
    '<%= config.bin %> privacy submit --file people.csv --attest-method government_id --attested-by dpo@example.com --report report.ndjson\n<%= config.bin %> <%= command.id %> --from report.ndjson --timeout 2h',
    'cat ids.txt | <%= config.bin %> <%= command.id %> --from - --json',
  ]
  static override strict = false
  static override args = {
    // Piped input is read only through --from -, which says how to read it; never taken as an id by itself.
    id: Args.string({ description: 'privacy request id (a UUID, as shown when it was created); more may follow', required: false, ignoreStdin: true }),
  }
  static override flags = {
    from: Flags.string({
      summary: 'Also wait for the ids in this file (- for stdin): one a line, or a privacy submit report.',
      helpValue: '<file|->',
    }),
    timeout: timeoutFlag,
  }

  async run(): Promise<WaitResult> {
    const { argv, flags } = await this.parse(PrivacyWait)
    const ids = await this.idsToWait(argv as string[], flags.from)
    const result = await waitForRequests(ids, { timeoutMs: flags.timeout, onPoll: (requests) => this.progress(requests) }, this.deps).finally(() =>
      this.io.endStatus(),
    )
    this.log(renderWait(result, this.colors, this.deps.clock.now()))
    this.exitForWait(result)
    return result
  }
}
