import { Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { readCiIdToken } from '../../src/cli/ci-token.js'
import { renderCiCheck } from '../../src/cli/render-ci-check.js'
import { CiCheck, checkCiToken } from '../../src/core/auth/ci-check.js'
import { DEFAULT_CI_AUDIENCE, jobIdToken } from '../../src/core/auth/ci-identity.js'
import { ExitCode } from '../../src/core/errors.js'

export default class AuthCiCheck extends BaseCommand<CiCheck> {
  static override get resultSchema() { return CiCheck }
  static override summary = 'Explain whether the platform would accept this CI job’s OIDC token, and which claim to fix if not.'
  static override description = `Reads the job's ID token as login --ci finds it (or from --oidc-token-env/--oidc-token-file), decodes its claims here without sending it anywhere, fetches the organisation's CI trust rules, and checks iss, aud, sub (GitHub's subject with names and with immutable ids alike), repository, ref, environment and exp against each rule. For each claim that does not match it says the change, in the workflow or in the rule, that would fix it. Exits 0 when a rule accepts the token, 4 when none does.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --audience acme-prod --json',
    '<%= config.bin %> <%= command.id %> --oidc-token-file id-token.jwt',
  ]
  static override flags = {
    audience: Flags.string({ summary: `In GitHub Actions: the audience to request the ID token for, as login --ci would (default ${DEFAULT_CI_AUDIENCE}).`, helpValue: '<aud>' }),
    'oidc-token-env': Flags.string({ summary: 'Name of the environment variable holding the ID token to check.', helpValue: '<NAME>', exclusive: ['oidc-token-file', 'audience'] }),
    'oidc-token-file': Flags.string({ summary: 'File holding the ID token to check.', helpValue: '<path>', exclusive: ['audience'] }),
  }

  async run(): Promise<CiCheck> {
    const { flags } = await this.parse(AuthCiCheck)
    const found = flags['oidc-token-env'] || flags['oidc-token-file']
      ? { source: flags['oidc-token-env'] ? ('environment' as const) : ('file' as const), token: readCiIdToken({ env: flags['oidc-token-env'], file: flags['oidc-token-file'] }) }
      : await jobIdToken({ audience: flags.audience ?? DEFAULT_CI_AUDIENCE }, this.deps).then(({ provider, token }) => ({ source: provider, token }))
    const check = await checkCiToken(found, this.deps)
    this.log(renderCiCheck(check, this.colors))
    if (!check.passes) this.exitAfterOutput(ExitCode.notSignedIn)
    return check
  }
}
