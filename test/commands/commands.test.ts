// projects, sandboxes and config in-process on a fake terminal (test/support/terminal.ts): flags, rendering, --json
// result types and exit codes, with the real adapters pointed at the local platform and a temp config directory.
import { describe, expect, it } from 'vitest'
import ConfigGet from '../../commands/config/get.js'
import ConfigSet from '../../commands/config/set.js'
import ProjectsList from '../../commands/projects/list.js'
import SandboxesList from '../../commands/sandboxes/list.js'
import { ErrorOutput } from '../../src/core/errors.js'
import { ProjectList, SandboxList } from '../../src/core/projects/list.js'
import { freshConfigDir } from '../support/cli.js'
import { envFor, usePlatform } from '../support/platform.js'
import { runCommand } from '../support/terminal.js'

const platform = usePlatform({ seed: { projects: 3, sandboxesPerProject: 1 } })

describe('commands in-process', () => {
  it('projects list --json returns the contract type; the table goes to stdout otherwise', async () => {
    const env = envFor(platform())
    const json = await runCommand(ProjectsList, ['--json'], { env, stdin: '' })
    expect(json.exitCode).toBe(0)
    expect(ProjectList.parse(JSON.parse(json.stdout))).toHaveLength(3)
    const text = await runCommand(ProjectsList, [], { env, stdin: '' })
    expect(text.stdout).toContain('payments-api')
  })

  it('a list cut short by --limit says there is more and offers --all; --all lists everything', async () => {
    const env = envFor(platform())
    const cut = await runCommand(ProjectsList, ['--limit', '2'], { env, stdin: '' })
    expect(cut.exitCode).toBe(0)
    expect(cut.stderr).toMatch(/There are more projects than the 2 shown: pass --limit with a larger number, or --all\./)
    const all = await runCommand(ProjectsList, ['--all', '--json'], { env, stdin: '' })
    expect(ProjectList.parse(JSON.parse(all.stdout))).toHaveLength(3)
    const whole = await runCommand(ProjectsList, [], { env, stdin: '' })
    expect(whole.stderr).not.toMatch(/more projects/)
  })

  it('sandboxes list returns sandboxes of the given project', async () => {
    const env = envFor(platform())
    const projects = ProjectList.parse(JSON.parse((await runCommand(ProjectsList, ['--json'], { env, stdin: '' })).stdout))
    const id = projects[1]!.id
    const result = await runCommand(SandboxesList, ['--project', id, '--json'], { env, stdin: '' })
    expect(SandboxList.parse(JSON.parse(result.stdout)).map((s) => s.project_id)).toEqual([id])
  })

  it('a missing token fails with exit 4 and the error body under --json', async () => {
    const result = await runCommand(ProjectsList, ['--json'], { env: envFor(platform(), { withToken: false }), stdin: '' })
    expect(result.exitCode).toBe(4)
    expect(ErrorOutput.parse(JSON.parse(result.stdout)).error.code).toBe('not_signed_in')
  })

  it('config set then get, in one profile, and a bad project id is a usage error', async () => {
    const env = { CLOWDOPS_CONFIG_DIR: freshConfigDir() }
    await runCommand(ConfigSet, ['default_project', 'prj_42', '--profile', 'work'], { env, stdin: '' })
    const get = await runCommand(ConfigGet, ['default_project', '--profile', 'work'], { env, stdin: '' })
    expect(get.stdout.trim()).toBe('prj_42')
    const bad = await runCommand(ConfigSet, ['default_project', 'project-42'], { env, stdin: '' })
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain('a project id (prj_...)')
  })
})
