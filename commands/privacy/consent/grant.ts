import { ConsentCommand } from '../../../src/cli/consent-command.js'

export default class PrivacyConsentGrant extends ConsentCommand {
  static override summary = 'Grant consent for a purpose: analytics or marketing cookies, marketing email.'
  static override description = 'Recorded with the time you chose and method cli; a newer choice made elsewhere is never overwritten (reported as not applied).'
  static override examples = ['<%= config.bin %> <%= command.id %> marketing_email', '<%= config.bin %> <%= command.id %> cookies_analytics --json']
  protected readonly state = 'granted'
}
