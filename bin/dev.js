#!/usr/bin/env -S node --import tsx --no-warnings
// oclif development mode: the commands one by one (their TypeScript sources where oclif can map dist/ to them), without
// the bundle or the manifest, which describe the production layout (package.json, scripts/build.mjs); the oclif plugins
// are loaded as plugins, and the update notice is our init hook, as in production.
// CommonJS, like all of bin/ (bin/package.json).
'use strict'

const { readFileSync } = process.getBuiltinModule('node:fs')
const { join } = process.getBuiltinModule('node:path')

const PLUGINS = ['@oclif/plugin-help', '@oclif/plugin-autocomplete']

async function main() {
  process.env.NODE_ENV = 'development' // before the plugins load: it makes oclif map ./dist/... to the sources
  const { execute, Plugin } = await import('@oclif/core')
  const root = join(__dirname, '..')
  const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  pjson.oclif = { ...pjson.oclif, commands: './dist/commands', hooks: { init: './dist/src/cli/hooks/update-check.js', command_not_found: './dist/src/cli/hooks/not-found.js' } }
  const plugins = [
    new Plugin({ root, pjson, isRoot: true, ignoreManifest: true }),
    ...PLUGINS.map((name) => new Plugin({ name, root, type: 'core' })),
  ]
  await Promise.all(plugins.map((plugin) => plugin.load()))
  await execute({ development: true, loadOptions: { root, pjson, plugins: new Map(plugins.map((p) => [p.name, p])) } })
}

main()
