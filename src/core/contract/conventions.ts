// Conventions shared by every endpoint: problem errors (RFC 9457), cursor pages, idempotency, request ids.
import { z } from 'zod'

export const API_VERSION = 'v1'
export const DEFAULT_API_URL = 'https://platform.clowdops.ai'

export const Headers = {
  idempotencyKey: 'idempotency-key',
  idempotentReplayed: 'idempotent-replayed',
  requestId: 'x-request-id',
  retryAfter: 'retry-after',
  /** The caller's rate-limit bucket: how many requests it holds when full. */
  rateLimitLimit: 'ratelimit-limit',
  /** Whole requests left in the bucket after this one. */
  rateLimitRemaining: 'ratelimit-remaining',
  /**
   * The quota policy, draft-ietf-httpapi-ratelimit-headers-10 (`RateLimit-Policy`): `"name";q=QUOTA;w=WINDOW_SECONDS`,
   * i.e. QUOTA requests per WINDOW seconds on average. https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/
   */
  rateLimitPolicy: 'ratelimit-policy',
  /** The quota left, same draft (`RateLimit`): `"name";r=REMAINING;t=SECONDS_UNTIL_FULL`. */
  rateLimit: 'ratelimit',
} as const

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

/**
 * The most bytes the client reads of a response (an endpoint's `maxResponseBytes`, else `default`). A body over it is
 * refused (response_too_large) and its connection dropped: a broken server or proxy cannot exhaust memory.
 */
export const ResponseLimits = {
  default: 1024 * 1024,
  /** A cursor page of up to 100 items, or the results of a batch of up to 1,000. */
  page: 8 * 1024 * 1024,
  /** Health and discovery: a few hundred bytes in practice. */
  small: 64 * 1024,
} as const

/** An error response, `application/problem+json` (RFC 9457) with our `code` and `request_id` extensions. */
export const Problem = z
  .object({
    type: z.string().describe('A URI naming the problem type; `about:blank` when only the status matters.'),
    title: z.string().describe('A short, human summary of the problem type.'),
    status: z.number().int().min(400).max(599),
    detail: z.string().optional().describe('What went wrong with this request, for people.'),
    code: z.string().describe('A stable, machine-readable error code, e.g. `not_found`, `rate_limited`.'),
    request_id: z.string().describe('Quote this to support; it is also the `X-Request-Id` response header.'),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .describe('Per-field validation errors.'),
  })
  .meta({ id: 'Problem' })
export type Problem = z.infer<typeof Problem>

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('Items per page, 1 to 100.'),
  cursor: z.string().optional().describe('The `next_cursor` of the previous page.'),
})
export type PageQuery = z.infer<typeof PageQuery>

/** A cursor page: `next_cursor` is null on the last page. */
export function page<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      data: z.array(item),
      has_more: z.boolean(),
      next_cursor: z.string().nullable(),
    })
    .meta({ id })
}

export const IdempotencyKey = z
  .string()
  .min(8)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
  .describe('A unique key per logical operation (a UUID). Same key and body: the first response again; same key, other body: 422.')

/** Fill `{name}` placeholders, URL-encoding each value. */
export function fillPath(path: string, params: Record<string, string> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name]
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${path}`)
    return encodeURIComponent(value)
  })
}
