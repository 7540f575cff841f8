// Secret references: the parser on any input (fast-check), and each resolver rule with real temp files, an in-memory
// keychain and a scripted stdin.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { secretFiles } from '../../src/adapters/secret-sources.js'
import {
  type SecretRef,
  type SecretSources,
  formatSecretRef,
  parseKeychainName,
  parseSecretRef,
  MAX_SECRET_INPUT_BYTES,
  resolveSecretRef,
  resolveSecretRefs,
  secretInputOf,
} from '../../src/core/credentials/secret-ref.js'
import { deleteKeychainEntry, listKeychainEntries, setKeychainEntry } from '../../src/core/keychain-entries.js'
import { ClowdopsError, ExitCode, UsageError } from '../../src/core/errors.js'
import type { KeychainName, KeychainRecord, Locks, SecretInput, SecretStore } from '../../src/core/ports.js'
import { Secret } from '../../src/core/secret.js'

const CANARY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYCANARY42'

/** What an error shows a user or a script: message, hint, code, exit code. */
function shown(error: unknown): string {
  return JSON.stringify((error as ClowdopsError).toJSON())
}

function parseError(text: string, field?: string): ClowdopsError {
  try {
    parseSecretRef(text, field === undefined ? {} : { field })
  } catch (error) {
    return error as ClowdopsError
  }
  throw new Error('expected parseSecretRef to throw')
}

const noControl = (text: string) => !/[\u0000-\u001f\u007f-\u009f]/.test(text)
const anyText = fc.string({ unit: 'binary', maxLength: 80 })
const service = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).filter((s) => noControl(s) && !s.includes('/'))
const account = fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).filter(noControl)
const envName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,30}$/)
const path = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).filter(noControl)
const wellFormed: fc.Arbitrary<SecretRef> = fc.oneof(
  fc.record({ kind: fc.constant('keychain' as const), service, account }),
  fc.record({ kind: fc.constant('env' as const), name: envName }),
  fc.record({ kind: fc.constant('file' as const), path }),
  fc.constant({ kind: 'stdin' as const }),
)
/** Any text, and text that starts like a reference, where the interesting failures are. */
const input = fc.oneof(anyText, fc.tuple(fc.constantFrom('keychain:', 'env:', 'file:', 'stdin', 'keychain:/'), anyText).map(([a, b]) => a + b))

