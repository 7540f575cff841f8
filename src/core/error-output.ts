// The shape `--json` prints on failure, for scripts and for the contract tests that parse it.
import { z } from 'zod'

export const ErrorOutput = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    hint: z.string().optional(),
    exitCode: z.number().int(),
    status: z.number().int().optional(),
    requestId: z.string().optional(),
  }),
})
export type ErrorOutput = z.infer<typeof ErrorOutput>
