// Flags shared by the commands that read a credential's fields (add, lint, rotate).
import { Flags } from '@oclif/core'

/** A repeatable flag that starts empty: nothing to show as its default (oclif would print "[default: ]"). */
export const startsEmpty = { default: [] as string[], defaultHelp: async () => undefined }

export const credentialFieldFlags = {
  field: Flags.string({
    summary: 'A field: name=value, or for a secret field name=REFERENCE (keychain:SERVICE/ACCOUNT, env:NAME, file:PATH, stdin).',
    multiple: true,
    ...startsEmpty,
    helpValue: '<name=value|ref>',
  }),
  allow: Flags.string({ summary: 'Accept the risk a check reports (its rule id); recorded on the credential.', multiple: true, ...startsEmpty, helpValue: '<rule>' }),
  'allow-insecure-file': Flags.boolean({ summary: 'Accept file: references that group or others can read.' }),
}

/** `--policy FILE` (credentials add, lint): IAM policy documents linted offline with the provider's checks. */
export const policyFlags = {
  policy: Flags.string({
    summary: 'An IAM policy document (JSON) the credential carries, linted offline: permissions or trust policy (aws, aws-role, bedrock; repeatable).',
    multiple: true,
    ...startsEmpty,
    helpValue: '<file>',
  }),
}
