// Commands in-process (oclif's captureOutput): flags, rendering, --json result types and exit codes,
// with the real adapters pointed at the local platform and a temp config directory through the deps factory.
import { captureOutput } from '@oclif/test'
import { afterEach, describe, expect, it } from 'vitest'
import ConfigGet from '../../commands/config/get.js'
import ConfigSet from '../../commands/config/set.js'
import ProjectsList from '../../commands/projects/list.js'
import SandboxesList from '../../commands/sandboxes/list.js'
import { BaseCommand } from '../../src/cli/base-command.js'
import { createDeps } from '../../src/cli/deps.js'
import { ErrorOutput } from '../../src/core/errors.js'
import { ProjectList, SandboxList } from '../../src/core/projects/list.js'
import { freshConfigDir } from '../support/cli.js'
import { usePlatform } from '../support/platform.js'

const platform = usePlatform({ seed: { projects: 3, sandboxesPerProject: 1 } })
const root = process.cwd()

/** Point every command at the local platform and a fresh config dir, whatever this process's environment says. */
function useEnvironment(env: Record<string, string>): void {
  BaseCommand.depsFactory = (options) => createDeps({ ...options, env: { CLOWDOPS_CONFIG_DIR: freshConfigDir(), ...env } })
}

afterEach(() => {
  BaseCommand.depsFactory = createDeps
  process.exitCode = undefined
})

describe('commands in-process', () => {
  it('projects list --json returns the contract type; the table goes to stdout otherwise', async () => {
    useEnvironment({ CLOWDOPS_API_URL: platform().url, CLOWDOPS_TOKEN: platform().token })
    const json = await captureOutput(() => ProjectsList.run(['--json'], { root }))
    expect(json.error).toBeUndefined()
    expect(ProjectList.parse(JSON.parse(json.stdout))).toHaveLength(3)
    const text = await captureOutput(() => ProjectsList.run([], { root }))
    expect(text.stdout).toContain('payments-api')
  })

  it('sandboxes list returns sandboxes of the given project', async () => {
    useEnvironment({ CLOWDOPS_API_URL: platform().url, CLOWDOPS_TOKEN: platform().token })
    const projects = ProjectList.parse(JSON.parse((await captureOutput(() => ProjectsList.run(['--json'], { root }))).stdout))
    const id = projects[1]!.id
    const result = await captureOutput(() => SandboxesList.run(['--project', id, '--json'], { root }))
    expect(SandboxList.parse(JSON.parse(result.stdout)).map((s) => s.project_id)).toEqual([id])
  })

  it('a missing token fails with exit 4 and the error body under --json', async () => {
    useEnvironment({ CLOWDOPS_API_URL: platform().url })
    const result = await captureOutput(() => ProjectsList.run(['--json'], { root }))
    expect((result.error as { oclif?: { exit?: number } } | undefined)?.oclif?.exit).toBe(4)
    expect(ErrorOutput.parse(JSON.parse(result.stdout)).error.code).toBe('not_signed_in')
  })

  it('config set then get, in one profile, and a bad project id is a usage error', async () => {
    const dir = freshConfigDir()
    BaseCommand.depsFactory = (options) => createDeps({ ...options, env: { CLOWDOPS_CONFIG_DIR: dir } })
    await captureOutput(() => ConfigSet.run(['default_project', 'prj_42', '--profile', 'work'], { root }))
    const get = await captureOutput(() => ConfigGet.run(['default_project', '--profile', 'work'], { root }))
    expect(get.stdout.trim()).toBe('prj_42')
    const bad = await captureOutput(() => ConfigSet.run(['default_project', 'project-42'], { root }))
    expect((bad.error as { oclif?: { exit?: number } } | undefined)?.oclif?.exit).toBe(2)
    expect(bad.stderr).toContain('a project id (prj_...)')
  })
})
