import { Flags } from '@oclif/core'
import { renderPlan, readApplyFile } from '../../src/cli/apply-file.js'
import { BaseCommand } from '../../src/cli/base-command.js'
import { ApplyResult, applyPlan, hasChanges, prepareApply, summarize } from '../../src/core/credentials/apply.js'
import { ExitCode } from '../../src/core/errors.js'

export default class CredentialsApply extends BaseCommand<ApplyResult> {
  static override get resultSchema() { return ApplyResult }
  static override summary = 'Make the credentials of a file exist on the platform: plan, check, then apply idempotently.'
  static override description = [
    'The file lists credentials: { provider, label, project, sandboxes, fields, allow }, secret fields as keychain:, env: or file: references.',
    'Each is matched by project and label with what the platform has: create, update (a secret whose keyed fingerprint differs is rotated), attach, detach, unchanged; with --prune, credentials of those projects the file does not list are removed.',
    'Every entry passes the checks of add before anything is sent. A change to a non-secret field is refused: remove the credential and apply again.',
    'Exit 0 when applied or nothing to do, 10 when a check refuses (nothing applied), 11 when some changes failed (the plan says which).',
  ].join(' ')
  static override examples = [
    '<%= config.bin %> <%= command.id %> -f credentials.yaml --dry-run',
    '<%= config.bin %> <%= command.id %> -f credentials.yaml --prune --json',
  ]
  static override flags = {
    file: Flags.string({ char: 'f', summary: 'The credentials file (YAML or JSON).', required: true, helpValue: '<file>' }),
    'dry-run': Flags.boolean({ summary: 'Print the plan and stop.' }),
    prune: Flags.boolean({ summary: 'Remove credentials of the projects in the file that the file does not list.' }),
    'allow-insecure-file': Flags.boolean({ summary: 'Accept file: references that group or others can read.' }),
  }

  async run(): Promise<ApplyResult> {
    const { flags } = await this.parse(CredentialsApply)
    const file = await readApplyFile(flags.file)
    const prepared = await prepareApply(
      { file, prune: flags.prune, allowInsecureFile: flags['allow-insecure-file'] },
      this.deps,
    )
    if (flags['dry-run'] || !hasChanges(prepared.plan)) {
      const result = { plan: prepared.plan, applied: false, summary: summarize(prepared.plan, prepared.notPruned) }
      this.log(renderPlan(result.plan, result.summary, false, this.colors))
      if (flags['dry-run'] && hasChanges(result.plan)) this.note('Dry run: nothing was applied.')
      return result
    }
    this.note(renderPlan(prepared.plan, summarize(prepared.plan, prepared.notPruned), false, this.colors))
    const plan = await applyPlan(prepared, this.deps)
    const result = { plan, applied: true, summary: summarize(plan, prepared.notPruned) }
    this.log(renderPlan(plan, result.summary, true, this.colors))
    if (result.summary.failed > 0) this.exitAfterOutput(ExitCode.partial)
    return result
  }
}
