// Lint rules, including the layers as an allowlist (local rule `clowdops/layers`): what each layer may import, and that
// only the terminal adapters, src/cli/deps.ts and bin/ touch the process's streams or exit.
import { dirname, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import tseslint from 'typescript-eslint'

const root = dirname(fileURLToPath(import.meta.url))

/** Where a file sits: core, cli, adapters, commands, or nothing this rule judges. */
function layerOf(path) {
  const [top, second] = path.split(sep)
  if (top === 'commands') return 'commands'
  if (top === 'src' && ['core', 'cli', 'adapters'].includes(second)) return second
  return undefined
}

/** Packages (bare specifiers) each layer may import. Adapters and the CLI glue take what they implement with. */
const PACKAGES = {
  core: new Set(['zod', '@hpke/core', 'node:crypto', 'node:buffer']),
  commands: new Set(['@oclif/core']),
}
/** Layers each layer may import from by relative path. */
const LAYERS = {
  core: new Set(['core']),
  adapters: new Set(['core', 'adapters']),
  cli: new Set(['core', 'cli']),
  commands: new Set(['core', 'cli', 'commands']),
}
const DEPS_MODULE = ['src', 'cli', 'deps.ts'].join(sep)

const layersRule = {
  meta: { type: 'problem', schema: [], messages: { layer: '{{why}}' } },
  create(context) {
    const file = relative(root, context.filename)
    const layer = layerOf(file)
    if (!layer) return {}
    const check = (node, specifier, reexport) => {
      if (typeof specifier !== 'string') return
      const report = (why) => context.report({ node, messageId: 'layer', data: { why } })
      if (!specifier.startsWith('.')) {
        const allowed = PACKAGES[layer]
        if (allowed && !allowed.has(specifier)) report(`${layer} may import only ${[...allowed].join(', ')} of the packages; take "${specifier}" as a port (src/core/ports.ts).`)
        return
      }
      const target = layerOf(relative(root, resolve(dirname(context.filename), specifier)))
      if (target === 'adapters' && layer === 'cli' && file !== DEPS_MODULE) {
        report('src/cli reaches adapters only through src/cli/deps.ts: add a port to Deps.')
      } else if (target === 'adapters' && reexport && layer !== 'adapters') {
        report('Do not re-export an adapter: hand it out through Deps.')
      } else if (target && !(LAYERS[layer].has(target) || (layer === 'cli' && target === 'adapters'))) {
        report(`${layer} may not import from ${target} (${LAYERS[layer].size ? [...LAYERS[layer]].join(', ') : 'nothing'} only).`)
      }
    }
    return {
      ImportDeclaration: (node) => check(node, node.source.value, false),
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source.value : undefined, false),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value, true),
      ExportAllDeclaration: (node) => check(node, node.source.value, true),
    }
  },
}

const PROCESS_IO = ['stdout', 'stderr', 'exit'].map((property) => ({
  object: 'process',
  property,
  message: 'Write through the IO port (deps.io / this.io); only the terminal adapters, src/cli/deps.ts and bin/ touch the process streams.',
}))

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.scratch/'] },
  ...tseslint.configs.recommended,
  {
    plugins: { clowdops: { rules: { layers: layersRule } } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-console': 'error',
      'clowdops/layers': 'error',
    },
  },
  {
    files: ['src/**/*.ts', 'commands/**/*.ts'],
    ignores: ['src/adapters/terminal.ts', 'src/adapters/interruption.ts', 'src/cli/deps.ts'],
    rules: { 'no-restricted-properties': ['error', ...PROCESS_IO] },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'process', message: 'src/core does not touch process: take env/runtime from Deps.' }, { name: 'console', message: 'src/core does not print.' }],
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**', 'bin/**'],
    rules: { 'no-console': 'off' },
  },
)
