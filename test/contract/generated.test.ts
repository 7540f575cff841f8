// Generated files are committed; these fail when the code changed and `npm run build` was not run since.
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { Plugin } from '@oclif/core'
import { describe, expect, it } from 'vitest'
import { type JsonCommand, jsonSchemaFiles } from '../../src/cli/json-schemas.js'
import { buildOpenApiDocument } from '../../src/core/contract/openapi.js'
import { ourCommands, publishedSchemas, SCHEMA_DIR, strictAjv } from '../support/json-schemas.js'

const STALE = 'is stale: run `npm run build` and commit the result'

describe('generated files', () => {
  it(`docs/openapi.json matches the contract (else it ${STALE})`, () => {
    const committed = JSON.parse(readFileSync('docs/openapi.json', 'utf8')) as unknown
    expect(committed, `docs/openapi.json ${STALE}`).toEqual(buildOpenApiDocument())
  })

  it(`.oclif.manifest.json matches the commands (else it ${STALE})`, async () => {
    const plugin = new Plugin({ root: process.cwd(), type: 'core', ignoreManifest: true, errorOnManifestCreate: true })
    // As `oclif manifest` runs: in production mode, reading the built commands rather than looking for TypeScript.
    const nodeEnv = process.env.NODE_ENV
    process.env.NODE_ENV = 'production'
    try {
      await plugin.load()
    } finally {
      process.env.NODE_ENV = nodeEnv
    }
    const fresh = JSON.parse(JSON.stringify(plugin.manifest)) as unknown
    const committed = JSON.parse(readFileSync('.oclif.manifest.json', 'utf8')) as unknown
    expect(committed, `.oclif.manifest.json ${STALE}`).toEqual(fresh)
  })

  it(`docs/schemas/ matches the commands' result schemas (else it ${STALE})`, async () => {
    const fresh = jsonSchemaFiles(await sourceCommands())
    const committed = publishedSchemas()
    expect([...committed.keys()], `${SCHEMA_DIR}/ ${STALE}`).toEqual([...fresh.keys()])
    for (const [file, schema] of fresh) expect(committed.get(file), `${SCHEMA_DIR}/${file} ${STALE}`).toEqual(schema)
  })

  it('every published schema compiles in a third-party validator in strict mode (ajv, draft 2020-12)', () => {
    const ajv = strictAjv()
    const schemas = publishedSchemas()
    expect(schemas.size).toBeGreaterThan(1)
    for (const [file, schema] of schemas) {
      expect(schema.$schema, file).toBe('https://json-schema.org/draft/2020-12/schema')
      expect(() => ajv.compile(schema), file).not.toThrow()
    }
  })

  it('the OpenAPI document describes every endpoint with problem+json errors and idempotency keys', () => {
    const doc = buildOpenApiDocument() as {
      openapi: string
      paths: Record<string, Record<string, { parameters: { name: string; required: boolean }[]; responses: Record<string, unknown> }>>
    }
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/v1/aws-trust',
      '/v1/ci-trust',
      '/v1/credential-keys',
      '/v1/credentials/{credential_id}',
      '/v1/credentials/{credential_id}/rotate',
      '/v1/credentials/{credential_id}/sandboxes/{sandbox_id}',
      '/v1/credentials/{credential_id}/verify',
      '/v1/health',
      '/v1/me',
      '/v1/privacy/consents',
      '/v1/privacy/consents/{purpose}',
      '/v1/privacy/consents/{purpose}/history',
      '/v1/privacy/discovery',
      '/v1/privacy/report',
      '/v1/privacy/requests',
      '/v1/privacy/requests/{request_id}',
      '/v1/privacy/requests/{request_id}/appeals',
      '/v1/privacy/requests/{request_id}/cancel',
      '/v1/privacy/requests/{request_id}/clarifications',
      '/v1/privacy/requests/{request_id}/clarifications:answer',
      '/v1/privacy/requests/{request_id}/complaints',
      '/v1/privacy/requests/{request_id}/export',
      '/v1/privacy/requests/{request_id}/export/files/{name}',
      '/v1/privacy/requests/{request_id}/verification',
      '/v1/privacy/requests/{request_id}/verification/code',
      '/v1/privacy/requests:batch',
      '/v1/projects',
      '/v1/projects/{project_id}/credentials',
      '/v1/projects/{project_id}/sandboxes',
    ])
    const create = doc.paths['/v1/projects']?.post
    expect(create?.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', required: true }))
    expect(JSON.stringify(create?.responses.default)).toContain('application/problem+json')
    const attachment = doc.paths['/v1/credentials/{credential_id}/sandboxes/{sandbox_id}']
    for (const mutation of [attachment?.put, attachment?.delete, doc.paths['/v1/credentials/{credential_id}/rotate']?.post, doc.paths['/v1/credentials/{credential_id}/verify']?.post]) {
      expect(mutation?.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', required: true }))
    }
    // A privacy request's id is its Idempotency-Key; the export file is bytes with ranges, not JSON.
    expect(doc.paths['/v1/privacy/requests']?.post?.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', required: true }))
    expect(doc.paths['/v1/privacy/requests:batch']?.post?.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', required: true }))
    const file = doc.paths['/v1/privacy/requests/{request_id}/export/files/{name}']?.get?.responses
    expect(Object.keys(file ?? {})).toEqual(expect.arrayContaining(['200', '206', '416']))
    expect(JSON.stringify(file?.['200'])).toContain('application/zip')
    expect(JSON.stringify(file?.['206'])).toContain('Content-Range')
  })
})

/** Every command class under commands/, by id, loaded from the TypeScript sources. */
async function sourceCommands(): Promise<Map<string, JsonCommand>> {
  const commands = new Map<string, JsonCommand>()
  for (const [id, path] of ourCommands()) commands.set(id, ((await import(pathToFileURL(path).href)) as { default: JsonCommand }).default)
  return commands
}
