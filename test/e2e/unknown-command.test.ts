// A mistyped command, as gh answers it: "Did you mean …?" printed, never asked, exit 2 — on a terminal, without one,
// under CI and under --json alike.
import { describe, expect, it } from 'vitest'
import { ErrorOutput, ExitCode } from '../../src/core/errors.js'
import { runCli } from '../support/cli.js'
import { runInPty } from '../support/pty.js'

describe('an unknown command', () => {
  it('without a terminal: names the command, suggests the closest one, exit 2', async () => {
    const result = await runCli(['projcts', 'list'])
    expect(result.code).toBe(ExitCode.usage)
    expect(result.stderr).toContain('"projcts list" is not a clowdops command.')
    expect(result.stderr).toContain('Did you mean clowdops projects list?')
    expect(result.stdout).toBe('')
  })

  it('a misspelt subcommand of a known topic is matched against that topic', async () => {
    const result = await runCli(['credentials', 'lst'])
    expect(result.code).toBe(ExitCode.usage)
    expect(result.stderr).toContain('Did you mean clowdops credentials list?')
  })

  it('nothing close: no guess, but the way to the list of commands', async () => {
    const result = await runCli(['zzzzzzzz'])
    expect(result.code).toBe(ExitCode.usage)
    expect(result.stderr).not.toContain('Did you mean')
    expect(result.stderr).toContain('clowdops --help')
  })

  it('under --json: the error body on stdout, exit 2', async () => {
    const result = await runCli(['projcts', 'list', '--json'])
    expect(result.code).toBe(ExitCode.usage)
    const { error } = ErrorOutput.parse(JSON.parse(result.stdout))
    expect(error).toMatchObject({ code: 'unknown_command', exitCode: ExitCode.usage })
    expect(error.hint).toContain('clowdops projects list')
  })

  it('on a terminal, even with CI unset: printed, not asked (no Y/n prompt), exit 2', async () => {
    const run = runInPty(['projcts', 'list'], { CLOWDOPS_SKIP_NEW_VERSION_CHECK: 'true', NO_COLOR: '1' })
    expect(await run.exit).toBe(ExitCode.usage)
    expect(run.screen()).toContain('Did you mean clowdops projects list?')
    expect(run.screen()).not.toMatch(/\(Y\/n\)|\? .*Did you mean/)
  })

  it('on a terminal with CI=true: the same, never a prompt', async () => {
    const run = runInPty(['projcts', 'list'], { CI: 'true', CLOWDOPS_SKIP_NEW_VERSION_CHECK: 'true', NO_COLOR: '1' })
    expect(await run.exit).toBe(ExitCode.usage)
    expect(run.screen()).toContain('Did you mean clowdops projects list?')
    expect(run.screen()).not.toMatch(/\(Y\/n\)/)
  })
})