describe('parseSecretRef', () => {
  it('returns a reference or throws our UsageError (exit 2), for any string', () => {
    fc.assert(
      fc.property(input, fc.option(fc.string(), { nil: undefined }), (text, field) => {
        try {
          const ref = parseSecretRef(text, field === undefined ? {} : { field })
          expect(['keychain', 'env', 'file', 'stdin']).toContain(ref.kind)
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError)
          expect((error as UsageError).exitCode).toBe(ExitCode.usage)
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('an error never depends on the text refused, so it cannot repeat it', () => {
    // Same field and same rule → the very same message, hint and code, whatever the text was.
    const reference = {
      literal: parseError('x', 'secret_access_key'),
      keychain: parseError('keychain:x', 'secret_access_key'),
      env: parseError('env:1', 'secret_access_key'),
      file: parseError('file:', 'secret_access_key'),
    }
    fc.assert(
      fc.property(input, (text) => {
        let ref: SecretRef | undefined
        try {
          ref = parseSecretRef(text, { field: 'secret_access_key' })
        } catch (error) {
          const scheme = /^(keychain|env|file):/.exec(text)?.[1] as 'keychain' | 'env' | 'file' | undefined
          expect(shown(error)).toBe(shown(reference[scheme ?? 'literal']))
        }
        if (ref) expect(formatSecretRef(ref)).toBe(text)
      }),
      { numRuns: 2000 },
    )
  })

  it('refuses a literal with exit 2, the reference forms in the hint, and the value nowhere', () => {
    for (const literal of [CANARY, `AKIA${CANARY}`, 'sk-ant-admin01-CANARY-value', 'https://hooks.slack.com/services/T0/B0/CANARY']) {
      const error = parseError(literal, 'secret_access_key')
      expect(error.exitCode).toBe(2)
      expect(error.code).toBe('secret_literal')
      expect(shown(error)).not.toContain(literal)
      expect(shown(error)).not.toContain('CANARY')
      expect(error.hint).toContain('--field secret_access_key=keychain:aws/prod')
      expect(error.hint).toContain('env:SECRET_ACCESS_KEY')
    }
  })

  it('does not repeat a field name that is not a plain name', () => {
    const error = parseError('value', CANARY)
    expect(shown(error)).not.toContain(CANARY)
    expect(error.hint).toContain('keychain:SERVICE/ACCOUNT')
  })

  it('round-trips every well-formed reference', () => {
    fc.assert(
      fc.property(wellFormed, (ref) => {
        const text = formatSecretRef(ref)
        expect(parseSecretRef(text)).toEqual(ref)
        expect(formatSecretRef(parseSecretRef(text))).toBe(text)
      }),
      { numRuns: 2000 },
    )
  })

  it('splits keychain:SERVICE/ACCOUNT at the first "/": accounts may hold "/", services may not', () => {
    expect(parseSecretRef('keychain:aws/prod/eu-west-1')).toEqual({ kind: 'keychain', service: 'aws', account: 'prod/eu-west-1' })
    expect(parseSecretRef('env:AWS_SECRET_ACCESS_KEY')).toEqual({ kind: 'env', name: 'AWS_SECRET_ACCESS_KEY' })
    expect(parseSecretRef('file:./keys/gcp.json')).toEqual({ kind: 'file', path: './keys/gcp.json' })
    expect(parseSecretRef('stdin')).toEqual({ kind: 'stdin' })
    for (const bad of ['keychain:aws', 'keychain:/prod', 'keychain:aws/', 'keychain:aws/pr\nod', 'env:', 'env:1X', 'env:A-B', 'file:', 'file:a\u0000b', 'KEYCHAIN:aws/prod', ' stdin', 'stdin:']) {
      expect(() => parseSecretRef(bad), bad).toThrow(UsageError)
    }
  })

  it('parseKeychainName takes SERVICE/ACCOUNT or the reference form', () => {
    expect(parseKeychainName('aws/prod')).toEqual({ service: 'aws', account: 'prod' })
    expect(parseKeychainName('keychain:aws/a/b')).toEqual({ service: 'aws', account: 'a/b' })
    expect(() => parseKeychainName('aws')).toThrow(UsageError)
  })
})

/** A keychain in a Map. */
function memoryStore(entries: Record<string, string> = {}): SecretStore & { entries: Map<string, string> } {
  const map = new Map(Object.entries(entries))
  const key = (service: string, account: string) => `${service}/${account}`
  return {
    entries: map,
    get: async (s, a) => (map.has(key(s, a)) ? new Secret(map.get(key(s, a))!) : undefined),
    set: async (s, a, value) => void map.set(key(s, a), value.reveal()),
    delete: async (s, a) => map.delete(key(s, a)),
    list: async (s) => [...map.keys()].filter((k) => k.startsWith(`${s}/`)).map((k) => k.slice(s.length + 1)).sort(),
    checkWritable: async () => undefined,
  }
}

/** stdin as a script: what is piped, or a terminal whose prompt answers `typed`. */
function scriptedInput(options: { piped?: string; typed?: string; canPrompt?: boolean }): SecretInput & { prompts: string[] } {
  const prompts: string[] = []
  const terminal = options.piped === undefined
  return {
    prompts,
    stdinIsTerminal: terminal,
    canPrompt: terminal && (options.canPrompt ?? true),
    readStdin: async () => new Secret((options.piped ?? '').trim()),
    prompt: async (message) => (prompts.push(message), new Secret(options.typed ?? '')),
  }
}

/** Piped stdin of `size` bytes in chunks of `chunk`, counting what the reader took and whether it closed the input. */
function pipedChunks(size: number, chunk: number) {
  let read = 0
  let closed = false
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      for (let at = 0; at < size; at += chunk) {
        const part = new Uint8Array(Math.min(chunk, size - at)).fill(0x61)
        read += part.length
        yield part
      }
    } finally {
      closed = true
    }
  }
  return { io: { in: { isTTY: false, chunks } }, read: () => read, closed: () => closed }
}

function sources(overrides: Partial<SecretSources> = {}): SecretSources {
  return { secrets: memoryStore(), env: {}, files: secretFiles, input: scriptedInput({ piped: '' }), ...overrides }
}

async function failure(promise: Promise<unknown>): Promise<ClowdopsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof ClowdopsError)) throw new Error(`expected a ClowdopsError, got ${String(error)}`)
  return error
}

