// The published contract of `--json`: a JSON Schema per command for what it prints on success, and one for the error
// body every command prints on failure. `npm run build` writes them to docs/schemas/; a test proves them current.
import { z } from 'zod'
import { ErrorOutput } from '../core/errors.js'

/** Where the schemas are published; each file's `$id` is this plus its file name. */
export const SCHEMA_BASE_URL = 'https://raw.githubusercontent.com/clowdops/clowdops/main/docs/schemas/'
export const ERROR_SCHEMA_FILE = 'error.json'

/** What the generator needs of a command class: BaseCommand's statics. */
export interface JsonCommand {
  enableJsonFlag?: boolean
  resultSchema?: z.ZodType | undefined
}

type JsonSchema = Record<string, unknown>

/** `privacy:consent:list` → `privacy-consent-list.json`, as sf names its command schemas. */
export function schemaFileName(commandId: string): string {
  return `${commandId.replaceAll(':', '-')}.json`
}

function document(file: string, title: string, schema: z.ZodType): JsonSchema {
  const { $schema, description, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output' }) as JsonSchema
  return { $schema, $id: `${SCHEMA_BASE_URL}${file}`, title, ...(description ? { description } : {}), ...rest }
}

/**
 * Every schema file by name, sorted: one per command with --json, and error.json. Throws when a command with --json
 * declares no result schema, so a new command cannot ship without one.
 */
export function jsonSchemaFiles(commands: ReadonlyMap<string, JsonCommand>): Map<string, JsonSchema> {
  const files = new Map<string, JsonSchema>()
  files.set(ERROR_SCHEMA_FILE, document(ERROR_SCHEMA_FILE, 'clowdops --json: the error body of any command that failed', ErrorOutput))
  const missing: string[] = []
  for (const [id, command] of commands) {
    if (command.enableJsonFlag === false) continue
    if (!command.resultSchema) {
      missing.push(id)
      continue
    }
    const file = schemaFileName(id)
    if (files.has(file)) throw new Error(`Two schemas would be written to docs/schemas/${file}: rename ${id}.`)
    files.set(file, document(file, `clowdops ${id.replaceAll(':', ' ')} --json`, command.resultSchema))
  }
  if (missing.length > 0) {
    throw new Error(`No static resultSchema on ${missing.join(', ')}: every command with --json declares the shape it prints.`)
  }
  // Code-point order, not the locale's: the same files in the same order on every machine.
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)))
}
