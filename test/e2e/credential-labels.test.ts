// A credential named by its label where an id is expected: found when one credential has it, listed when several do.
import { beforeAll, describe, expect, it } from 'vitest'
import { Credential } from '../../src/core/contract/index.js'
import { Registration } from '../../src/core/credentials/register.js'
import { ErrorOutput, ExitCode } from '../../src/core/errors.js'
import { storedState } from '../platform/server.js'
import { runCli } from '../support/cli.js'
import { envFor, usePlatform } from '../support/platform.js'

const platform = usePlatform()
let env: Record<string, string>
let projects: [string, string[]][]
let serial = 0

beforeAll(() => {
  env = envFor(platform())
  projects = Object.entries(storedState(platform()).sandboxes).map(([id, list]) => [id, list.map((s) => s.id)])
})

async function add(label: string, projectId: string): Promise<Credential> {
  const key = `sk-svcacct-FAKEfakeFAKEfakeFAKEfake${Date.now()}x${String((serial += 1)).padStart(4, '0')}`
  const result = await runCli(['credentials', 'add', 'openai', '--label', label, '--project', projectId, '--field', 'api_key=env:KEY', '--json'], { ...env, KEY: key })
  expect(result.code, result.stderr + result.stdout).toBe(0)
  return Registration.parse(JSON.parse(result.stdout)).credential
}

describe('a credential by its label', () => {
  it('one credential with the label: show and attach take the label for the id', async () => {
    const [projectId, sandboxes] = projects.find(([, list]) => list.length > 0)!
    const credential = await add('only-one', projectId)
    const shown = await runCli(['credentials', 'show', 'only-one', '--json'], env)
    expect(shown.code, shown.stderr + shown.stdout).toBe(0)
    expect(Credential.parse(JSON.parse(shown.stdout)).id).toBe(credential.id)
    const attached = await runCli(['credentials', 'attach', 'only-one', '--sandbox', sandboxes[0]!, '--json'], env)
    expect(attached.code, attached.stderr + attached.stdout).toBe(0)
    expect(Credential.parse(JSON.parse(attached.stdout)).sandboxes).toEqual([sandboxes[0]])
  })

  it('the same label in two projects: a usage error listing both, nothing changed', async () => {
    const first = await add('in-two', projects[0]![0])
    const second = await add('in-two', projects[1]![0])
    const result = await runCli(['credentials', 'remove', 'in-two', '--yes', '--json'], env)
    expect(result.code).toBe(ExitCode.usage)
    const { error } = ErrorOutput.parse(JSON.parse(result.stdout))
    expect(error.code).toBe('ambiguous_label')
    expect(error.message).toContain(first.id)
    expect(error.message).toContain(second.id)
    expect(error.hint).toContain('id')
  })

  it('a label nobody has is not found (exit 5), naming the list command', async () => {
    const result = await runCli(['credentials', 'verify', 'no-such-label', '--json'], env)
    expect(result.code).toBe(ExitCode.notFound)
    const { error } = ErrorOutput.parse(JSON.parse(result.stdout))
    expect(error.message).toContain('no-such-label')
    expect(error.hint).toContain('clowdops credentials list')
  })
})
