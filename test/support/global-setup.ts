// Builds the sources and the bundle once per test run, so the tests that spawn bin/run.js run today's code.
// `--compile-only` leaves docs/openapi.json, .oclif.manifest.json and README.md alone: tests check those are current.
import { execFileSync } from 'node:child_process'

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--compile-only'], { stdio: 'inherit' })
}
