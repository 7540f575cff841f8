import { Args } from '@oclif/core'
import { BaseCommand } from '../../../src/cli/base-command.js'
import { limitOf, listFlags } from '../../../src/cli/list-flags.js'
import { renderConsentHistory } from '../../../src/cli/render-privacy.js'
import { CONSENT_PURPOSES, type ConsentPurpose } from '../../../src/core/contract/index.js'
import { ConsentHistory, consentHistory } from '../../../src/core/privacy/consent.js'

export default class PrivacyConsentHistory extends BaseCommand<ConsentHistory> {
  static override get resultSchema() { return ConsentHistory }
  static override summary = 'Every grant and withdrawal recorded for a purpose, newest first, with how and when it was made.'
  static override examples = ['<%= config.bin %> <%= command.id %> marketing_email']
  static override args = { purpose: Args.string({ description: 'the purpose', required: true, options: [...CONSENT_PURPOSES] }) }
  static override flags = listFlags('entries', 50)

  async run(): Promise<ConsentHistory> {
    const { args, flags } = await this.parse(PrivacyConsentHistory)
    const listed = await consentHistory(args.purpose as ConsentPurpose, limitOf(flags), this.deps)
    this.log(renderConsentHistory(listed.items, this.colors, this.deps.clock.now()))
    this.noteMore(listed, 'entries')
    return listed.items
  }
}
