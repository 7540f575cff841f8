import { BaseCommand } from '../../src/cli/base-command.js'
import { currentToken } from '../../src/core/auth/profiles.js'

export default class AuthToken extends BaseCommand<void> {
  static override summary = 'Print the active access token on stdout, refreshed first if it is about to expire.'
  static override description =
    'For piping into other tools. Its output is the secret itself, so it has no --json: do not run it where output is logged.'
  static override examples = ['curl -H "Authorization: Bearer $(<%= config.bin %> <%= command.id %>)" https://platform.clowdops.ai/v1/me']
  static override enableJsonFlag = false

  async run(): Promise<void> {
    await this.parse(AuthToken)
    const token = await currentToken(this.deps)
    this.io.out.write(`${token.reveal()}\n`)
  }
}
