// A secret value that refuses to be printed: toString, toJSON and util.inspect all say [redacted].

const REDACTED = '[redacted]'
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom')

export class Secret {
  readonly #value: string

  constructor(value: string) {
    this.#value = value
  }

  /** The only way to read the value. Call it at the last moment (sealing, an Authorization header). */
  reveal(): string {
    return this.#value
  }

  toString(): string {
    return REDACTED
  }

  toJSON(): string {
    return REDACTED
  }

  [inspectSymbol](): string {
    return REDACTED
  }
}

export const redacted = REDACTED
