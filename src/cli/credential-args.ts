// The argument of the commands that act on one registered credential.
import { Args } from '@oclif/core'

export const credentialArg = Args.string({
  description: 'credential id (cred_...), or its label when only one credential has it (in the default project, else any)',
  required: true,
})
