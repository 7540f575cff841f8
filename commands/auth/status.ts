import { Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { renderAuthStatus } from '../../src/cli/render.js'
import { AuthStatus, authStatus } from '../../src/core/auth/profiles.js'
import { ExitCode } from '../../src/core/errors.js'

export default class AuthStatusCommand extends BaseCommand<AuthStatus> {
  static override get resultSchema() { return AuthStatus }
  static override summary = 'Show who you are signed in as, for every profile, and where each token comes from.'
  static override description =
    'Reads local facts only (fast, offline); --verify also asks the platform whether the active token is still accepted. Exits 4 when the active profile is not signed in or its token was rejected. Never prints a token.'
  static override aliases = ['whoami']
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --verify --json']
  static override flags = {
    verify: Flags.boolean({ summary: 'Check the active token with the platform (GET /v1/me).' }),
  }

  async run(): Promise<AuthStatus> {
    const { flags } = await this.parse(AuthStatusCommand)
    const status = await authStatus({ verify: flags.verify }, this.deps)
    this.log(renderAuthStatus(status, this.colors, this.deps.clock.now()))
    const active = status.profiles.find((p) => p.active)
    if (!active?.signed_in || active.verified === false) this.exitAfterOutput(ExitCode.notSignedIn)
    return status
  }
}
