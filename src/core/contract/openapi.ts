// Generates the OpenAPI 3.1 document from the contract, so the published description cannot drift from the code.
import { z } from 'zod'
import { DEFAULT_API_URL, Headers, PROBLEM_CONTENT_TYPE, Problem } from './conventions.js'
import { type AnyEndpoint, endpoints } from './endpoints.js'

type JsonObject = Record<string, unknown>
type Io = 'input' | 'output'

const COMPONENTS = '#/components/schemas/'
const ref = (name: string) => `${COMPONENTS}${name}`
/** Where zod points a registered schema before it is named: inside one schema (`$defs`), or in the registry's output. */
const LOCAL_DEF = '#/$defs/'
const REGISTERED = '#/registered/'

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

/** Every `$ref` in a schema, as the id of the registered schema it names. */
function referencedIds(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const inner of value) referencedIds(inner, found)
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') found.add(idOf(inner))
      else referencedIds(inner, found)
    }
  }
  return found
}

function idOf(reference: string): string {
  for (const prefix of [LOCAL_DEF, REGISTERED]) if (reference.startsWith(prefix)) return reference.slice(prefix.length)
  throw new Error(`Unexpected $ref ${reference} in a generated schema`)
}

function mapRefs(value: unknown, to: (id: string) => string): unknown {
  if (Array.isArray(value)) return value.map((inner) => mapRefs(inner, to))
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, key === '$ref' && typeof inner === 'string' ? to(idOf(inner)) : mapRefs(inner, to)]),
    )
  }
  return value
}

/**
 * The registered schemas (zod's global registry, `.meta({ id })`) as OpenAPI components, each once: its output shape
 * (what responses carry) under its id, and where a request body sees it differently (fields with defaults are
 * optional on the way in) its input shape under `<id>Input`. Every schema of an operation refers to them by
 * `#/components/schemas/…`, which OpenAPI tools resolve against the document; only those referenced are published.
 */
class Components {
  private readonly shapes: Record<Io, Record<string, JsonObject>>
  private readonly inputVariants = new Set<string>()
  private readonly used: Record<Io, Set<string>> = { input: new Set(), output: new Set() }

  constructor() {
    const registry = (io: Io) => {
      const { schemas } = z.toJSONSchema(z.globalRegistry, { target: 'draft-2020-12', io, uri: (id: string) => `${REGISTERED}${id}` }) as {
        schemas: Record<string, JsonObject>
      }
      return Object.fromEntries(
        Object.entries(schemas).map(([id, { $schema: _dialect, $id: _id, ...schema }]) => [id, openObjects(schema) as JsonObject]),
      )
    }
    this.shapes = { input: registry('input'), output: registry('output') }
    const { input, output } = this.shapes
    for (const id of Object.keys(output)) if (JSON.stringify(input[id]) !== JSON.stringify(output[id])) this.inputVariants.add(id)
    // A schema whose input refers to an input variant is one too, as its refs must point at the variant.
    for (let grew = true; grew; ) {
      grew = false
      for (const id of Object.keys(input)) {
        if (this.inputVariants.has(id) || ![...referencedIds(input[id])].some((ref) => this.inputVariants.has(ref))) continue
        this.inputVariants.add(id)
        grew = true
      }
    }
  }

  private nameOf(id: string, io: Io): string {
    return io === 'input' && this.inputVariants.has(id) ? `${id}Input` : id
  }

  /** One schema of an operation, with its registered parts as refs to components (recorded as used). */
  schema(schema: z.ZodType, io: Io): JsonObject {
    const params = { target: 'draft-2020-12', io } as Parameters<typeof z.toJSONSchema>[1]
    const { $schema: _dialect, $defs: _defs, ...rest } = z.toJSONSchema(schema, params) as JsonObject
    return this.link(openObjects(rest), io) as JsonObject
  }

  private link(value: unknown, io: Io): unknown {
    return mapRefs(value, (id) => {
      this.use(id, io)
      return ref(this.nameOf(id, io))
    })
  }

  private use(id: string, io: Io): void {
    const seen = this.used[io]
    if (seen.has(id)) return
    if (!this.shapes[io][id]) throw new Error(`${id} is referenced but not registered`)
    seen.add(id)
    for (const inner of referencedIds(this.shapes[io][id])) this.use(inner, io)
  }

  /** The components referenced so far, by name. */
  published(): JsonObject {
    // An input that reads like the output is published once, under the output's name.
    for (const id of [...this.used.input]) if (!this.inputVariants.has(id)) this.use(id, 'output')
    const entries: [string, unknown][] = []
    for (const io of ['output', 'input'] as const) {
      for (const id of this.used[io]) {
        if (io === 'input' && !this.inputVariants.has(id)) continue
        entries.push([this.nameOf(id, io), mapRefs(this.shapes[io][id], (inner) => ref(this.nameOf(inner, io)))])
      }
    }
    return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)))
  }
}

function parameters(endpoint: AnyEndpoint, components: Components): JsonObject[] {
  const out: JsonObject[] = []
  for (const [location, schema] of [
    ['path', endpoint.params],
    ['query', endpoint.query],
  ] as const) {
    if (!schema) continue
    const { properties = {}, required = [] } = components.schema(schema, 'input') as {
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

const problem = (description: string, components: Components) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: components.schema(Problem, 'output') } },
})