function tempFile(content: string, mode: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'clowdops-secret-ref-'))
  const file = join(dir, 'secret')
  writeFileSync(file, content)
  chmodSync(file, mode)
  return file
}

const posix = process.platform !== 'win32'

describe('resolveSecretRef', () => {
  it('keychain: reads the entry; an absent one is exit 5 naming the reference', async () => {
    const secrets = memoryStore({ 'aws/prod': CANARY })
    const ref = parseSecretRef('keychain:aws/prod')
    expect((await resolveSecretRef(ref, sources({ secrets }))).reveal()).toBe(CANARY)
    const missing = await failure(resolveSecretRef(parseSecretRef('keychain:aws/staging'), sources({ secrets })))
    expect(missing.exitCode).toBe(ExitCode.notFound)
    expect(missing.message).toContain('keychain:aws/staging')
    expect(missing.hint).toContain('clowdops keychain set aws/staging')
  })

  it('env: reads the variable; unset or empty is exit 2 naming it', async () => {
    const env = { AWS_SECRET_ACCESS_KEY: CANARY, EMPTY: '' }
    expect((await resolveSecretRef(parseSecretRef('env:AWS_SECRET_ACCESS_KEY'), sources({ env }))).reveal()).toBe(CANARY)
    for (const name of ['UNSET', 'EMPTY']) {
      const error = await failure(resolveSecretRef(parseSecretRef(`env:${name}`), sources({ env })))
      expect(error.exitCode).toBe(ExitCode.usage)
      expect(error.message).toContain(name)
    }
  })

  it.skipIf(!posix)('file: a 0600 file is read (trailing newline dropped); 0644 or 0640 is refused with exit 10', async () => {
    const safe = tempFile(`${CANARY}\n`, 0o600)
    expect((await resolveSecretRef(parseSecretRef(`file:${safe}`), sources())).reveal()).toBe(CANARY)
    for (const mode of [0o644, 0o640, 0o604]) {
      const open = tempFile(CANARY, mode)
      const error = await failure(resolveSecretRef(parseSecretRef(`file:${open}`), sources()))
      expect(error.exitCode, mode.toString(8)).toBe(ExitCode.refused)
      expect(error.hint).toContain(`chmod 600 ${open}`)
      expect(error.hint).toContain('--allow-insecure-file')
      expect(shown(error)).not.toContain(CANARY)
      const allowed = await resolveSecretRef(parseSecretRef(`file:${open}`), sources(), { allowInsecureFile: true })
      expect(allowed.reveal()).toBe(CANARY)
    }
  })

  it('file: a missing file, a directory or an empty file is exit 2 naming the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clowdops-secret-ref-'))
    const missing = join(dir, 'nope')
    const cases: [string, string][] = [[missing, 'no file at'], [dir, 'not a regular file']]
    const empty = tempFile('\n', 0o600)
    cases.push([empty, 'is empty'])
    for (const [path, words] of cases) {
      const error = await failure(resolveSecretRef(parseSecretRef(`file:${path}`), sources()))
      expect(error.exitCode, path).toBe(ExitCode.usage)
      expect(error.message).toContain(path)
      expect(error.message).toContain(words)
    }
    const tilde = await failure(resolveSecretRef(parseSecretRef('file:~/clowdops-no-such-key'), sources()))
    expect(tilde.hint).toContain('$HOME')
  })

  it.skipIf(!posix)('file: a file larger than 1 MiB is refused as a usage error without being used', async () => {
    const big = tempFile('x'.repeat(1024 * 1024 + 1), 0o600)
    const error = await failure(resolveSecretRef(parseSecretRef(`file:${big}`), sources()))
    expect(error.exitCode).toBe(ExitCode.usage)
    expect(error.message).toContain('too large')
  })

  it('stdin: piped input is read; a terminal gets a hidden prompt; a terminal without prompts (CI, --json) is exit 2', async () => {
    const piped = await resolveSecretRef({ kind: 'stdin' }, sources({ input: scriptedInput({ piped: `${CANARY}\n` }) }))
    expect(piped.reveal()).toBe(CANARY)
    const terminal = scriptedInput({ typed: CANARY })
    expect((await resolveSecretRef({ kind: 'stdin' }, sources({ input: terminal }), { field: 'api_key' })).reveal()).toBe(CANARY)
    expect(terminal.prompts).toEqual(['Value of api_key'])
    const ci = await failure(resolveSecretRef({ kind: 'stdin' }, sources({ input: scriptedInput({ canPrompt: false }) })))
    expect(ci.exitCode).toBe(ExitCode.usage)
    const empty = await failure(resolveSecretRef({ kind: 'stdin' }, sources({ input: scriptedInput({ piped: '  \n' }) })))
    expect(empty.code).toBe('secret_empty')
  })

  it('stdin: up to 1 MiB is read; past that it is exit 2 naming stdin and the limit, and reading stops there', async () => {
    const MiB = 1024 * 1024
    expect(MAX_SECRET_INPUT_BYTES).toBe(MiB)
    const exact = pipedChunks(MiB, 64 * 1024)
    expect((await secretInputOf(exact.io, undefined).readStdin()).reveal()).toHaveLength(MiB)

    // 64 MiB offered in 64 KiB chunks: one chunk past the cap is read, and the input is closed.
    const huge = pipedChunks(64 * MiB, 64 * 1024)
    const error = await failure(secretInputOf(huge.io, undefined).readStdin())
    expect(error).toBeInstanceOf(UsageError)
    expect(error.code).toBe('secret_input_too_large')
    expect(error.message).toContain('stdin')
    expect(error.message).toContain('1 MiB')
    expect(error.hint).toContain('Pipe only the secret')
    expect(huge.read()).toBe(MiB + 64 * 1024)
    expect(huge.closed()).toBe(true)
  })

  it('stdin: one secret per command — a second stdin reference is exit 2, and two in one set fail before reading', async () => {
    const run = sources({ input: scriptedInput({ piped: CANARY }) })
    await resolveSecretRef({ kind: 'stdin' }, run)
    const again = await failure(resolveSecretRef({ kind: 'stdin' }, run))
    expect(again.code).toBe('secret_stdin_twice')

    let reads = 0
    const input = { ...scriptedInput({ piped: CANARY }), readStdin: async () => (reads++, new Secret(CANARY)) }
    const both = await failure(resolveSecretRefs({ a: { kind: 'stdin' }, b: { kind: 'stdin' } }, sources({ input })))
    expect(both.exitCode).toBe(ExitCode.usage)
    expect(reads).toBe(0)
  })

  it('resolveSecretRefs resolves each field', async () => {
    const resolved = await resolveSecretRefs(
      { secret_access_key: parseSecretRef('keychain:aws/prod'), session: parseSecretRef('env:S') },
      sources({ secrets: memoryStore({ 'aws/prod': 'k' }), env: { S: 's' } }),
    )
    expect({ k: resolved.secret_access_key.reveal(), s: resolved.session.reveal() }).toEqual({ k: 'k', s: 's' })
  })
})

