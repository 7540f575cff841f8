// Flags and arguments shared by the privacy commands.
import { Args, Flags } from '@oclif/core'
import type { OptionFlag } from '@oclif/core/interfaces'
import { REGULATIONS, REQUEST_ENUM_FILTER_KEYS, REQUEST_ENUM_FILTERS, type RequestEnumFilter, RequestId } from '../core/contract/index.js'
import { parseDuration } from '../core/duration.js'
import { UsageError } from '../core/errors.js'

/** A request id as typed: a UUID, any case. */
export function requestId(value: string): string {
  if (!RequestId.safeParse(value).success) {
    throw new UsageError(`${value} is not a privacy request id (a UUID).`, { hint: 'List yours with: clowdops privacy list' })
  }
  return value.toLowerCase()
}

export const requestIdArg = Args.string({
  description: 'privacy request id (a UUID, as shown when it was created)',
  required: true,
  parse: async (value) => requestId(value),
})

export const regulationFlag = Flags.string({
  summary: 'The law the request is made under (default: the first law granting the right: GDPR for GDPR rights, CCPA for the ccpa_* types, us_va for opt_out).',
  description: `One of ${REGULATIONS.join(', ')}: the EU and UK GDPR, California's CCPA, and the US state laws (us_ plus the state's postal code). \`clowdops privacy discovery\` is not needed: the platform's /v1/privacy/discovery lists each law's periods and rights.`,
  options: [...REGULATIONS],
  helpValue: '<regulation>',
})

export const timeoutFlag = Flags.custom<number>({
  summary: 'How long to wait, e.g. 90s, 10m, 1h.',
  helpValue: '<duration>',
  default: 15 * 60_000,
  // Help shows the default as it would be typed, not in milliseconds.
  defaultHelp: async () => '15m',
  parse: async (value) => {
    const ms = parseDuration(value)
    if (ms === undefined) throw new Error(`--timeout ${value} is not a duration: use e.g. 90s, 10m or 1h`)
    return ms
  },
})()

/** Checked here, before anything is sent or created: the platform's own refusal names its endpoint, not the flag. */
export const codeFlag = Flags.string({
  summary: 'The verification code emailed to the account (default: asked on a terminal).',
  helpValue: '<code>',
  parse: async (value) => {
    const code = value.trim()
    if (!/^\d{6}$/.test(code)) {
      throw new UsageError('--code must be the six digits of the emailed code.', {
        hint: 'Copy the code from the latest email; ask for a new one with clowdops privacy verify ID --resend.',
      })
    }
    return code
  },
})

/**
 * --status, --type, --regulation, … from the contract's table of enum filters: repeatable, each value checked. A new
 * row there is a new flag here, with nothing else to change.
 */
export function enumFilterFlags() {
  const flags = REQUEST_ENUM_FILTER_KEYS.map((key) => {
    const { values, noun } = REQUEST_ENUM_FILTERS[key]
    return [key, Flags.string({ summary: `Only requests with these ${noun} (repeatable).`, options: [...values], multiple: true })] as const
  })
  return Object.fromEntries(flags) as Record<RequestEnumFilter, OptionFlag<string[] | undefined>>
}

/** --due-within 5d: an age, in milliseconds. */
export const dueWithinFlag = Flags.custom<number>({
  summary: 'Only requests whose response period is running and due within this long (e.g. 5d, 36h), overdue ones included.',
  helpValue: '<duration>',
  parse: async (value) => {
    const ms = parseDuration(value)
    if (ms === undefined) throw new Error(`--due-within ${value} is not a duration: use e.g. 5d or 36h`)
    return ms
  },
})()
