import { Flags } from '@oclif/core'
import { PrivacyCommand } from '../../src/cli/privacy-command.js'
import { codeFlag, regulationFlag } from '../../src/cli/privacy-flags.js'
import { renderRequest } from '../../src/cli/render-privacy.js'
import type { Regulation } from '../../src/core/contract/index.js'
import { CancelledError, RefusedError, UsageError } from '../../src/core/errors.js'
import { confirmsErasure, erasureWarning, planErasure, requestErasure } from '../../src/core/privacy/erasure.js'
import { Created } from '../../src/core/privacy/requests.js'
import { verifyIdentity } from '../../src/core/privacy/verification.js'

export default class PrivacyDelete extends PrivacyCommand<Created> {
  static override get resultSchema() { return Created }
  static override summary = 'Ask for your account to be erased, after a grace period in which you can still cancel.'
  static override description = [
    'On a terminal it explains what is lost, shows the grace period and asks you to type the account email, then asks for the verification code.',
    'Without a terminal it needs --yes and --confirm-email with the account email; pass --code to verify at once, or run `clowdops privacy verify ID` later.',
    'When the grace period has ended the account is gone: clear this machine with `clowdops logout`.',
  ].join('\n\n')
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --yes --confirm-email ada@example.com --json',
    '<%= config.bin %> <%= command.id %> --regulation ccpa --yes --confirm-email ada@example.com --code 123456',
  ]
  static override flags = {
    regulation: regulationFlag,
    yes: Flags.boolean({ summary: 'Confirm without a prompt; needs --confirm-email too.' }),
    'confirm-email': Flags.string({ summary: 'The email of the signed-in account, as a second confirmation.', helpValue: '<email>' }),
    code: codeFlag,
  }

  async run(): Promise<Created> {
    const { flags } = await this.parse(PrivacyDelete)
    const plan = await planErasure((flags.regulation as Regulation | undefined) ?? 'gdpr', this.deps)
    const typed = flags['confirm-email']
    if (typed !== undefined && flags.yes) {
      if (!confirmsErasure(typed, plan)) {
        throw new RefusedError('--confirm-email does not match the signed-in account; nothing was requested.', {
          code: 'confirmation_mismatch',
          hint: 'Check which account this profile is signed in to: clowdops auth status',
        })
      }
    } else if (this.prompter) {
      this.note(erasureWarning(plan).join('\n'))
      const answer = await this.prompter.text(`Type ${plan.account.email} to confirm erasure:`)
      if (!confirmsErasure(answer, plan)) throw new CancelledError('The email did not match; nothing was requested.')
    } else {
      throw new UsageError('Erasure cannot be undone: without a terminal it needs --yes and --confirm-email.', {
        hint: `Pass --yes --confirm-email ${plan.account.email.replace(/^[^@]*/, 'EMAIL')} with the account email, or run it on a terminal.`,
      })
    }
    const created = await requestErasure(plan, this.deps)
    const request =
      flags.code !== undefined || this.prompter
        ? await verifyIdentity({ request: created.request, code: flags.code, ask: this.askCode }, this.deps)
        : created.request
    this.log(renderRequest(request, this.colors, this.deps.clock.now()))
    this.note(`When the grace period has ended the account is gone; then clear this machine: clowdops logout --profile ${this.deps.context.profileName}`)
    return { ...created, request }
  }
}
