// What the privacy commands share: asking for a verification code, a progress line, where downloads go, wait's exit code.
import { join, resolve } from 'node:path'
import type { ExportFile } from '../core/contract/index.js'
import type { OutputTarget } from '../core/ports.js'
import { ExitCode, UsageError } from '../core/errors.js'
import { downloadExport, type DownloadedExport } from '../core/privacy/exports.js'
import type { RequestView } from '../core/privacy/requests.js'
import { type AskCode, verifyIdentity } from '../core/privacy/verification.js'
import { waitForRequests, type WaitResult } from '../core/privacy/wait.js'
import { BaseCommand } from './base-command.js'
import { requestId } from './privacy-flags.js'
import { waitProgress } from './render-privacy.js'

export abstract class PrivacyCommand<Result> extends BaseCommand<Result> {
  /** Asks on the terminal, saying where the code went and why the last one failed; undefined where nobody can answer. */
  protected get askCode(): AskCode | undefined {
    const { prompter } = this.deps
    if (!prompter) return undefined
    return async (request, problem) => {
      if (problem) this.note(this.colors.yellow(problem))
      return prompter.text(`Verification code sent to ${request.verification?.sent_to ?? 'the account address'}:`)
    }
  }

  /**
   * After creating a request: verify it when a code was given (or, with `wait`, asked for on a terminal), then with
   * `wait` follow it until it is final. Without either, the printed next step says what to run.
   */
  protected async follow(
    request: RequestView,
    options: { code?: string | undefined; wait: boolean; timeoutMs: number },
  ): Promise<{ request: RequestView; wait?: WaitResult }> {
    if (options.code === undefined && !options.wait) return { request }
    const verified = await verifyIdentity({ request, code: options.code, ask: this.askCode }, this.deps)
    if (!options.wait) return { request: verified }
    const wait = await waitForRequests([verified.id], { timeoutMs: options.timeoutMs, onPoll: (r) => this.progress(r) }, this.deps).finally(() =>
      this.io.endStatus(),
    )
    return { request: wait.requests[0] ?? verified, wait }
  }

  /** Progress on stderr: one line rewritten in place on a terminal; elsewhere a line each time something changes. */
  protected progress(requests: RequestView[]): void {
    if (!this.jsonEnabled()) this.io.status(waitProgress(requests))
  }

  /**
   * The ids `privacy wait` follows: those given as arguments, then those read from --from, each once. Report rows that
   * created no request are skipped, and stderr says how many, so a short count is not a surprise.
   */
  protected async idsToWait(args: string[], from: string | undefined): Promise<string[]> {
    const ids = new Set(args.map(requestId))
    if (from !== undefined) {
      const read = await this.deps.files.readRequestIds(from)
      for (const id of read.ids) ids.add(id)
      if (read.skipped > 0) {
        this.io.err.write(`Skipped ${read.skipped} report row${read.skipped === 1 ? '' : 's'} that created no request (rejected, invalid, failed, or a duplicate within the file).\n`)
      }
    }
    if (ids.size === 0) {
      throw new UsageError('No request ids to wait for.', { hint: 'Name them as arguments, or pass --from FILE (or --from - for stdin) with one id a line or a privacy submit report.' })
    }
    return [...ids]
  }

  /** --output checked before anything is requested or fetched: a file in an existing folder, or a directory. */
  protected async outputTarget(output: string | undefined): Promise<OutputTarget | undefined> {
    return output === undefined ? undefined : this.deps.files.checkOutput('--output', output, 'file-or-directory')
  }

  protected async download(id: string, output: OutputTarget | undefined, overwrite: boolean): Promise<DownloadedExport> {
    let shown = 0
    const downloaded = await downloadExport(
      {
        id,
        destinationFor: (file, count) => destinationFor(file, count, output),
        overwrite,
        onProgress: (file, received) => {
          // A few updates a second at most, and only on a terminal: a log needs no byte counter.
          const now = Date.now()
          if (!this.io.err.isTTY || this.jsonEnabled() || now - shown < 200) return
          shown = now
          const percent = file.bytes === 0 ? 100 : Math.floor((received / file.bytes) * 100)
          this.io.status(`${file.name} ${percent}% (${received}/${file.bytes} bytes)`)
        },
      },
      this.deps,
    ).finally(() => this.io.endStatus({ clear: true }))
    return downloaded
  }

  /** Completed is 0; any other final state 1; still open (timed out, or waiting for a code) 8. */
  protected exitForWait(result: WaitResult): void {
    if (result.outcome === 'ended') this.exitAfterOutput(ExitCode.failure)
    if (result.outcome === 'timed_out' || result.outcome === 'needs_verification') this.exitAfterOutput(ExitCode.pending)
  }
}

/** --output as a file (one file), as a directory, or the working directory. */
function destinationFor(file: ExportFile, count: number, output: OutputTarget | undefined): string {
  if (output === undefined) return resolve(file.name)
  return output.kind === 'directory' || count > 1 ? join(output.path, file.name) : output.path
}
