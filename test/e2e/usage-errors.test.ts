// oclif's own parse errors in the user's words: which flag or argument, what to do, exit 2 — never its raw text.
import { describe, expect, it } from 'vitest'
import { ErrorOutput, ExitCode } from '../../src/core/errors.js'
import { runCli } from '../support/cli.js'

async function usage(args: string[]): Promise<{ message: string; hint: string }> {
  const result = await runCli([...args, '--json'])
  expect(result.code).toBe(ExitCode.usage)
  const { error } = ErrorOutput.parse(JSON.parse(result.stdout))
  expect(error.code).toBe('usage')
  return { message: error.message, hint: error.hint ?? '' }
}

describe('parse errors', () => {
  it('a missing required flag is named as typed, without oclif\'s "The following error occurred::"', async () => {
    const { message, hint } = await usage(['credentials', 'add', 'aws'])
    expect(message).toBe('Missing required flag --label.')
    expect(hint).toBe('See clowdops credentials add --help.')
  })

  it('a missing argument is named with what it is, without "::"', async () => {
    const { message } = await usage(['credentials', 'show'])
    expect(message).toBe('Missing argument ID: credential id (cred_...), or its label when only one credential has it (in the default project, else any).')
  })

  it('a flag given without its value is a usage error, not an unexpected one', async () => {
    const { message } = await usage(['credentials', 'add', 'aws', '--label'])
    expect(message).toBe('Flag --label needs a value.')
  })

  it('a value outside a flag\'s list suggests the closest one', async () => {
    const { message, hint } = await usage(['privacy', 'list', '--type', 'erasur'])
    expect(message).toMatch(/^Expected --type=erasur to be one of: .*erasure/)
    expect(hint).toContain('Did you mean "erasure"?')
  })

  it('an argument outside its list suggests the closest one', async () => {
    const { hint } = await usage(['privacy', 'consent', 'history', 'cookies_marketng'])
    expect(hint).toContain('Did you mean "cookies_marketing"?')
  })
})
