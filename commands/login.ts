import { Flags } from '@oclif/core'
import { BaseCommand } from '../src/cli/base-command.js'
import { readCiIdToken } from '../src/cli/ci-token.js'
import { renderBrowserStep, renderDeviceStep, renderSignIn } from '../src/cli/render.js'
import { DEFAULT_CI_AUDIENCE, jobIdToken } from '../src/core/auth/ci-identity.js'
import { LoginOutput, type SignIn, exchangeCiToken, loginWithBrowser, loginWithDevice, loginWithToken } from '../src/core/auth/login.js'
import { browserUnavailable, chooseSignIn } from '../src/core/auth/sign-in-choice.js'
import { readSecretInput } from '../src/core/credentials/secret-ref.js'
import { UsageError } from '../src/core/errors.js'

export default class Login extends BaseCommand<SignIn> {
  static override get resultSchema() { return LoginOutput }
  static override summary = 'Sign in: through the browser, with a device code, with a token on stdin, or with a CI system’s OIDC token.'
  static override description = `By default, opens the platform's sign-in page in your browser ($BROWSER when set, else the system's opener); password, SSO and MFA happen there, and the browser comes back to a listener on 127.0.0.1 (OAuth 2.0 authorization code with PKCE, RFC 8252). Nothing is typed. The token goes to the OS keychain; the profile keeps only who you are, how you signed in and where the token lives.

Where no browser can open here (an SSH session, no display, --no-browser), or with --device, shows a one-time code to enter on the platform's page from any device instead (OAuth 2.0 device flow), and says why. With the browser on another machine (remote desktop), --remote prints the page's address and asks you to paste back the address the browser ends on.

In CI: --ci exchanges the job's OIDC ID token for a short-lived token (GitHub Actions: requested by clowdops, with \`permissions: id-token: write\`; GitLab CI: the CLOWDOPS_ID_TOKEN variable declared under \`id_tokens:\`). Elsewhere name the variable holding it with --oidc-token-env, or pipe a personal access token to --with-token. Nothing is stored; --print hands the short-lived token to later steps. When the platform refuses the token, clowdops auth ci-check says which claim does not match and what to change.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --device',
    '<%= config.bin %> <%= command.id %> --remote',
    '<%= config.bin %> <%= command.id %> --api-url https://clowd.acme.example',
    'echo "$CLOWDOPS_PAT" | <%= config.bin %> <%= command.id %> --with-token',
    'export CLOWDOPS_TOKEN=$(<%= config.bin %> <%= command.id %> --ci --print)',
    'export CLOWDOPS_TOKEN=$(<%= config.bin %> <%= command.id %> --oidc-token-env ACTIONS_ID_TOKEN --print)',
  ]
  static override flags = {
    'with-token': Flags.boolean({ summary: 'Read a personal access token from stdin (a hidden prompt on a terminal).' }),
    browser: Flags.boolean({ summary: 'Sign in through a browser on this machine (--no-browser: with a device code instead).', default: true, allowNo: true }),
    device: Flags.boolean({ summary: 'Sign in with a one-time code entered on the platform’s page, from any device.', exclusive: ['remote', 'with-token'] }),
    remote: Flags.boolean({ summary: 'The browser is on another machine: print the sign-in address, then paste back where it ended.', exclusive: ['with-token'] }),
    scopes: Flags.string({ summary: 'Scopes to ask for, comma-separated (default: all the CLI uses).', helpValue: '<a,b>' }),
    'insecure-storage': Flags.boolean({ summary: 'Keep the token in a 0600 file instead of the OS keychain (warned about once a day).' }),
    ci: Flags.boolean({ summary: 'Exchange the job’s OIDC ID token, found as GitHub Actions or GitLab CI offers it.', exclusive: ['with-token', 'oidc-token-env', 'oidc-token-file'] }),
    audience: Flags.string({ summary: `With --ci in GitHub Actions: the audience to request the ID token for (default ${DEFAULT_CI_AUDIENCE}).`, helpValue: '<aud>', dependsOn: ['ci'] }),
    'oidc-token-env': Flags.string({ summary: 'Name of the environment variable holding the CI OIDC ID token to exchange.', helpValue: '<NAME>', exclusive: ['with-token', 'oidc-token-file'] }),
    'oidc-token-file': Flags.string({ summary: 'File holding the CI OIDC ID token to exchange.', helpValue: '<path>', exclusive: ['with-token'] }),
    print: Flags.boolean({ summary: 'With --ci or --oidc-token-*: print the exchanged token on stdout for later steps.' }),
  }
  protected static override profileFromApiUrl = true

  async run(): Promise<SignIn> {
    const { flags } = await this.parse(Login)
    const scopes = flags.scopes?.split(',').map((s) => s.trim()).filter(Boolean)
    const storage = { insecureStorage: flags['insecure-storage'] }

    if (flags.ci || flags['oidc-token-env'] || flags['oidc-token-file']) {
      if (flags.print && this.jsonEnabled()) throw new UsageError('--print and --json both want stdout: pick one.')
      const idToken = flags.ci
        ? (await jobIdToken({ audience: flags.audience ?? DEFAULT_CI_AUDIENCE }, this.deps)).token
        : readCiIdToken({ env: flags['oidc-token-env'], file: flags['oidc-token-file'] })
      const { signIn, token } = await exchangeCiToken({ idToken, scopes }, this.deps)
      if (flags.print) this.io.out.write(`${token.reveal()}\n`)
      else this.note(`Signed in as ${signIn.account} for this command only; nothing was stored. Add --print to pass the token on.`)
      return signIn
    }
    if (flags.print) throw new UsageError('--print goes with --ci, --oidc-token-env or --oidc-token-file.')

    const signIn = flags['with-token']
      ? await loginWithToken(
          {
            ...storage,
            readToken: () =>
              readSecretInput(this.deps.sources.input, {
                prompt: 'Personal access token',
                hint: 'Pipe it in: echo "$CLOWDOPS_PAT" | clowdops login --with-token',
              }),
          },
          this.deps,
        )
      : await this.personSignIn(scopes, flags, storage)
    this.log(renderSignIn(signIn, this.colors))
    return signIn
  }

  private async personSignIn(
    scopes: string[] | undefined,
    flags: { device: boolean; remote: boolean; browser: boolean },
    storage: { insecureStorage: boolean },
  ) {
    // A pipeline must never wait on a person: without a terminal, only --json (a wrapper shows the step) may go on.
    if (!this.deps.prompter && !this.jsonEnabled()) {
      throw new UsageError('No terminal to sign in from.', {
        hint: 'In CI, use clowdops login --ci (GitHub Actions, GitLab CI), --oidc-token-env NAME, pipe a token to --with-token, or set CLOWDOPS_TOKEN.',
      })
    }
    const choice = chooseSignIn(flags, this.deps.env, this.deps.runtime.platform)
    if (choice.way === 'device') {
      if (choice.reason) this.io.err.write(`Signing in with a device code: ${choice.reason}. (clowdops login --remote uses a browser elsewhere.)\n`)
      // As before: --device on a desktop still opens the page the code goes into; where no browser opens, it is not tried.
      const openPage = !choice.reason && !browserUnavailable(this.deps.env, this.deps.runtime.platform) && this.io.out.isTTY
      return this.deviceSignIn(scopes, storage, openPage)
    }
    const remote = choice.way === 'remote'
    return loginWithBrowser(
      {
        ...storage,
        ...(scopes ? { scopes } : {}),
        remote,
        onStep: (step) => {
          if (this.jsonEnabled()) this.io.out.write(`${JSON.stringify(step)}\n`)
          else this.io.err.write(`${renderBrowserStep(step, remote, this.colors)}\n`)
          // The address carries no secret (the PKCE verifier never leaves this process), so it may go in argv.
          if (!remote) this.deps.browser.open(step.authorization_url)
        },
      },
      this.deps,
    )
  }

  private async deviceSignIn(scopes: string[] | undefined, storage: { insecureStorage: boolean }, openPage: boolean) {
    return loginWithDevice(
      {
        ...storage,
        ...(scopes ? { scopes } : {}),
        onStep: (step) => {
          // One line, before the result: a wrapper reads it, shows the code elsewhere, then reads the result.
          if (this.jsonEnabled()) return void this.io.out.write(`${JSON.stringify(step)}\n`)
          this.io.err.write(`${renderDeviceStep(step, this.colors)}\n`)
          if (openPage) this.deps.browser.open(step.verification_uri_complete ?? step.verification_uri)
        },
      },
      this.deps,
    )
  }
}
