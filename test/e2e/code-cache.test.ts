// The V8 code cache bin/run.js keeps is compiled code the CLI runs: it is created private to the user whatever the
// umask, and a cache others could have written is never loaded. The built CLI is spawned as users run it.
import { spawn } from 'node:child_process'
import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { freshConfigDir, runCli } from '../support/cli.js'

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'run.js')
const mode = (path: string) => statSync(path).mode & 0o777

/** A cache directory that does not exist yet, two levels below a fresh temp directory. */
const newCacheDir = () => join(mkdtempSync(join(tmpdir(), 'clowdops-cache-')), 'cache', 'clowdops')

function cacheFileIn(dir: string): string {
  const names = readdirSync(dir).filter((name) => name.startsWith('code-cache-'))
  expect(names).toHaveLength(1)
  return join(dir, names[0] as string)
}

/** What identifies the cache file on disk: a rewrite (temp file renamed over it) gives a new inode. */
const identity = (file: string) => ({ inode: statSync(file).ino, bytes: readFileSync(file).toString('base64') })

/** `clowdops ARGS` started the way a shell with `umask 000` starts it. */
function runUnderUmask000(args: string[], env: Record<string, string>): Promise<number | null> {
  const child = spawn('sh', ['-c', 'umask 000; exec "$0" "$@"', process.execPath, BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CLOWDOPS_SKIP_NEW_VERSION_CHECK: 'true', CLOWDOPS_CONFIG_DIR: freshConfigDir(), ...env },
    stdio: 'ignore',
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', resolve)
  })
}

describe('the code cache', () => {
  it('is created private under umask 000: every directory it makes 0700, the file 0600', async () => {
    const dir = newCacheDir()
    expect(await runUnderUmask000(['config', 'list'], { CLOWDOPS_CACHE_DIR: dir })).toBe(0)
    expect(mode(join(dir, '..'))).toBe(0o700)
    expect(mode(dir)).toBe(0o700)
    expect(mode(cacheFileIn(dir))).toBe(0o600)
  })

  it('a private cache that covers the command is used as it is (the control for the cases below)', async () => {
    const env = { CLOWDOPS_CACHE_DIR: newCacheDir() }
    expect((await runCli(['config', 'list'], env)).code).toBe(0)
    const file = cacheFileIn(env.CLOWDOPS_CACHE_DIR)
    const before = identity(file)
    expect((await runCli(['config', 'list'], env)).code).toBe(0)
    expect(identity(file)).toEqual(before)
  })

  it('a cache file others can write is not loaded: it is replaced by a private one, and --debug says why', async () => {
    const env = { CLOWDOPS_CACHE_DIR: newCacheDir() }
    expect((await runCli(['config', 'list'], env)).code).toBe(0)
    const file = cacheFileIn(env.CLOWDOPS_CACHE_DIR)
    chmodSync(file, 0o666)
    const before = identity(file)

    const result = await runCli(['config', 'list', '--debug'], env)
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(`code cache not used: ${file} can be written by others (mode 0666)`)
    // A cache that was loaded and covers this command is never rewritten (see the control): this one was not loaded.
    expect(identity(file).inode).not.toBe(before.inode)
    expect(mode(file)).toBe(0o600)
  })

  it('a cache in a directory others can write is not loaded: the directory is made private and the file replaced', async () => {
    const env = { CLOWDOPS_CACHE_DIR: newCacheDir() }
    expect((await runCli(['config', 'list'], env)).code).toBe(0)
    const file = cacheFileIn(env.CLOWDOPS_CACHE_DIR)
    chmodSync(env.CLOWDOPS_CACHE_DIR, 0o777) // as an earlier clowdops left it under umask 000
    const before = identity(file)

    const result = await runCli(['config', 'list', '--debug'], env)
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(`code cache not used: ${env.CLOWDOPS_CACHE_DIR} can be written by others (mode 0777)`)
    expect(identity(file).inode).not.toBe(before.inode)
    expect(mode(env.CLOWDOPS_CACHE_DIR)).toBe(0o700)
    expect(mode(file)).toBe(0o600)
  })

  it('a shared directory (world-writable and sticky, like /tmp) is left as it is, and no cache is kept in it', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'clowdops-shared-'))
    chmodSync(shared, 0o1777)
    const result = await runCli(['config', 'list', '--debug'], { CLOWDOPS_CACHE_DIR: shared })
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(`code cache not used: ${shared} can be written by others (mode 1777)`)
    expect(statSync(shared).mode & 0o7777).toBe(0o1777)
    expect(readdirSync(shared)).toEqual([])
  })

  // Handing a directory to another user takes root; the tests run as root in CI and in the dev container.
  it.runIf(process.getuid?.() === 0)('a cache directory of another user is neither loaded nor written', async () => {
    const env = { CLOWDOPS_CACHE_DIR: newCacheDir() }
    expect((await runCli(['config', 'list'], env)).code).toBe(0)
    const file = cacheFileIn(env.CLOWDOPS_CACHE_DIR)
    // A cache that does not cover `config get` would be rewritten after a run of it, if it were loaded.
    const contents = readFileSync(file)
    const newline = contents.indexOf(10)
    writeFileSync(file, Buffer.concat([Buffer.from(`${contents.subarray(0, newline).toString().replace(/ \S+$/, ' other:command')}\n`), contents.subarray(newline + 1)]))
    chownSync(file, 12345, 12345)
    chownSync(env.CLOWDOPS_CACHE_DIR, 12345, 12345)
    const before = identity(file)

    const result = await runCli(['config', 'get', 'api_url', '--debug'], env)
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(`code cache not used: ${env.CLOWDOPS_CACHE_DIR} belongs to another user (uid 12345)`)
    expect(identity(file)).toEqual(before)
    expect(statSync(env.CLOWDOPS_CACHE_DIR).uid).toBe(12345)
  })
})