/** The record of names `keychain set` keeps, in memory, and locks that run the work at once (one process here). */
function keychainDeps(secrets: ReturnType<typeof memoryStore>) {
  let names: KeychainName[] = []
  const keychainRecord: KeychainRecord = {
    list: async () => [...names],
    add: async (name) => void (names = [...names.filter((n) => n.service !== name.service || n.account !== name.account), name]),
    remove: async (gone) => void (names = names.filter((n) => !gone.some((g) => g.service === n.service && g.account === n.account))),
  }
  const locks: Locks = { withLock: (_name, run) => run() }
  return { secrets, keychainRecord, locks, recorded: () => names }
}

describe('keychain entries', () => {
  it('set stores piped input and says whether it replaced; list gives names only; delete of an absent entry is exit 5', async () => {
    const deps = keychainDeps(memoryStore())
    const { secrets } = deps
    const first = await setKeychainEntry({ name: 'aws/prod' }, { ...deps, input: scriptedInput({ piped: CANARY }) })
    expect(first).toEqual({ service: 'aws', account: 'prod', reference: 'keychain:aws/prod', stored: true, replaced: false })
    const second = await setKeychainEntry({ name: 'keychain:aws/prod' }, { ...deps, input: scriptedInput({ piped: 'v2' }) })
    expect(second.replaced).toBe(true)
    expect(secrets.entries.get('aws/prod')).toBe('v2')
    const list = await listKeychainEntries({ service: 'aws' }, deps)
    expect(list).toEqual({ services: ['aws'], entries: [{ service: 'aws', account: 'prod', reference: 'keychain:aws/prod' }] })
    expect(JSON.stringify(list)).not.toContain('v2')
    expect(await deleteKeychainEntry({ name: 'aws/prod' }, deps)).toEqual({ service: 'aws', account: 'prod', deleted: true })
    expect((await failure(deleteKeychainEntry({ name: 'aws/prod' }, deps))).exitCode).toBe(ExitCode.notFound)
  })

  it('set refuses an empty value and a terminal that may not prompt, recording nothing', async () => {
    const deps = keychainDeps(memoryStore())
    expect((await failure(setKeychainEntry({ name: 'a/b' }, { ...deps, input: scriptedInput({ piped: '\n' }) }))).exitCode).toBe(2)
    expect((await failure(setKeychainEntry({ name: 'a/b' }, { ...deps, input: scriptedInput({ canPrompt: false }) }))).exitCode).toBe(2)
    expect(deps.secrets.entries.has('a/b')).toBe(false)
    expect(deps.recorded()).toEqual([])
    expect((await failure(listKeychainEntries({ service: 'a/b' }, deps))).exitCode).toBe(2)
  })

  // Issue 14: without SERVICE, list showed clowdops's own sign-in entries rather than what the user had stored.
  it('without SERVICE lists what keychain set stored, across services, never the sign-in entries; gone entries leave the record', async () => {
    const deps = keychainDeps(memoryStore({ 'clowdops/default': 'a sign-in token record', 'aws/made-by-another-tool': 'x' }))
    expect(await listKeychainEntries({}, deps)).toEqual({ services: [], entries: [] })
    for (const name of ['openai/ops-agent', 'aws/prod', 'clowdops/github-pat']) {
      await setKeychainEntry({ name }, { ...deps, input: scriptedInput({ piped: CANARY }) })
    }
    const listed = await listKeychainEntries({}, deps)
    expect(listed.services).toEqual(['aws', 'clowdops', 'openai'])
    expect(listed.entries.map((e) => e.reference)).toEqual(['keychain:aws/prod', 'keychain:clowdops/github-pat', 'keychain:openai/ops-agent'])
    expect(JSON.stringify(listed)).not.toContain(CANARY)

    await deleteKeychainEntry({ name: 'aws/prod' }, deps)
    deps.secrets.entries.delete('openai/ops-agent') // removed by another tool
    expect((await listKeychainEntries({}, deps)).entries.map((e) => e.reference)).toEqual(['keychain:clowdops/github-pat'])
    expect(deps.recorded()).toEqual([{ service: 'clowdops', account: 'github-pat' }])
    // Naming the service still lists every entry in it, whoever made it.
    expect((await listKeychainEntries({ service: 'clowdops' }, deps)).entries.map((e) => e.account).sort()).toEqual(['default', 'github-pat'])
  })
})