function operation(endpoint: AnyEndpoint, components: Components): JsonObject {
  const requestIdHeader = { 'X-Request-Id': { schema: { type: 'string' }, description: 'Quote this to support.' } }
  // The caller's rate-limit bucket, on every answer to an authenticated request.
  const rateLimitHeaders =
    endpoint.scopes === undefined ? {} : Object.fromEntries(Object.keys(RATE_LIMIT_HEADERS).map((name) => [name, { $ref: `#/components/headers/${name}` }]))
  const responses: JsonObject = endpoint.download
    ? fileResponses(endpoint.download.contentTypes, requestIdHeader, components)
    : {
        [String(endpoint.status)]: {
          description: 'Success.',
          headers: { ...requestIdHeader, ...rateLimitHeaders },
          content: { 'application/json': { schema: components.schema(endpoint.response, 'output') } },
        },
      }
  if (endpoint.scopes !== undefined) {
    responses['401'] = problem('The token is missing, unknown, expired or revoked (`invalid_token`).', components)
    responses['403'] = problem('The token lacks a required scope (`insufficient_scope`).', components)
  }
  if (endpoint.params) responses['404'] = problem('No such resource (`not_found`).', components)
  if (endpoint.idempotent) responses['422'] = problem('The Idempotency-Key was used with another body.', components)
  responses['429'] = {
    ...problem('Rate-limited (`rate_limited`); wait for Retry-After seconds.', components),
    headers: { 'Retry-After': { schema: { type: 'integer' } }, ...rateLimitHeaders },
  }
  responses.default = problem('Any other error, as application/problem+json.', components)

  return {
    operationId: endpoint.id,
    summary: endpoint.summary,
    tags: [endpoint.tag],
    ...(endpoint.scopes === undefined ? { security: [] } : { security: [{ bearer: endpoint.scopes }] }),
    ...(endpoint.scopes?.length ? { 'x-required-scopes': endpoint.scopes } : {}),
    parameters: parameters(endpoint, components),
    ...(endpoint.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: components.schema(endpoint.body, 'input') } } } }
      : {}),
    responses,
  }
}

/** The rate-limit fields of draft-ietf-httpapi-ratelimit-headers-10, and the two of its earlier drafts, defined once. */
const RATE_LIMIT_HEADERS: Record<string, JsonObject> = {
  'RateLimit-Policy': {
    schema: { type: 'string' },
    description: 'The quota (draft-ietf-httpapi-ratelimit-headers): `"default";q=QUOTA;w=WINDOW_SECONDS`, QUOTA requests per WINDOW seconds on average.',
  },
  RateLimit: { schema: { type: 'string' }, description: 'What is left of it: `"default";r=REMAINING;t=SECONDS_UNTIL_FULL`.' },
  'RateLimit-Limit': { schema: { type: 'integer' }, description: "The most requests the bucket holds (the draft's earlier field)." },
  'RateLimit-Remaining': { schema: { type: 'integer' }, description: "Whole requests left after this one (the draft's earlier field)." },
}

/** A file: the whole of it (200) or, for a `Range`, the part asked for (206); both carry a strong ETag. */
function fileResponses(contentTypes: string[], requestIdHeader: JsonObject, components: Components): JsonObject {
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
    '416': problem('The range starts beyond the end of the file (`range_not_satisfiable`).', components),
  }
}

/** Bump `info.version` with any change a client could notice. */
export function buildOpenApiDocument(): JsonObject {
  const components = new Components()
  const paths: Record<string, JsonObject> = {}
  for (const endpoint of Object.values(endpoints) as AnyEndpoint[]) {
    paths[endpoint.path] = { ...paths[endpoint.path], [endpoint.method.toLowerCase()]: operation(endpoint, components) }
  }
  const used = new Set((Object.values(endpoints) as AnyEndpoint[]).map((endpoint) => endpoint.tag))
  const unknown = [...used].filter((tag) => !(tag in TAGS))
  if (unknown.length > 0) throw new Error(`Endpoint tags without a description in TAGS: ${unknown.join(', ')}`)
  return {
    openapi: '3.1.0',
    info: {
      title: 'ClowdOps platform API',
      version: '1.0.0',
      description:
        'The API the clowdops CLI speaks. Bearer tokens; every mutating request carries an Idempotency-Key; ' +
        'errors are application/problem+json (RFC 9457) with a request_id; lists are cursor-paginated.',
      contact: { name: 'ClowdOps', url: 'https://github.com/clowdops/clowdops/issues' },
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: DEFAULT_API_URL, description: 'The public platform; a private deployment has its own URL.' }],
    security: [{ bearer: [] }],
    tags: Object.entries(TAGS)
      .filter(([name]) => used.has(name))
      .map(([name, description]) => ({ name, description })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A personal access token (cop_...) or an OAuth access token.' } },
      headers: RATE_LIMIT_HEADERS,
      schemas: components.published(),
    },
  }
}

/** What each tag groups, for readers of the document and the tools that render it. */
const TAGS: Record<string, string> = {
  meta: 'The API itself: liveness and version.',
  users: 'The signed-in user, their organisation and the scopes of the token.',
  ci: 'CI sign-in: the rules under which the token exchange (RFC 8693) accepts a CI job’s OIDC ID token.',
  projects: 'Projects of the organisation: what credentials and sandboxes belong to.',
  sandboxes: 'Sandboxes inside a project, where agents work and credentials are attached.',
  credentials: 'Cloud, AI and notification credentials, sealed on the client to the platform key before upload.',
  privacy: 'Privacy requests under GDPR, UK GDPR and CCPA: create, verify, follow, cancel, download, and in bulk.',
  consent: 'Consent for non-essential cookies and marketing email: current choices, writes and history.',
}
