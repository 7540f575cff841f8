import { BaseCommand } from '../../../src/cli/base-command.js'
import { renderConsents } from '../../../src/cli/render-privacy.js'
import type { Consent } from '../../../src/core/contract/index.js'
import { Consents, listConsents } from '../../../src/core/privacy/consent.js'

export default class PrivacyConsentList extends BaseCommand<Consent[]> {
  static override get resultSchema() { return Consents }
  static override summary = 'Show your consent for each non-essential purpose; essential cookies need none.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<Consent[]> {
    await this.parse(PrivacyConsentList)
    const consents = await listConsents(this.deps)
    this.log(renderConsents(consents, this.colors, this.deps.clock.now()))
    return consents
  }
}
