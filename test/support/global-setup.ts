// Compiles the sources once per test run, so the tests that spawn bin/run.js run today's code.
// It does not regenerate docs/openapi.json or .oclif.manifest.json: tests check those are up to date.
import { execFileSync } from 'node:child_process'

export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' })
}
