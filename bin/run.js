#!/usr/bin/env node
// The production entry. `--version` is answered here without loading oclif: it is the most-run command in scripts.
// Everything else runs the bundle, dist/clowdops.cjs (scripts/build.mjs), compiled through a V8 code cache.
// CommonJS (bin/package.json) and Node's built-ins through process.getBuiltinModule: an ES-module entry costs ~3 ms more.
'use strict'

const { chmodSync, closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } =
  process.getBuiltinModule('node:fs')
const { dirname, join } = process.getBuiltinModule('node:path')

const root = join(__dirname, '..')
const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const argv = process.argv.slice(2)
/**
 * Writes the code cache if this run adds to it, once. Called at exit, or earlier, just before V8's flags change at run
 * time: V8 checks the flags a cache was made under, and would refuse one made afterwards to every other command.
 */
let saveCodeCache = () => {}
const VERSION_WORDS = ['--version', '-v', 'version']
if (argv.length === 1 && VERSION_WORDS.includes(argv[0])) {
  process.stdout.write(`clowdops/${pjson.version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else if (argv.length === 2 && VERSION_WORDS.includes(argv[0]) && argv[1] === '--json') {
  // `--json` on every command, this one too; its fields are the text line's.
  const version = { name: pjson.name, version: pjson.version, platform: process.platform, arch: process.arch, node: process.version }
  process.stdout.write(`${JSON.stringify(version, null, 2)}\n`)
} else {
  if (argv[0] === 'privacy' && argv[1] === 'submit') tuneHeapForStreaming()
  // The update notice must never block or nag a pipeline.
  if (process.env.CI) process.env.CLOWDOPS_SKIP_NEW_VERSION_CHECK ??= 'true'
  const { execute } = loadBundle(join(root, 'dist', 'clowdops.cjs'))
  // The root and package.json are known here: oclif need not look for them.
  execute({ loadOptions: { root, pjson } })
}

/**
 * Runs the bundle as `require(file)` would, but compiled with the V8 code cache of an earlier run when there is one for
 * this build of the bundle and this Node.js: compiling it from source costs more than the rest of a command. The cache
 * is written at exit, on the first run and again the first time another command runs, so that it ends up holding the
 * code of every command in use. It lives in the OS cache directory; when that is not writable, nothing is cached.
 * The cache is code this process runs, so only a private one is loaded (see distrusted).
 */
function loadBundle(file) {
  const { Module, createRequire } = process.getBuiltinModule('node:module')
  const vm = process.getBuiltinModule('node:vm')
  let source
  try {
    source = readFileSync(file, 'latin1') // it is ASCII (see scripts/build.mjs): no UTF-8 decoding
  } catch (error) {
    process.stderr.write(`clowdops is not built (${error.code ?? error.message}): run npm run build.\n`)
    process.exit(1)
  }
  const buildId = /^\/\/ clowdops-bundle (\w+)/.exec(source)?.[1] ?? 'unknown'
  // One cache per copy of clowdops and Node.js version, so that two installs do not keep replacing each other's.
  const cacheFile = join(cacheDirectory(), `code-cache-${fnv1a(file)}-${process.version}-${process.arch}.bin`)
  const cached = readCodeCache(cacheFile, buildId)

  // The wrapper of a CommonJS module, plus the importer oclif's module loader uses (see scripts/build.mjs).
  const wrapper = `(function (exports, require, module, __filename, __dirname, __clowdopsImport) {${source}\n})`
  const script = new vm.Script(wrapper, { filename: file, cachedData: cached?.data })
  const bundle = new Module(file)
  bundle.filename = file
  const require = createRequire(file)
  require.cache[file] = bundle // oclif `require`s the bundle for its commands and hooks: this instance, not a second one
  script.runInThisContext()(bundle.exports, require, bundle, file, dirname(file), (url) => import(url))
  bundle.loaded = true

  saveCodeCache = () => {
    saveCodeCache = () => {}
    const ran = bundle.exports.loadedCommands().join(',') || '-'
    const valid = cached !== undefined && !script.cachedDataRejected
    if (!valid || !cached.runs.includes(ran)) writeCodeCache(cacheFile, buildId, valid ? [...cached.runs, ran] : [ran], script)
  }
  process.once('exit', () => saveCodeCache())
  return bundle.exports
}

/** Where oclif puts clowdops's caches (Config#cacheDir), so that they all sit together. */
function cacheDirectory() {
  const { env, platform } = process
  const home = () => process.getBuiltinModule('node:os').homedir()
  if (env.CLOWDOPS_CACHE_DIR) return env.CLOWDOPS_CACHE_DIR
  if (platform === 'darwin') return join(home(), 'Library', 'Caches', 'clowdops')
  return join(env.XDG_CACHE_HOME || (platform === 'win32' && env.LOCALAPPDATA) || join(home(), '.cache'), 'clowdops')
}

/** A short stable name for a path (loading node:crypto would cost more than the rest of this file). */
function fnv1a(text) {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
  return (hash >>> 0).toString(16).padStart(8, '0')
}

/**
 * The file is one header line, `clowdops-code-cache <build id> <runs>`, then V8's data. Read only from a directory and a
 * file nobody else can write, the file checked on the descriptor it is read from: a cache another user could have
 * written would be their code run as ours. That costs a stat of the directory more than reading the file did.
 */
function readCodeCache(file, buildId) {
  let fd
  try {
    let refused = distrusted(dirname(file), statSync(dirname(file)))
    if (refused === undefined) {
      fd = openSync(file, 'r')
      refused = distrusted(file, fstatSync(fd))
    }
    if (refused !== undefined) {
      debugCodeCache(refused)
      return undefined
    }
    const contents = readFileSync(fd)
    const newline = contents.indexOf(10)
    const [magic, id, runs] = contents.subarray(0, newline).toString().split(' ')
    if (magic !== 'clowdops-code-cache' || id !== buildId || !runs) return undefined
    return { data: contents.subarray(newline + 1), runs: runs.split(';') }
  } catch {
    return undefined
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/**
 * Why a cache file or directory is not to be trusted, or undefined when it is: it must belong to this user (or root, who
 * could change it anyway) and not be writable by group or others. Windows has no such modes: its cache directory is
 * the user's own profile.
 */
function distrusted(path, stats) {
  if (process.getuid === undefined) return undefined
  if (stats.uid !== process.getuid() && stats.uid !== 0) return `${path} belongs to another user (uid ${stats.uid})`
  if ((stats.mode & 0o022) !== 0) return `${path} can be written by others (mode ${(stats.mode & 0o7777).toString(8).padStart(4, '0')})`
  return undefined
}

/** One line under --debug (or DEBUG=clowdops*, as src/cli/deps.ts debugEnabled reads it): the cache is otherwise silent. */
function debugCodeCache(reason) {
  const debugging =
    argv.includes('--debug') || (process.env.DEBUG ?? '').split(/[\s,]+/).some((p) => p === '*' || p.startsWith('clowdops'))
  if (debugging) process.stderr.write(`clowdops code cache not used: ${reason}\n`)
}

/**
 * mkdir -p, each directory it makes 0700 whatever the umask (umask can only take bits away), but one level at a time:
 * Node's own recursive mkdirSync loops forever on some file systems (procfs).
 */
function makeDirectory(dir) {
  try {
    mkdirSync(dir, { mode: 0o700 })
  } catch (error) {
    if (error.code === 'EEXIST') return
    if (error.code !== 'ENOENT' || dirname(dir) === dir) throw error
    makeDirectory(dirname(dir))
    mkdirSync(dir, { mode: 0o700 })
  }
}

/**
 * The cache directory, made, or made private when it is this user's own and others can write to it (an older clowdops
 * made it so under umask 000). False when it is still not to be trusted: another user's, or a shared directory such as
 * /tmp (sticky, and not ours to close): nothing is written there.
 */
function privateDirectory(dir) {
  makeDirectory(dir)
  const stats = statSync(dir)
  if (distrusted(dir, stats) === undefined) return true
  if (stats.uid !== process.getuid() || (stats.mode & 0o1000) !== 0) return false
  chmodSync(dir, 0o700)
  return true
}

/**
 * Never fails the command: a cache that cannot be written is simply not there next time. A new private file (0600,
 * never an existing one: `wx`) renamed over the old, so an old file others could write is replaced, not written into.
 */
function writeCodeCache(file, buildId, runs, script) {
  const temporary = `${file}.${process.pid}.tmp`
  try {
    const header = Buffer.from(`clowdops-code-cache ${buildId} ${runs.join(';')}\n`)
    if (!privateDirectory(dirname(file))) return
    writeFileSync(temporary, Buffer.concat([header, script.createCachedData()]), { mode: 0o600, flag: 'wx' })
    renameSync(temporary, file) // readers see the old file or the new one, never half of one
  } catch {
    try {
      rmSync(temporary, { force: true })
    } catch {
      // nothing more to do
    }
  }
}

/**
 * A bulk submission streams millions of short-lived rows, and V8 answers that by doubling its young generation again
 * and again, up to 32 MB: most of the difference in peak memory between a short run and a long one. Stopping the
 * doubling at 16 MB keeps a million-row run within ~1.4x the memory of a 10,000-row one. Smaller costs CPU: the
 * collector copies the rows still in flight each time it runs, and at 8 MB it runs twice as often (GC pauses on
 * 100,000 rows: 8 MB ~155 ms, 16 MB ~110 ms, 32 MB ~75 ms; keeping the first 1 MB, as this did before, made them 3-4x
 * those of 32 MB). V8 reads the growth factor whenever it grows the space, so it is set after the first collection that
 * finds the space at the cap; its size flags only count at start-up. Only for this command, the one that streams; the
 * code cache is saved just before (see saveCodeCache).
 */
function tuneHeapForStreaming() {
  const v8 = process.getBuiltinModule('node:v8')
  const { PerformanceObserver } = process.getBuiltinModule('node:perf_hooks')
  const youngGenerationCap = 16 * 1024 * 1024
  const observer = new PerformanceObserver(() => {
    const young = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')
    if (young === undefined || young.space_size < youngGenerationCap) return
    saveCodeCache() // and no more after the flag changes: it saves once
    v8.setFlagsFromString('--semi-space-growth-factor=1')
    observer.disconnect()
  })
  observer.observe({ entryTypes: ['gc'] })
}
