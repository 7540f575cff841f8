import { ConsentCommand } from '../../../src/cli/consent-command.js'

export default class PrivacyConsentWithdraw extends ConsentCommand {
  static override summary = 'Withdraw consent for a purpose: analytics or marketing cookies, marketing email.'
  static override description = 'Exactly as easy as granting: one command, no confirmation. Recorded with the time you chose and method cli.'
  static override examples = ['<%= config.bin %> <%= command.id %> marketing_email', '<%= config.bin %> <%= command.id %> cookies_marketing --json']
  protected readonly state = 'withdrawn'
}
