// The one error taxonomy: every expected failure is a ClowdopsError with a stable code, exit code and hint.
import { z } from 'zod'

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  cancelled: 3,
  notSignedIn: 4,
  notFound: 5,
  conflict: 6,
  network: 7,
  pending: 8,
  keychain: 9,
  refused: 10,
  partial: 11,
  /** A `--fail-if` check found what it looks for (a privacy deadline missed or at risk); the output is complete. */
  checkFailed: 12,
  interrupted: 130,
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/** A failure as text and `--json` both show it. */
export const ErrorBody = z.object({
  code: z.string().describe('Stable and machine-readable, e.g. not_found, usage, invalid_code.'),
  message: z.string(),
  hint: z.string().optional().describe('What to do about it, in one line.'),
  exitCode: z.number().int().min(1).max(255).describe('The exit code of the process, as in the README table.'),
  status: z.number().int().min(100).max(599).optional().describe('The HTTP status, when the platform answered with an error.'),
  requestId: z.string().optional().describe("The platform's request id, to quote to support."),
})
export type ErrorBody = z.infer<typeof ErrorBody>

/** What `--json` prints on stdout on failure, for scripts and for the contract tests that parse it. */
export const ErrorOutput = z.object({ error: ErrorBody })
export type ErrorOutput = z.infer<typeof ErrorOutput>

export interface ErrorOptions {
  hint?: string
  cause?: unknown
}

export class ClowdopsError extends Error {
  readonly code: string
  readonly exitCode: ExitCode
  readonly hint: string | undefined

  constructor(code: string, exitCode: ExitCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.exitCode = exitCode
    this.hint = options.hint
  }

  toJSON(): ErrorBody {
    return { code: this.code, message: this.message, exitCode: this.exitCode, ...(this.hint ? { hint: this.hint } : {}) }
  }

  /** The same error (class, code, status, request id) with the hint a use case knows better. */
  withHint(hint: string): this {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as this
    return Object.assign(copy, this, { hint, message: this.message, stack: this.stack })
  }
}

/** Bad or missing flags, or input needed where there is no TTY to ask on. */
export class UsageError extends ClowdopsError {
  constructor(message: string, options: ErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'usage', ExitCode.usage, message, options)
  }
}

export class CancelledError extends ClowdopsError {
  constructor(message = 'Cancelled.') {
    super('cancelled', ExitCode.cancelled, message)
  }
}

export class NotSignedInError extends ClowdopsError {
  constructor(message = 'You are not signed in.', options: ErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'not_signed_in', ExitCode.notSignedIn, message, {
      hint: 'Run clowdops login (or set CLOWDOPS_TOKEN in CI).',
      ...options,
    })
  }
}

export class NotFoundError extends ClowdopsError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('not_found', ExitCode.notFound, message, options)
  }
}

export class ConflictError extends ClowdopsError {
  constructor(message: string, options: ErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'conflict', ExitCode.conflict, message, options)
  }
}

/** Unreachable, timed out, or still rate-limited after every retry. */
export class NetworkError extends ClowdopsError {
  constructor(message: string, options: ErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'network', ExitCode.network, message, {
      hint: 'Check your connection, proxy (HTTPS_PROXY) and the API URL, then try again.',
      ...options,
    })
  }
}

export class PendingError extends ClowdopsError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('still_pending', ExitCode.pending, message, options)
  }
}

/** Unreachable, locked (code keychain_locked) or not answering in time. */
export class KeychainUnavailableError extends ClowdopsError {
  constructor(message: string, options: ErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'keychain_unavailable', ExitCode.keychain, message, {
      hint:
        'Start or unlock your OS keychain (on Linux: a Secret Service such as gnome-keyring), ' +
        'or set CLOWDOPS_TOKEN instead.',
      ...options,
    })
  }
}

/** Refused before anything was sent: invalid input or a failed least-privilege check. */
export class RefusedError extends ClowdopsError {
  constructor(message: string, options: ErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'refused', ExitCode.refused, message, options)
  }
}

export class InterruptedError extends ClowdopsError {
  constructor() {
    super('interrupted', ExitCode.interrupted, 'Interrupted.')
  }
}

/** A local file (config, state) that cannot be read as it stands. Never reset silently. */
export class ConfigError extends ClowdopsError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('config_invalid', ExitCode.failure, message, options)
  }
}

/** The platform answered with an error (application/problem+json or otherwise). */
export class PlatformError extends ClowdopsError {
  readonly status: number
  readonly requestId: string | undefined
  /** The platform's Retry-After, for callers that schedule their own retries. */
  readonly retryAfterMs: number | undefined

  constructor(
    message: string,
    options: ErrorOptions & { code: string; status: number; requestId?: string; exitCode?: ExitCode; retryAfterMs?: number },
  ) {
    super(options.code, options.exitCode ?? ExitCode.failure, message, options)
    this.status = options.status
    this.requestId = options.requestId
    this.retryAfterMs = options.retryAfterMs
  }

  override toJSON(): ErrorBody {
    return {
      ...super.toJSON(),
      status: this.status,
      ...(this.requestId ? { requestId: this.requestId } : {}),
    }
  }
}

/** Downloaded bytes that do not match what the platform's manifest promised; nothing is left at the destination. */
export class IntegrityError extends ClowdopsError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('checksum_mismatch', ExitCode.failure, message, {
      hint: options.hint ?? 'The partial file was deleted; run the same command again to download it afresh.',
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    })
  }
}

/** The platform answered 2xx with a body that does not match the contract. */
export class ResponseShapeError extends ClowdopsError {
  constructor(endpoint: string, issues: string) {
    super('unexpected_response', ExitCode.failure, `Unexpected response from ${endpoint}: ${issues}`, {
      hint: 'The platform and this CLI disagree on the API; upgrade clowdops (npm install -g clowdops).',
    })
  }
}

/** A response bigger than its endpoint's cap: reading stopped there and the connection was dropped, so memory stays bounded. */
export class ResponseTooLargeError extends ClowdopsError {
  constructor(message: string) {
    super('response_too_large', ExitCode.failure, message, {
      hint: 'The platform, or a proxy on the way, sent far more than this request needs; try again, and report it if it persists.',
    })
  }
}

/** Exit code for an HTTP error status, so the same status always means the same exit. */
export function exitCodeForStatus(status: number, code?: string): ExitCode {
  if (status === 401) return ExitCode.notSignedIn
  if (status === 403) return ExitCode.notSignedIn
  if (status === 404) return ExitCode.notFound
  if (status === 409) return ExitCode.conflict
  if (status === 422 && code === 'idempotency_key_reused') return ExitCode.conflict
  // The platform understood the input and refused it (a wrong code, a sandbox of another project): it did not fail.
  if (status === 422) return ExitCode.refused
  if (status === 408 || status === 429) return ExitCode.network
  return ExitCode.failure
}

