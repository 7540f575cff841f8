// The built CLI run as a child process against the local platform: output, --json contracts and exit codes.
import { beforeAll, describe, expect, it } from 'vitest'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SettingsReport } from '../../src/core/config/settings.js'
import { DoctorReport } from '../../src/core/doctor.js'
import { ErrorOutput } from '../../src/core/errors.js'
import { ProjectList, SandboxList } from '../../src/core/projects/list.js'
import { startPlatform } from '../platform/server.js'
import { freshConfigDir, runCli } from '../support/cli.js'
import { usePlatform } from '../support/platform.js'

const platform = usePlatform({ seed: { projects: 4, sandboxesPerProject: 2 } })
let env: Record<string, string>
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }

beforeAll(() => {
  env = { CLOWDOPS_API_URL: platform().url, CLOWDOPS_TOKEN: platform().token }
})

async function firstProjectId(): Promise<string> {
  const { stdout } = await runCli(['projects', 'list', '--json'], env)
  return ProjectList.parse(JSON.parse(stdout))[0]!.id
}

describe('clowdops as a user runs it', () => {
  it('--version prints name, version, platform and Node version', async () => {
    const result = await runCli(['--version'])
    expect(result.code).toBe(0)
    expect(result.stdout.trim()).toBe(`clowdops/${pkg.version} ${process.platform}-${process.arch} node-${process.version}`)
  })

  it('version --json (and --version --json) print the version as JSON, exit 0', async () => {
    for (const args of [['version', '--json'], ['--version', '--json']]) {
      const result = await runCli(args)
      expect(result.code, result.stderr).toBe(0)
      expect(JSON.parse(result.stdout)).toEqual({
        name: 'clowdops',
        version: pkg.version,
        platform: process.platform,
        arch: process.arch,
        node: process.version,
      })
    }
  })

  it("the README's \"--json on every command\" names each command that has none", () => {
    const manifest = JSON.parse(readFileSync('.oclif.manifest.json', 'utf8')) as { commands: Record<string, { flags: Record<string, unknown> }> }
    const claim = /`--json` on every command \(except ([^)]*)\)/.exec(readFileSync('README.md', 'utf8').replace(/\s+/g, ' '))?.[1]
    expect(claim, 'the README states the exceptions to --json').toBeDefined()
    const without = Object.entries(manifest.commands).filter(([, command]) => !('json' in command.flags)).map(([id]) => id.split(':')[0] === 'autocomplete' ? 'autocomplete' : id.replaceAll(':', ' '))
    for (const id of new Set(without)) expect(claim).toContain(`\`${id}\``)
  })

  it('--help lists the topics and commands', async () => {
    const result = await runCli(['--help'])
    expect(result.code).toBe(0)
    for (const word of ['doctor', 'projects', 'sandboxes', 'config']) expect(result.stdout).toContain(word)
  })

  it('help shows defaults as a person types them: 15m, not 900000; nothing for repeatable flags that start empty', async () => {
    const wait = await runCli(['privacy', 'wait', '--help'])
    expect(wait.stdout).toMatch(/--timeout=<duration>\s+\[default: 15m\] How long to wait/)
    expect(wait.stdout).not.toContain('900000')
    const add = await runCli(['credentials', 'add', '--help'])
    expect(add.stdout).toContain('--allow=<rule>')
    expect(add.stdout).not.toContain('[default: ]')
    // Every command: the manifest help is built from holds no empty default and no default in milliseconds.
    const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '../../.oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, { flags: Record<string, { default?: unknown }> }>
    }
    const shown = Object.entries(manifest.commands).flatMap(([id, command]) =>
      Object.entries(command.flags).map(([name, flag]) => ({ flag: `${id} --${name}`, default: flag.default })),
    )
    expect(shown.filter((f) => Array.isArray(f.default) || f.default === '')).toEqual([])
    expect(shown.filter((f) => typeof f.default === 'number' && f.default >= 10_000)).toEqual([])
  })

  it('projects list prints a table, and --json the contract shape', async () => {
    const table = await runCli(['projects', 'list'], env)
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/^ID\s+NAME\s+CREATED/)
    const json = await runCli(['projects', 'list', '--json'], env)
    const projects = ProjectList.parse(JSON.parse(json.stdout))
    expect(projects).toHaveLength(4)
    for (const project of projects) expect(table.stdout).toContain(project.id)
  })

  it('projects list --limit walks cursor pages and stops at the limit', async () => {
    const result = await runCli(['projects', 'list', '--limit', '3', '--json'], env)
    expect(ProjectList.parse(JSON.parse(result.stdout))).toHaveLength(3)
  })

  it('sandboxes list takes --project, or the profile default set with config set', async () => {
    const projectId = await firstProjectId()
    const byFlag = await runCli(['sandboxes', 'list', '--project', projectId, '--json'], env)
    expect(byFlag.code).toBe(0)
    const sandboxes = SandboxList.parse(JSON.parse(byFlag.stdout))
    expect(sandboxes).toHaveLength(2)
    expect(sandboxes.every((s) => s.project_id === projectId)).toBe(true)

    const configDir = freshConfigDir()
    const set = await runCli(['config', 'set', 'default_project', projectId], { ...env, CLOWDOPS_CONFIG_DIR: configDir })
    expect(set.code).toBe(0)
    const byDefault = await runCli(['sandboxes', 'list', '--json'], { ...env, CLOWDOPS_CONFIG_DIR: configDir })
    expect(SandboxList.parse(JSON.parse(byDefault.stdout))).toEqual(sandboxes)
  })

  it('sandboxes list without a project is a usage error (exit 2) that says what to pass', async () => {
    const result = await runCli(['sandboxes', 'list'], env)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--project')
  })

  it('an unknown project exits 5 and shows the request id', async () => {
    const result = await runCli(['sandboxes', 'list', '--project', 'prj_nope'], env)
    expect(result.code).toBe(5)
    expect(result.stderr).toMatch(/Request ID: req_/)
  })

  it('exits 4 when no token is set, and when the token is rejected', async () => {
    const none = await runCli(['projects', 'list'], { CLOWDOPS_API_URL: platform().url })
    expect(none.code).toBe(4)
    expect(none.stderr).toContain('CLOWDOPS_TOKEN')
    const rejected = await runCli(['projects', 'list', '--json'], { ...env, CLOWDOPS_TOKEN: 'cop_revokedRevokedRevoked000000000000' })
    expect(rejected.code).toBe(4)
    const body = ErrorOutput.parse(JSON.parse(rejected.stdout))
    expect(body.error).toMatchObject({ code: 'invalid_token', exitCode: 4, status: 401 })
    expect(body.error.requestId).toMatch(/^req_/)
  })

  it('refuses plain http to a non-loopback host (exit 10) and a bad flag is a usage error (exit 2)', async () => {
    const insecure = await runCli(['projects', 'list', '--api-url', 'http://platform.example.com'], env)
    expect(insecure.code).toBe(10)
    expect(insecure.stderr).toContain('https://')
    const badFlag = await runCli(['projects', 'list', '--limit', 'many'], env)
    expect(badFlag.code).toBe(2)
    expect(badFlag.stderr).toContain('--limit')
    expect(badFlag.stderr).not.toMatch(/\n\s+at /) // no stack trace for an expected error
  })

  it('retries through platform faults set over the admin API', async () => {
    const response = await fetch(`${platform().url}/_admin/faults`, {
      method: 'POST',
      headers: { 'x-admin-key': platform().adminKey, 'content-type': 'application/json' },
      body: JSON.stringify({ fail_next: { count: 2, status: 503 } }),
    })
    expect(response.status).toBe(200)
    const result = await runCli(['projects', 'list', '--json'], env)
    expect(result.code).toBe(0)
    expect(ProjectList.parse(JSON.parse(result.stdout))).toHaveLength(4)
  })

  it('a response body that never ends stops at the endpoint\'s cap: under --json the usual error body, exit 1', async () => {
    platform().faults.floodNext(1)
    const result = await runCli(['projects', 'list', '--json'], env)
    expect(result.code).toBe(1)
    const body = ErrorOutput.parse(JSON.parse(result.stdout))
    expect(body.error).toMatchObject({ code: 'response_too_large', exitCode: 1 })
    expect(body.error.message).toContain('GET /v1/projects')
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })
})

