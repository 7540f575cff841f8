// The published JSON Schemas of the --json output (docs/schemas/), compiled by a third-party validator as a consumer's
// would: ajv, JSON Schema draft 2020-12, strict mode, with the standard formats.
import { readdirSync, readFileSync } from 'node:fs'
import { join, sep } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import ajvFormats from 'ajv-formats'

export const SCHEMA_DIR = 'docs/schemas'

/** Our commands by id (their path under commands/, ':' between topics), with their source file. */
export function ourCommands(): Map<string, string> {
  const files = readdirSync('commands', { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts')).sort()
  return new Map(files.map((file) => [file.replace(/\.ts$/, '').split(sep).join(':'), join(process.cwd(), 'commands', file)]))
}

/** Every committed schema file, by file name. */
export function publishedSchemas(): Map<string, Record<string, unknown>> {
  return new Map(
    readdirSync(SCHEMA_DIR)
      .sort()
      .map((file) => [file, JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')) as Record<string, unknown>]),
  )
}

/** Strict: an unknown keyword, format or a type ajv cannot be sure of is an error, not a schema that accepts anything. */
export function strictAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true })
  // ajv-formats is CommonJS: under NodeNext its default import is the module, whose `default` is the plugin.
  ajvFormats.default(ajv)
  return ajv
}
