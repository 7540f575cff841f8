// "Did you mean …?": the command_not_found hook of @oclif/plugin-not-found, loaded from node_modules only when a command
// is not found. Bundled, its prompt libraries made the bundle a third larger, which every other run paid for in reading.
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { type Hook, ModuleLoader } from '@oclif/core'

const notFound: Hook.CommandNotFound = async function (options) {
  // The package's index is the hook; it is loaded the way oclif loads hooks.
  const hookFile = createRequire(join(options.config.root, 'package.json')).resolve('@oclif/plugin-not-found')
  const { default: pluginHook } = (await ModuleLoader.load(options.config, hookFile)) as { default: Hook.CommandNotFound }
  return pluginHook.call(this, options)
}

export default notFound