describe('config', () => {
  it('set, get, list and unset round-trip, with list saying where values come from', async () => {
    const dir = freshConfigDir()
    const local = { CLOWDOPS_CONFIG_DIR: dir }
    expect((await runCli(['config', 'set', 'api_url', 'https://clowd.acme.example/'], local)).code).toBe(0)
    const get = await runCli(['config', 'get', 'api_url'], local)
    expect(get.stdout.trim()).toBe('https://clowd.acme.example')
    const list = SettingsReport.parse(JSON.parse((await runCli(['config', 'list', '--json'], local)).stdout))
    expect(list.settings.find((s) => s.key === 'api_url')).toEqual({ key: 'api_url', value: 'https://clowd.acme.example', source: 'profile' })
    const overridden = SettingsReport.parse(
      JSON.parse((await runCli(['config', 'list', '--json'], { ...local, CLOWDOPS_API_URL: platform().url })).stdout),
    )
    expect(overridden.settings.find((s) => s.key === 'api_url')?.source).toBe('env')
    expect((await runCli(['config', 'unset', 'api_url'], local)).code).toBe(0)
    expect((await runCli(['config', 'get', 'api_url', '--profile', 'other'], local)).stdout.trim()).toBe('https://platform.clowdops.ai')
  })

  it('rejects unknown keys and insecure URLs with what to do', async () => {
    const unknown = await runCli(['config', 'set', 'colour', 'blue'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('Known keys: api_url, default_project, default_sandbox')
    const insecure = await runCli(['config', 'set', 'api_url', 'http://clowd.acme.example'])
    expect(insecure.code).toBe(10)
  })

  it('a corrupt config file is named in a one-line error (no stack trace) and left as it was', async () => {
    const dir = freshConfigDir()
    const path = join(dir, 'config.json')
    writeFileSync(path, '{"profiles": ')
    const result = await runCli(['config', 'list'], { CLOWDOPS_CONFIG_DIR: dir })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(path)
    expect(result.stderr).not.toMatch(/\n\s+at /)
    expect(readFileSync(path, 'utf8')).toBe('{"profiles": ')
  })

  it('a config file holding null, 42 or [] is refused by config set with exit 1 and left as it was', async () => {
    for (const text of ['null', '42', '[]']) {
      const dir = freshConfigDir()
      const path = join(dir, 'config.json')
      writeFileSync(path, text)
      const result = await runCli(['config', 'set', 'default_project', 'prj_abc', '--json'], { CLOWDOPS_CONFIG_DIR: dir })
      expect(result.code, text).toBe(1)
      const { error } = ErrorOutput.parse(JSON.parse(result.stdout))
      expect(error.code).toBe('config_invalid')
      expect(error.message).toContain(`${path} holds`)
      expect(readFileSync(path, 'utf8')).toBe(text)
    }
  })

  it('config get of an unset key exits 5', async () => {
    const result = await runCli(['config', 'get', 'default_project'])
    expect(result.code).toBe(5)
  })
})

describe('doctor', () => {
  it('passes against the local platform and reports each check as JSON', async () => {
    const result = await runCli(['doctor', '--json'], env)
    const report = DoctorReport.parse(JSON.parse(result.stdout))
    expect(report.checks.map((c) => c.name)).toEqual(['node', 'config', 'keychain', 'proxy', 'browser', 'loopback', 'api', 'clock', 'token'])
    // The test's environment has no display: a warning with the way that still works, not a failure.
    expect(report.checks.find((c) => c.name === 'browser')).toMatchObject({ status: 'warn', detail: expect.stringContaining('no display') })
    expect(report.checks.find((c) => c.name === 'loopback')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/bind 127\.0\.0\.1:\d+/) })
    expect(report.checks.find((c) => c.name === 'token')?.detail).toContain('@example.com')
    expect(report.ok).toBe(true)
    expect(result.code).toBe(0)
  })

  it('finds the browser $BROWSER names on PATH, and fails with a fix when it names nothing', async () => {
    const found = DoctorReport.parse(JSON.parse((await runCli(['doctor', '--json'], { ...env, BROWSER: 'true' })).stdout))
    expect(found.checks.find((c) => c.name === 'browser')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/\/true \(\$BROWSER\)$/) })
    const result = await runCli(['doctor', '--json'], { ...env, BROWSER: 'no-such-browser-here' })
    const report = DoctorReport.parse(JSON.parse(result.stdout))
    expect(report.checks.find((c) => c.name === 'browser')).toMatchObject({ status: 'fail', fix: expect.stringContaining('BROWSER') })
    expect(result.code).toBe(1)
  })

  it('fails with a fix when the platform is unreachable', async () => {
    const closed = await startPlatform()
    const url = closed.url
    await closed.close()
    const result = await runCli(['doctor', '--json'], { ...env, CLOWDOPS_API_URL: url })
    const report = DoctorReport.parse(JSON.parse(result.stdout))
    const api = report.checks.find((c) => c.name === 'api')
    expect(api?.status).toBe('fail')
    expect(api?.fix).toBeTruthy()
    expect(result.code).toBe(1)
  })
})

describe('Ctrl-C', () => {
  it('stops a command waiting on the platform with exit 130', async () => {
    const { spawn } = await import('node:child_process')
    platform().faults.latency(10_000)
    try {
      const child = spawn(process.execPath, ['bin/run.js', 'projects', 'list'], {
        env: { ...process.env, ...env, CLOWDOPS_CONFIG_DIR: freshConfigDir(), CLOWDOPS_SKIP_NEW_VERSION_CHECK: 'true' },
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      const started = Date.now()
      // Send the signal once the request is surely in flight.
      await new Promise((resolve) => setTimeout(resolve, 1500))
      child.kill('SIGINT')
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
      expect(code).toBe(130)
      expect(stderr).toContain('Interrupted')
      expect(Date.now() - started).toBeLessThan(9000) // it did not sit out the 10 s of latency
    } finally {
      platform().faults.latency(0)
    }
  })
})
