// A canary token must never surface: not on stdout, stderr, in DEBUG logs, error output or the config file.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ErrorOutput } from '../../src/core/errors.js'
import { freshConfigDir, runCli } from '../support/cli.js'
import { usePlatform } from '../support/platform.js'

const platform = usePlatform()
let projectId: string

beforeAll(async () => {
  const response = await fetch(`${platform().url}/v1/projects`, { headers: { authorization: `Bearer ${platform().token}` } })
  projectId = ((await response.json()) as { data: { id: string }[] }).data[0]!.id
})

const COMMANDS = [
  ['doctor'],
  ['projects', 'list'],
  ['sandboxes', 'list', '--project', 'PROJECT'],
  ['sandboxes', 'list', '--project', 'prj_missing'],
  ['config', 'list'],
  ['config', 'set', 'default_project', 'PROJECT'],
  ['config', 'get', 'default_project'],
  ['projects', 'list', '--limit', 'not-a-number'],
]

describe('a canary token never appears in output', () => {
  // A valid token (the platform accepts it) and a rejected one (the error path) are both canaries.
  const cases = () => [
    { name: 'accepted', token: platform().issueToken(['projects:read', 'projects:write']) },
    { name: 'rejected', token: `cop_CANARY${Date.now()}xxxxxxxxxxxxxxxxxxxxxx` },
  ]

  it.each(['text', 'json'])('in %s mode, with DEBUG=clowdops* and --debug', async (mode) => {
    for (const { name, token } of cases()) {
      const configDir = freshConfigDir()
      for (const command of COMMANDS) {
        const args = [...command.map((word) => (word === 'PROJECT' ? projectId : word)), '--debug']
        if (mode === 'json') args.push('--json')
        const result = await runCli(args, {
          CLOWDOPS_API_URL: platform().url,
          CLOWDOPS_TOKEN: token,
          CLOWDOPS_CONFIG_DIR: configDir,
          DEBUG: 'clowdops*',
        })
        const where = `${name} token, clowdops ${args.join(' ')}`
        expect(result.stdout, where).not.toContain(token)
        expect(result.stderr, where).not.toContain(token)
        // The check above means something only if the debug log was really on for requests.
        if (command[0] === 'projects' && command.length === 2) expect(result.stderr, where).toContain('/v1/projects')
      }
      for (const file of readdirSync(configDir)) {
        expect(readFileSync(join(configDir, file), 'utf8'), `config file ${file}`).not.toContain(token)
      }
    }
  }, 60_000)
})

describe('a secret typed as an argument', () => {
  it('is not echoed back in the usage error', async () => {
    const pasted = `sk-svcacct-CANARY${Date.now()}pastedpastedpasted`
    const result = await runCli(['config', 'get', 'api_url', pasted])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Unexpected argument')
    expect(result.stdout + result.stderr).not.toContain(pasted)
  })
})

describe('a secret typed as the value of a flag that does not exist', () => {
  // No known token shape (those are redacted anyway): what a password or a provider key of any form looks like.
  const pasted = `CANARY-pasted-${Date.now()}-unknown-flag-value`
  const cases: { args: string[]; names: string }[] = [
    { args: ['login', `--token=${pasted}`], names: '--token' },
    { args: ['login', '--token', pasted], names: '--token' },
    { args: ['projects', 'list', `-t${pasted}`], names: '-t' },
    { args: ['config', 'get', 'api_url', '--verbose', `--password=${pasted}`], names: '--verbose, --password' },
  ]

  it.each(cases)('is not echoed back by clowdops $args.0, as text or JSON: only the flag’s name', async ({ args, names }) => {
    const text = await runCli(args)
    expect(text.code).toBe(2)
    expect(text.stderr).toContain(names)
    expect(text.stdout + text.stderr).not.toContain(pasted)

    const json = await runCli([...args, '--json'])
    expect(json.code).toBe(2)
    const { error } = ErrorOutput.parse(JSON.parse(json.stdout))
    expect(error).toMatchObject({ code: 'usage', exitCode: 2 })
    expect(error.message).toContain(names)
    expect(json.stdout + json.stderr).not.toContain(pasted)
  })
})

describe('a token with a control character in it', () => {
  // Canaries without a known token shape, which would be redacted anyway: what shows is only what the CLI chose to say.
  const tokens = [`CANARY${Date.now()}\u0001controlcharacter`, `CANARY${Date.now()}\nlinebreakinthemiddle`]

  it.each(tokens.map((token) => [JSON.stringify(token.slice(-30)), token]))('%s is an invalid token: exit 4 at once, nothing sent, not echoed', async (_, token) => {
    const before = platform().stats.requests
    const text = await runCli(['projects', 'list'], { CLOWDOPS_API_URL: platform().url, CLOWDOPS_TOKEN: token })
    expect(text.code, text.stderr).toBe(4)
    expect(text.stderr).toContain('The token cannot be sent')
    expect(text.stderr).not.toContain(token.trim())

    const piped = await runCli(['login', '--with-token', '--insecure-storage', '--json'], { CLOWDOPS_API_URL: platform().url }, token)
    expect(piped.code, piped.stdout).toBe(4)
    expect(ErrorOutput.parse(JSON.parse(piped.stdout)).error.code).toBe('invalid_token')
    expect(piped.stdout + piped.stderr).not.toContain(token.trim())
    expect(platform().stats.requests).toBe(before)
  })
})
