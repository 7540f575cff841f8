// Errors the platform answers with, as RFC 9457 problem details carrying our `code` and `request_id`.
import { STATUS_CODES } from 'node:http'
import { DEFAULT_API_URL, Problem } from '../../src/core/contract/index.js'

const TITLES: Record<string, string> = {
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  invalid_request: 'Invalid request',
  invalid_token: 'Invalid or missing token',
  insufficient_scope: 'Insufficient scope',
  invalid_admin_key: 'Invalid or missing admin key',
  idempotency_key_required: 'Idempotency-Key required',
  idempotency_key_reused: 'Idempotency-Key reused with another request',
  idempotency_key_in_use: 'Idempotency-Key in use',
  invalid_cursor: 'Invalid cursor',
  rate_limited: 'Too many requests',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  internal_error: 'Internal error',
  bad_gateway: 'Bad gateway',
  unavailable: 'Service unavailable',
  request_timeout: 'Request timeout',
}

export interface FieldError {
  field: string
  message: string
}

/** Thrown anywhere in request handling; the server turns it into a problem response. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly extra: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail)
  }

  toBody(requestId: string): Problem {
    return Problem.parse({
      type: `${DEFAULT_API_URL}/problems/${this.code}`,
      title: TITLES[this.code] ?? STATUS_CODES[this.status] ?? 'Error',
      status: this.status,
      detail: this.message,
      code: this.code,
      request_id: requestId,
      ...(this.extra.errors ? { errors: this.extra.errors } : {}),
    })
  }
}
