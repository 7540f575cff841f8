import { Flags } from '@oclif/core'
import { PrivacyCommand } from '../../src/cli/privacy-command.js'
import { requestIdArg } from '../../src/cli/privacy-flags.js'
import { renderDownloaded } from '../../src/cli/render-privacy.js'
import { DownloadedExport } from '../../src/core/privacy/exports.js'

export default class PrivacyDownload extends PrivacyCommand<DownloadedExport> {
  static override get resultSchema() { return DownloadedExport }
  static override summary = 'Download the archive of a completed export, resumable and checked against its SHA-256.'
  static override description =
    'The bytes go to a partial file beside the destination; an interrupted download continues where it stopped (in this run, or the next one). Only a file whose size and SHA-256 match the manifest is renamed into place; a mismatch deletes the partial file and exits 1.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> 5b0f6c1e-8a47-4c1a-9e55-0c5f2a1d9b7e',
    '<%= config.bin %> <%= command.id %> 5b0f6c1e-8a47-4c1a-9e55-0c5f2a1d9b7e --output export.zip --json',
  ]
  static override args = { id: requestIdArg }
  static override flags = {
    output: Flags.string({ char: 'o', summary: 'A file, or a directory (default: the working directory).', helpValue: '<path>' }),
    force: Flags.boolean({ summary: 'Replace a file at the destination that holds something else.' }),
  }

  async run(): Promise<DownloadedExport> {
    const { args, flags } = await this.parse(PrivacyDownload)
    const downloaded = await this.download(args.id, await this.outputTarget(flags.output), flags.force)
    this.log(renderDownloaded(downloaded, this.colors))
    return downloaded
  }
}
