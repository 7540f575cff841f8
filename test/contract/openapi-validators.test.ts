// docs/openapi.json as tools nobody here wrote read it: Redocly CLI's `lint` with its recommended rules, and
// swagger-parser's validation and dereferencing (what code generators and Swagger UI go through). Both must accept the
// committed document with no error and no warning; test/contract/generated.test.ts proves it is the one the code makes.
import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import SwaggerParser from '@apidevtools/swagger-parser'
import { describe, expect, it } from 'vitest'

const DOCUMENT = 'docs/openapi.json'
const require = createRequire(import.meta.url)
const redoclyCli = join(dirname(require.resolve('@redocly/cli/package.json')), 'bin', 'cli.js')

interface RedoclyReport {
  totals: { errors: number; warnings: number }
  problems: { ruleId: string; severity: string; message: string }[]
}

/** Redocly's lint as its CLI runs it, offline: no telemetry, no update check. */
function redoclyLint(path: string): Promise<RedoclyReport> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [redoclyCli, 'lint', path, '--extends', 'recommended', '--format', 'json'],
      { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        try {
          resolve(JSON.parse(stdout) as RedoclyReport)
        } catch {
          reject(new Error(`redocly lint printed no report (${error?.message ?? 'no error'}): ${stderr.slice(0, 2000)}`))
        }
      },
    )
  })
}

describe('the OpenAPI document, read by third-party tools', () => {
  it('Redocly CLI lint (recommended rules): no errors, no warnings', async () => {
    const report = await redoclyLint(DOCUMENT)
    const problems = report.problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message}`)
    expect(problems).toEqual([])
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 })
  }, 60_000)

  it('swagger-parser validates it and resolves every $ref', async () => {
    const api = (await SwaggerParser.validate(DOCUMENT)) as { paths: Record<string, unknown> }
    const dereferenced = JSON.stringify(await SwaggerParser.dereference(DOCUMENT))
    expect(dereferenced).not.toContain('"$ref"')
    expect(Object.keys(api.paths).length).toBeGreaterThan(20)
  })
})
