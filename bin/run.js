#!/usr/bin/env node
// The production entry. `--version` is answered here without loading oclif: it is the most-run command in scripts.
import { readFileSync } from 'node:fs'

const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v' || argv[0] === 'version')) {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`clowdops/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  // The update notice must never block or nag a pipeline.
  if (process.env.CI) process.env.CLOWDOPS_SKIP_NEW_VERSION_CHECK ??= 'true'
  const { execute } = await import('@oclif/core')
  await execute({ dir: import.meta.url })
}
