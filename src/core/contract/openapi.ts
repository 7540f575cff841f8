// Generates the OpenAPI 3.1 document from the contract, so the published description cannot drift from the code.
import { z } from 'zod'
import { DEFAULT_API_URL, Headers, PROBLEM_CONTENT_TYPE } from './conventions.js'
import { type AnyEndpoint, endpoints } from './endpoints.js'

type JsonObject = Record<string, unknown>

const ref = (id: string) => `#/components/schemas/${id}`

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  // `uri` turns registered schemas into $refs; zod accepts it here although only the registry overload types it.
  const params = { target: 'draft-2020-12', io, uri: ref } as Parameters<typeof z.toJSONSchema>[1]
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, params) as JsonObject
  return rest
}

/** Responses may gain fields in a minor version: clients must ignore what they do not know. */
function openObjects(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(openObjects)
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key, inner]) => !(key === 'additionalProperties' && inner === false))
        .map(([key, inner]) => [key, openObjects(inner)]),
    )
  }
  return value
}

function components(): JsonObject {
  const { schemas } = z.toJSONSchema(z.globalRegistry, { target: 'draft-2020-12', uri: ref }) as {
    schemas: Record<string, JsonObject>
  }
  return Object.fromEntries(
    Object.entries(schemas)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, { $schema: _dialect, $id: _id, ...schema }]) => [id, openObjects(schema)]),
  )
}

function parameters(endpoint: AnyEndpoint): JsonObject[] {
  const out: JsonObject[] = []
  for (const [location, schema] of [
    ['path', endpoint.params],
    ['query', endpoint.query],
  ] as const) {
    if (!schema) continue
    const { properties = {}, required = [] } = jsonSchema(schema, 'input') as {
      properties?: Record<string, JsonObject>
      required?: string[]
    }
    for (const [name, property] of Object.entries(properties)) {
      const { description, ...propertySchema } = property
      out.push({
        name,
        in: location,
        required: location === 'path' || required.includes(name),
        ...(description ? { description } : {}),
        schema: propertySchema,
      })
    }
  }
  if (endpoint.idempotent) {
    out.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: true,
      description:
        'A unique key per logical operation (a UUID). The same key with the same body returns the first response ' +
        `(with \`${Headers.idempotentReplayed}: true\`); with a different body, a 422 \`idempotency_key_reused\`.`,
      schema: { type: 'string', minLength: 8, maxLength: 255 },
    })
  }
  return out
}

const problem = (description: string) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: ref('Problem') } } },
})

function operation(endpoint: AnyEndpoint): JsonObject {
  const requestIdHeader = { 'X-Request-Id': { schema: { type: 'string' }, description: 'Quote this to support.' } }
  const responses: JsonObject = endpoint.download
    ? fileResponses(endpoint.download.contentTypes, requestIdHeader)
    : {
        [String(endpoint.status)]: {
          description: 'Success.',
          headers: requestIdHeader,
          content: { 'application/json': { schema: openObjects(jsonSchema(endpoint.response, 'output')) } },
        },
      }
  if (endpoint.scopes !== undefined) {
    responses['401'] = problem('The token is missing, unknown, expired or revoked (`invalid_token`).')
    responses['403'] = problem('The token lacks a required scope (`insufficient_scope`).')
  }
  if (endpoint.params) responses['404'] = problem('No such resource (`not_found`).')
  if (endpoint.idempotent) responses['422'] = problem('The Idempotency-Key was used with another body.')
  responses['429'] = {
    ...problem('Rate-limited (`rate_limited`); wait for Retry-After seconds.'),
    headers: { 'Retry-After': { schema: { type: 'integer' } } },
  }
  responses.default = problem('Any other error, as application/problem+json.')

  return {
    operationId: endpoint.id,
    summary: endpoint.summary,
    tags: [endpoint.tag],
    ...(endpoint.scopes === undefined ? { security: [] } : { security: [{ bearer: endpoint.scopes }] }),
    ...(endpoint.scopes?.length ? { 'x-required-scopes': endpoint.scopes } : {}),
    parameters: parameters(endpoint),
    ...(endpoint.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(endpoint.body, 'input') } } } }
      : {}),
    responses,
  }
}

/** A file: the whole of it (200) or, for a `Range`, the part asked for (206); both carry a strong ETag. */
function fileResponses(contentTypes: string[], requestIdHeader: JsonObject): JsonObject {
  const content = Object.fromEntries(contentTypes.map((type) => [type, { schema: { type: 'string', contentEncoding: 'binary' } }]))
  const headers = {
    ...requestIdHeader,
    ETag: { schema: { type: 'string' }, description: 'Strong validator of the file; send it as If-Range when resuming.' },
    'Accept-Ranges': { schema: { type: 'string', const: 'bytes' } },
    'Content-Length': { schema: { type: 'integer' } },
  }
  return {
    '200': { description: 'The whole file.', headers, content },
    '206': {
      description: 'The range asked for (`Range: bytes=N-`), when If-Range still matches.',
      headers: { ...headers, 'Content-Range': { schema: { type: 'string' }, description: 'bytes N-M/TOTAL' } },
      content,
    },
    '416': problem('The range starts beyond the end of the file (`range_not_satisfiable`).'),
  }
}

/** Bump `info.version` with any change a client could notice. */
export function buildOpenApiDocument(): JsonObject {
  const paths: Record<string, JsonObject> = {}
  for (const endpoint of Object.values(endpoints) as AnyEndpoint[]) {
    paths[endpoint.path] = { ...paths[endpoint.path], [endpoint.method.toLowerCase()]: operation(endpoint) }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ClowdOps platform API',
      version: '1.0.0',
      description:
        'The API the clowdops CLI speaks. Bearer tokens; every mutating request carries an Idempotency-Key; ' +
        'errors are application/problem+json (RFC 9457) with a request_id; lists are cursor-paginated.',
    },
    servers: [{ url: DEFAULT_API_URL }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A personal access token (cop_...) or an OAuth access token.' } },
      schemas: components(),
    },
  }
}
