// The platform's refusals in the user's words: what to do next names a real command, never "the matching list command".
import { beforeAll, describe, expect, it } from 'vitest'
import { ErrorOutput, ExitCode } from '../../src/core/errors.js'
import { storedState } from '../platform/server.js'
import { runCli } from '../support/cli.js'
import { envFor, usePlatform } from '../support/platform.js'

const platform = usePlatform()
let env: Record<string, string>
let projectId: string

beforeAll(() => {
  env = envFor(platform())
  projectId = Object.keys(storedState(platform()).sandboxes)[0]!
})

async function failure(args: string[], exitCode: number, extra: Record<string, string> = {}) {
  const result = await runCli([...args, '--json'], { ...env, ...extra })
  expect(result.code, result.stderr + result.stdout).toBe(exitCode)
  return ErrorOutput.parse(JSON.parse(result.stdout)).error
}

describe('platform errors', () => {
  it('a label already taken suggests another --label or rotate', async () => {
    const add = ['credentials', 'add', 'openai', '--label', 'taken', '--project', projectId, '--field', 'api_key=env:KEY']
    const key = { KEY: 'sk-svcacct-FAKEfakeFAKEfakeFAKEfake0001' }
    expect((await runCli(add, { ...env, ...key })).code).toBe(0)
    const error = await failure(add, ExitCode.conflict, { KEY: 'sk-svcacct-FAKEfakeFAKEfakeFAKEfake0002' })
    expect(error.code).toBe('credential_exists')
    expect(error.hint).toContain('--label')
    expect(error.hint).toContain('clowdops credentials rotate')
  })

  it('an unknown id names the list command to run', async () => {
    const credential = await failure(['credentials', 'show', 'cred_doesnotexist'], ExitCode.notFound)
    expect(credential.hint).toContain('clowdops credentials list')
    const privacy = await failure(['privacy', 'status', '3f1c0d6e-8a2b-4c6d-9e0f-1a2b3c4d5e6f'], ExitCode.notFound)
    expect(privacy.hint).toContain('clowdops privacy list')
  })
})
