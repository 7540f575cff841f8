// npm run build: compile, then regenerate what is generated from the code — the OpenAPI document and the oclif manifest.
import { execFileSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'

function run(command, args) {
  try {
    execFileSync(command, args, { stdio: 'inherit' })
  } catch {
    process.exit(1) // the tool has already said what went wrong
  }
}

rmSync('dist', { recursive: true, force: true })
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'])

const { buildOpenApiDocument } = await import('../dist/src/core/contract/openapi.js')
writeFileSync('docs/openapi.json', `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`)

// A stale manifest with the same version silently hides new commands: always regenerate it.
process.env.OCLIF_SKIP_NEW_VERSION_CHECK = 'true'
run(process.execPath, ['node_modules/oclif/bin/run.js', 'manifest'])
console.log('built dist/, docs/openapi.json, .oclif.manifest.json')
