import { Flags } from '@oclif/core'
import { PrivacyCommand } from '../../src/cli/privacy-command.js'
import { codeFlag, regulationFlag, timeoutFlag } from '../../src/cli/privacy-flags.js'
import { renderDownloaded, renderRequest } from '../../src/cli/render-privacy.js'
import { EXPORT_FORMATS, type ExportFormat, type Regulation } from '../../src/core/contract/index.js'
import { ExportResult, startExport } from '../../src/core/privacy/exports.js'

export default class PrivacyExport extends PrivacyCommand<ExportResult> {
  static override get resultSchema() { return ExportResult }
  static override summary = 'Request a copy of your data (portability), and with --wait follow it to a verified download.'
  static override description = [
    'With --wait: the verification code is asked for on a terminal (or taken from --code), the request is followed with a progress line on stderr, and the archive is downloaded, resumed if the connection drops, and checked against its SHA-256 before it appears at --output.',
    'An open export of the same kind (made by an earlier run and not finished) is followed instead of making another, so a script runs `privacy export` (the code is emailed), then `privacy export --wait --code CODE`. Without a terminal, --wait needs --code; it is refused before anything is created.',
    'Under --regulation ccpa this is a right-to-know request (ccpa_know).',
  ].join('\n\n')
  static override examples = [
    '<%= config.bin %> <%= command.id %> --wait',
    '<%= config.bin %> <%= command.id %> --format tar.gz --wait --output ~/exports/',
    '<%= config.bin %> <%= command.id %> --json   # emails the code',
    '<%= config.bin %> <%= command.id %> --wait --code 123456 --json',
  ]
  static override flags = {
    format: Flags.string({ summary: 'Archive format.', options: [...EXPORT_FORMATS], default: 'zip' }),
    regulation: regulationFlag,
    wait: Flags.boolean({ summary: 'Verify, wait until completed, then download.' }),
    code: codeFlag,
    output: Flags.string({ char: 'o', summary: 'Where the archive goes: a file, or a directory (default: the working directory).', helpValue: '<path>' }),
    force: Flags.boolean({ summary: 'Replace a file at --output that holds something else.' }),
    timeout: timeoutFlag,
  }

  async run(): Promise<ExportResult> {
    const { flags } = await this.parse(PrivacyExport)
    const output = await this.outputTarget(flags.output)
    const created = await startExport(
      {
        regulation: flags.regulation as Regulation | undefined,
        format: flags.format as ExportFormat,
        wait: flags.wait,
        code: flags.code,
        canAsk: this.deps.prompter !== undefined,
      },
      this.deps,
    )
    if (created.replayed) this.note(`Following export request ${created.request.id}, made by an earlier run; no new request was made.`)
    const followed = await this.follow(created.request, { code: flags.code, wait: flags.wait, timeoutMs: flags.timeout })
    this.log(renderRequest(followed.request, this.colors, this.deps.clock.now()))
    const result: ExportResult = { ...created, request: followed.request, ...(followed.wait ? { wait: followed.wait } : {}) }
    if (!followed.wait) return result
    if (followed.wait.outcome !== 'completed') {
      this.exitForWait(followed.wait)
      return result
    }
    result.download = await this.download(followed.request.id, output, flags.force)
    this.log(renderDownloaded(result.download, this.colors))
    return result
  }
}
