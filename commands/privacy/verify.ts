import { Flags } from '@oclif/core'
import { PrivacyCommand } from '../../src/cli/privacy-command.js'
import { codeFlag, requestIdArg } from '../../src/cli/privacy-flags.js'
import { renderRequest } from '../../src/cli/render-privacy.js'
import { getRequest, resendCode, RequestView } from '../../src/core/privacy/requests.js'
import { verifyIdentity } from '../../src/core/privacy/verification.js'

export default class PrivacyVerify extends PrivacyCommand<RequestView> {
  static override get resultSchema() { return RequestView }
  static override summary = 'Prove your identity for a request with the code emailed to the account; its response period starts.'
  static override description =
    'On a terminal the code is asked for (a wrong one can be typed again; an expired one is replaced). Without a terminal pass --code. --resend emails a new code.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> 5b0f6c1e-8a47-4c1a-9e55-0c5f2a1d9b7e',
    '<%= config.bin %> <%= command.id %> 5b0f6c1e-8a47-4c1a-9e55-0c5f2a1d9b7e --code 123456',
    '<%= config.bin %> <%= command.id %> 5b0f6c1e-8a47-4c1a-9e55-0c5f2a1d9b7e --resend',
  ]
  static override args = { id: requestIdArg }
  static override flags = {
    code: codeFlag,
    resend: Flags.boolean({ summary: 'Email a new code (the old one stops working) instead of verifying.', exclusive: ['code'] }),
  }

  async run(): Promise<RequestView> {
    const { args, flags } = await this.parse(PrivacyVerify)
    if (flags.resend) {
      const request = await resendCode(args.id, this.deps)
      this.note(
        `A new verification code was sent to ${request.verification?.sent_to ?? 'the account address'}; the earlier code no longer works. ` +
          `Enter it with: clowdops privacy verify ${request.id}`,
      )
      this.log(renderRequest(request, this.colors, this.deps.clock.now()))
      return request
    }
    const request = await verifyIdentity({ request: await getRequest(args.id, this.deps), code: flags.code, ask: this.askCode }, this.deps)
    this.log(renderRequest(request, this.colors, this.deps.clock.now()))
    return request
  }
}
