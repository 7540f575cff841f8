// The package as npm would publish it: `npm pack`, installed from the tarball into an empty prefix (no checkout, no
// dev dependencies), must run. Catches a file the bundle needs that package.json "files" leaves out.
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const root = join(import.meta.dirname, '../..')
const dir = mkdtempSync(join(tmpdir(), 'clowdops-install-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('installing the packed tarball', () => {
  it('npm pack, npm install -g --prefix into a clean folder: clowdops --version and --help run from there', async () => {
    // dist/ is built by the test setup; the prepare script would rebuild it under the other tests' feet.
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--silent'], { cwd: root, timeout: 120_000 })
    const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'))
    expect(tarball).toMatch(/^clowdops-\d+\.\d+\.\d+.*\.tgz$/)
    const prefix = join(dir, 'prefix')
    // Dependencies come from the npm cache when they are there (offline), else from the registry.
    await run('npm', ['install', '-g', '--prefix', prefix, join(dir, tarball!), '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
      cwd: dir,
      timeout: 240_000,
    })
    const bin = join(prefix, 'bin', 'clowdops')
    const env = { ...process.env, CLOWDOPS_SKIP_NEW_VERSION_CHECK: 'true', CLOWDOPS_CONFIG_DIR: join(dir, 'config') }
    const version = await run(bin, ['--version'], { cwd: dir, env, timeout: 30_000 })
    expect(version.stdout).toMatch(/^clowdops\/\d+\.\d+\.\d+ /)
    const help = await run(bin, ['--help'], { cwd: dir, env, timeout: 30_000 })
    expect(help.stdout).toContain('privacy')
    expect(help.stdout).toContain('credentials')
    const command = await run(bin, ['credentials', 'providers', '--json'], { cwd: dir, env, timeout: 30_000 })
    expect(Array.isArray(JSON.parse(command.stdout))).toBe(true)
  }, 300_000)
})