describe('the secret file adapter', () => {
  it('tells a directory from a missing path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'clowdops-secret-ref-'))
  mkdirSync(join(dir, 'sub'))
  expect((await secretFiles.read(join(dir, 'sub'), 10)).status).toBe('not_a_file')
  expect((await secretFiles.read(join(dir, 'none'), 10)).status).toBe('missing')
  })
})

describe("clowdops's own sign-in entries are not credential sources", () => {
  it('keychain:clowdops/PROFILE holding a sign-in is refused (exit 2) without its value; a clowdops/NAME secret a user stored still resolves', async () => {
    const signIn = JSON.stringify({ kind: 'oauth', access_token: 'cop_signin_canary', scopes: ['projects:read'] })
    const secrets = memoryStore({ 'clowdops/default': signIn, 'clowdops/ci-key': 'user-secret' })
    const error = await failure(resolveSecretRef({ kind: 'keychain', service: 'clowdops', account: 'default' }, sources({ secrets })))
    expect(error).toBeInstanceOf(UsageError)
    expect(error.message).toMatch(/keychain:clowdops\/default is the sign-in of profile default/)
    expect(JSON.stringify(error.toJSON())).not.toContain('cop_signin_canary')
    expect((await resolveSecretRef({ kind: 'keychain', service: 'clowdops', account: 'ci-key' }, sources({ secrets }))).reveal()).toBe('user-secret')
  })
})
