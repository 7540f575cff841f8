// The config store on real files in a temp directory: permissions, validation, and never resetting a broken file.
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createConfigStore } from '../../src/adapters/config.js'
import { ConfigError } from '../../src/core/errors.js'

const tempDir = () => join(mkdtempSync(join(tmpdir(), 'clowdops-config-')), 'clowdops')
const mode = (path: string) => statSync(path).mode & 0o777

describe('config store', () => {
  it('creates the directory 0700 and the file 0600 on first write', async () => {
    const dir = tempDir()
    const store = createConfigStore(dir)
    await store.update((c) => ({ ...c, profiles: { default: { default_project: 'prj_abc' } } }))
    expect(mode(dir)).toBe(0o700)
    expect(mode(store.path)).toBe(0o600)
    expect((await store.read()).profiles.default?.default_project).toBe('prj_abc')
  })

  it('tightens a file that was made world-readable by hand when it next writes it', async () => {
    const dir = tempDir()
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const path = join(dir, 'config.json')
    writeFileSync(path, '{"profiles":{}}', { mode: 0o644 })
    await createConfigStore(dir).update((c) => c)
    expect(mode(path)).toBe(0o600)
  })

  it('reads an absent file as empty without creating it', async () => {
    const dir = tempDir()
    const store = createConfigStore(dir)
    expect(await store.read()).toEqual({ profiles: {} })
    expect(existsSync(store.path)).toBe(false)
  })

  it('a file that is not JSON is an error naming the file, and is left untouched', async () => {
    const dir = tempDir()
    mkdirSync(dir, { recursive: true })
    const path = join(dir, 'config.json')
    const broken = '{"profiles": {"default": {"api_url": "https://x.example"'
    writeFileSync(path, broken)
    const store = createConfigStore(dir)
    const error = await store.read().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toContain(path)
    expect((error as Error).message).toContain('not valid JSON')
    await expect(store.update((c) => c)).rejects.toBeInstanceOf(ConfigError)
    expect(readFileSync(path, 'utf8')).toBe(broken)
  })

  it('a hand-broken value is an error naming the key, and is left untouched', async () => {
    const dir = tempDir()
    mkdirSync(dir, { recursive: true })
    const path = join(dir, 'config.json')
    const broken = JSON.stringify({ profiles: { default: { default_project: 42 } } })
    writeFileSync(path, broken)
    const error = await createConfigStore(dir).read().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toContain('profiles.default.default_project')
    expect(readFileSync(path, 'utf8')).toBe(broken)
  })

  it.each([
    ['null', 'null'],
    ['42', 'a number'],
    ['[]', 'an array'],
    ['"profiles"', 'a string'],
  ])('a file holding %s is an error naming the file and what it holds, and no update overwrites it', async (text, held) => {
    const dir = tempDir()
    mkdirSync(dir, { recursive: true })
    const path = join(dir, 'config.json')
    writeFileSync(path, `${text}\n`)
    const store = createConfigStore(dir)
    const error = await store.read().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).message).toBe(`The config file ${path} holds ${held}, not a JSON object of settings.`)
    // Not the per-key hint: `config unset` cannot read such a file either.
    expect((error as ConfigError).hint).not.toContain('config unset')
    await expect(store.update((c) => ({ ...c, active_profile: 'default' }))).rejects.toBeInstanceOf(ConfigError)
    expect(readFileSync(path, 'utf8')).toBe(`${text}\n`)
  })
})
