// Secret references — keychain:SERVICE/ACCOUNT, env:NAME, file:PATH, stdin — parsed, and resolved to a Secret.
//
// A secret never comes from argv: whatever is not a well-formed reference is refused as a literal, and no error made
// here ever repeats the text it was given (it may be the secret itself). Messages name a reference only once it has
// parsed, because only then is it known not to be a value.
//
// keychain:SERVICE/ACCOUNT splits at the FIRST `/`: a service has no `/` (they are names like `aws` or `clowdops`),
// an account may (`prod/eu-west-1`). Both are non-empty and free of control characters, as the keychain adapter
// requires. An env name is POSIX ([A-Za-z_][A-Za-z0-9_]*). A file path is any non-empty text without control
// characters, taken as is (relative to the working directory, no `~` expansion). The schemes are lowercase and exact.
import { KEYCHAIN_SERVICE, StoredTokens } from '../auth/tokens.js'
import { KeychainUnavailableError, NotFoundError, RefusedError, UsageError } from '../errors.js'
import type { IO, Prompter, SecretFiles, SecretInput, SecretStore } from '../ports.js'
import { Secret } from '../secret.js'

export type SecretRef =
  | { kind: 'keychain'; service: string; account: string }
  | { kind: 'env'; name: string }
  | { kind: 'file'; path: string }
  | { kind: 'stdin' }

export type SecretRefKind = SecretRef['kind']

export interface KeychainName {
  service: string
  account: string
}

export interface ParseSecretRefOptions {
  /** The secret field the text was given for (e.g. `secret_access_key`), shown in the message and the hint. */
  field?: string
}

/** The reference forms, as shown in help and hints. */
export const SECRET_REF_FORMS = 'keychain:SERVICE/ACCOUNT, env:NAME, file:PATH or stdin'

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
// Only a plain field name is repeated in messages: a malformed `--field` could put anything in the name.
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/

/**
 * A secret field's text as a reference. Throws UsageError (exit 2) for anything else — a literal value above all —
 * with a message and hint that depend only on `options.field` and which rule failed, never on the text.
 */
export function parseSecretRef(text: string, options: ParseSecretRefOptions = {}): SecretRef {
  if (text === 'stdin') return { kind: 'stdin' }
  const colon = text.indexOf(':')
  const scheme = colon > 0 ? text.slice(0, colon) : ''
  const rest = text.slice(colon + 1)
  switch (scheme) {
    case 'keychain': {
      const name = splitKeychainName(rest)
      if (name === undefined) throw malformed(options, 'a keychain reference is keychain:SERVICE/ACCOUNT, both parts non-empty, without control characters')
      return { kind: 'keychain', ...name }
    }
    case 'env':
      if (!ENV_NAME.test(rest)) throw malformed(options, 'an env reference is env:NAME, NAME made of letters, digits and _, not starting with a digit')
      return { kind: 'env', name: rest }
    case 'file':
      if (rest.length === 0 || hasControlCharacter(rest)) throw malformed(options, 'a file reference is file:PATH, PATH non-empty, without control characters')
      return { kind: 'file', path: rest }
    default:
      throw new UsageError(
        `${subject(options)} is not a secret reference; secret values are not accepted on the command line, so it was not used.`,
        { code: 'secret_literal', hint: referenceHint(options) },
      )
  }
}

/** The reference as text; `parseSecretRef(formatSecretRef(ref))` gives `ref` back. Safe to print: it holds no secret. */
export function formatSecretRef(ref: SecretRef): string {
  switch (ref.kind) {
    case 'keychain':
      return `keychain:${ref.service}/${ref.account}`
    case 'env':
      return `env:${ref.name}`
    case 'file':
      return `file:${ref.path}`
    case 'stdin':
      return 'stdin'
  }
}

/**
 * Whether a keychain value is one of clowdops's own sign-ins (service clowdops, a stored token record), which must never
 * be registered as a credential. A secret a user stored as clowdops/NAME is anything else, and stays usable.
 */
function isOwnSignIn(service: string, value: Secret): boolean {
  if (service !== KEYCHAIN_SERVICE) return false
  try {
    return StoredTokens.safeParse(JSON.parse(value.reveal())).success
  } catch {
    return false
  }
}

/**
 * A keychain entry's name for `clowdops keychain`: `SERVICE/ACCOUNT`, or the reference `keychain:SERVICE/ACCOUNT`.
 * Names are not secret, but a malformed one is still not repeated (it might have been a pasted value).
 */
export function parseKeychainName(text: string): KeychainName {
  const name = splitKeychainName(text.startsWith('keychain:') ? text.slice('keychain:'.length) : text)
  if (name === undefined) {
    throw new UsageError('A keychain entry is named SERVICE/ACCOUNT: both parts non-empty, without control characters.', {
      code: 'keychain_name_invalid',
      hint: 'For example: clowdops keychain set aws/prod (then use it as keychain:aws/prod).',
    })
  }
  return name
}

/** A keychain service name alone (no `/`), e.g. for `clowdops keychain list SERVICE`. */
export function parseKeychainService(text: string): string {
  if (text.length === 0 || text.includes('/') || hasControlCharacter(text)) {
    throw new UsageError('A keychain service name is non-empty, without "/" or control characters.', {
      code: 'keychain_name_invalid',
      hint: 'For example: clowdops keychain list aws',
    })
  }
  return text
}

function splitKeychainName(text: string): KeychainName | undefined {
  const slash = text.indexOf('/')
  if (slash <= 0 || slash === text.length - 1 || hasControlCharacter(text)) return undefined
  return { service: text.slice(0, slash), account: text.slice(slash + 1) }
}

/** C0 and C1 control characters, DEL included: names end up in messages, item labels and terminals. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true
  }
  return false
}

function plainField(options: ParseSecretRefOptions): string | undefined {
  return options.field !== undefined && FIELD_NAME.test(options.field) ? options.field : undefined
}

function subject(options: ParseSecretRefOptions): string {
  const field = plainField(options)
  return field === undefined ? 'The value given for a secret' : `The value given for secret field ${field}`
}

function malformed(options: ParseSecretRefOptions, rule: string): UsageError {
  return new UsageError(`${subject(options)} is not a valid secret reference: ${rule}.`, {
    code: 'secret_ref_invalid',
    hint: referenceHint(options),
  })
}

function referenceHint(options: ParseSecretRefOptions): string {
  const field = plainField(options)
  if (field === undefined) {
    return `Pass a reference instead: ${SECRET_REF_FORMS} (e.g. keychain:aws/prod after clowdops keychain set aws/prod).`
  }
  const envName = field.toUpperCase().replace(/[^A-Z0-9_]/g, '_')
  return (
    `Pass a reference instead: ${SECRET_REF_FORMS} — e.g. --field ${field}=keychain:aws/prod ` +
    `(store it first with clowdops keychain set aws/prod) or --field ${field}=env:${envName}.`
  )
}

// Resolution ----------------------------------------------------------------------------------------------------

/** What resolving a reference may read. Built once per command run (the stdin-once rule counts per `input`). */
export interface SecretSources {
  secrets: Pick<SecretStore, 'get'>
  env: Readonly<Record<string, string | undefined>>
  files: SecretFiles
  input: SecretInput
}

export interface ResolveSecretOptions {
  /** Accept a `file:` whose permissions let group or others read it (--allow-insecure-file). */
  allowInsecureFile?: boolean
  /** The field being resolved, for the prompt and messages (e.g. `secret_access_key`). */
  field?: string
}

/** Secret files are keys and tokens, not data sets: anything bigger is a mistake (a wrong path, a device). */
export const MAX_SECRET_FILE_BYTES = 1024 * 1024

/** A secret piped in is no bigger than one in a file: more is a wrong file or a stream (`cat /dev/zero`). */
export const MAX_SECRET_INPUT_BYTES = MAX_SECRET_FILE_BYTES

const stdinTaken = new WeakSet<SecretInput>()

/** Secrets handed over on this run's terminal: piped to stdin, or typed at a hidden prompt where one may be asked. */
export function secretInputOf(io: Pick<IO, 'in'>, prompter: Prompter | undefined): SecretInput {
  return {
    stdinIsTerminal: io.in.isTTY,
    canPrompt: io.in.isTTY && prompter !== undefined,
    async readStdin() {
      const bytes = await readAtMost(io.in.chunks(), MAX_SECRET_INPUT_BYTES)
      if (bytes === undefined) {
        throw new UsageError(
          `stdin holds more than ${MAX_SECRET_INPUT_BYTES / 1024 / 1024} MiB, too large for a secret; it was not used.`,
          {
            code: 'secret_input_too_large',
            hint: 'Pipe only the secret itself (a token or a key): check what the command before the | prints.',
          },
        )
      }
      return new Secret(new TextDecoder().decode(bytes).trim())
    },
    prompt: async (message) => {
      if (!prompter) throw new UsageError('No prompt can be shown here.')
      return prompter.secret(message)
    },
  }
}

/**
 * All of `chunks`, or undefined as soon as they pass `maxBytes`: leaving the loop there ends the stream, so the rest of
 * an endless or huge input is never read, let alone held in memory.
 */
async function readAtMost(chunks: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Uint8Array | undefined> {
  const parts: Uint8Array[] = []
  let size = 0
  for await (const chunk of chunks) {
    size += chunk.length
    if (size > maxBytes) return undefined
    parts.push(chunk)
  }
  const bytes = new Uint8Array(size)
  let at = 0
  for (const part of parts) {
    bytes.set(part, at)
    at += part.length
  }
  return bytes
}

/**
 * The secret a reference points at. Failures, none of which carry the secret:
 * - keychain entry absent → NotFoundError (5); keychain unreachable → KeychainUnavailableError (9) from the store;
 * - env variable unset or empty → UsageError (2);
 * - file missing, not a regular file or pipe, unreadable, too large or empty → UsageError (2) naming the path;
 *   readable by group or others → RefusedError (10) unless `allowInsecureFile`;
 * - stdin: piped input, else a hidden prompt where one may be shown, else UsageError; empty or over 1 MiB → UsageError;
 *   a second `stdin` for the same `sources.input` → UsageError (stdin holds one secret per command).
 */
export async function resolveSecretRef(
  ref: SecretRef,
  sources: SecretSources,
  options: ResolveSecretOptions = {},
): Promise<Secret> {
  const shown = formatSecretRef(ref)
  switch (ref.kind) {
    case 'keychain': {
      const value = await sources.secrets.get(ref.service, ref.account).catch((error: unknown) => {
        if (!(error instanceof KeychainUnavailableError)) throw error
        throw error.withHint(`${shown} needs the OS keychain: start or unlock it, or where there is none (CI) use env:NAME or file:PATH instead.`)
      })
      if (value === undefined) {
        throw new NotFoundError(`No OS keychain entry for ${shown}.`, {
          hint: `Store it with: clowdops keychain set ${ref.service}/${ref.account} (see clowdops keychain list ${ref.service}).`,
        })
      }
      if (isOwnSignIn(ref.service, value)) {
        throw new UsageError(`${shown} is the sign-in of profile ${ref.account}, kept by clowdops itself: not a credential's secret.`, {
          code: 'keychain_sign_in_entry',
          hint: `Store the credential's secret under its own name (clowdops keychain set SERVICE/NAME) and refer to that.`,
        })
      }
      return nonEmpty(value, `The OS keychain entry ${shown} is empty.`)
    }
    case 'env': {
      const value = sources.env[ref.name]
      if (value === undefined || value === '') {
        throw new UsageError(`${shown}: the environment variable ${ref.name} is ${value === undefined ? 'not set' : 'empty'}.`, {
          code: 'secret_env_unset',
          hint: `Set ${ref.name} in this environment (e.g. from your CI secrets), or use another reference: ${SECRET_REF_FORMS}.`,
        })
      }
      return new Secret(value)
    }
    case 'file':
      return readSecretFile(ref.path, shown, sources.files, options)
    case 'stdin': {
      if (stdinTaken.has(sources.input)) throw stdinTwice()
      stdinTaken.add(sources.input)
      return readSecretInput(sources.input, {
        prompt: options.field === undefined ? 'Secret' : `Value of ${options.field}`,
        hint: 'Pipe the secret to this command (e.g. from your CI secrets), or use keychain:, env: or file:.',
      })
    }
  }
}

/**
 * Several references, e.g. the secret fields of one credential. Refuses two `stdin` references before reading anything,
 * then resolves them one after the other (a prompt at a time).
 */
export async function resolveSecretRefs<K extends string>(
  refs: Readonly<Record<K, SecretRef>>,
  sources: SecretSources,
  options: Omit<ResolveSecretOptions, 'field'> = {},
): Promise<Record<K, Secret>> {
  const entries = Object.entries(refs) as [K, SecretRef][]
  if (entries.filter(([, ref]) => ref.kind === 'stdin').length > 1) throw stdinTwice()
  const resolved = {} as Record<K, Secret>
  for (const [field, ref] of entries) resolved[field] = await resolveSecretRef(ref, sources, { ...options, field })
  return resolved
}

/**
 * A secret handed over directly: everything piped to stdin, else a hidden prompt where one may be shown. With a
 * terminal but no prompt allowed (CI, --json) it refuses at once rather than wait for input nobody will type.
 */
export async function readSecretInput(input: SecretInput, options: { prompt: string; hint: string }): Promise<Secret> {
  let value: Secret
  if (!input.stdinIsTerminal) value = await input.readStdin()
  else if (input.canPrompt) value = await input.prompt(options.prompt)
  else {
    throw new UsageError('A secret is needed on stdin, but stdin is a terminal and prompts are off here (CI or --json).', {
      code: 'secret_input_missing',
      hint: options.hint,
    })
  }
  return nonEmpty(value, 'The secret given is empty.', options.hint)
}

async function readSecretFile(path: string, shown: string, files: SecretFiles, options: ResolveSecretOptions): Promise<Secret> {
  const read = await files.read(path, MAX_SECRET_FILE_BYTES)
  const usage = (problem: string, hint?: string) =>
    new UsageError(`${shown}: ${problem}.`, { code: 'secret_file_unusable', ...(hint ? { hint } : {}) })
  switch (read.status) {
    case 'missing':
      throw usage(
        `no file at ${path}`,
        path.startsWith('~') ? 'The shell does not expand ~ inside a reference: write $HOME/… instead.' : 'Check the path; a relative one starts from the current directory.',
      )
    case 'not_a_file':
      throw usage(`${path} is not a regular file or a pipe`)
    case 'too_large':
      throw usage(`${path} is larger than ${read.maxBytes} bytes, too large for a secret`)
    case 'unreadable':
      throw usage(`${path} cannot be read (${read.reason})`)
    case 'read':
      break
  }
  if (read.mode !== undefined && (read.mode & 0o044) !== 0 && options.allowInsecureFile !== true) {
    throw new RefusedError(
      `${shown}: ${path} can be read by ${describeReaders(read.mode)} (mode ${(read.mode & 0o777).toString(8).padStart(4, '0')}); a secret file must be readable by its owner only.`,
      {
        code: 'secret_file_insecure',
        hint: `Run chmod 600 ${path}, or pass --allow-insecure-file to accept the risk.`,
      },
    )
  }
  // Editors and `echo` end a file with a newline that is no part of the secret.
  return nonEmpty(new Secret(read.value.reveal().replace(/(\r?\n)+$/, '')), `${shown}: ${path} is empty.`)
}

function describeReaders(mode: number): string {
  const group = (mode & 0o040) !== 0
  const others = (mode & 0o004) !== 0
  return group && others ? 'its group and everyone else' : group ? 'its group' : 'everyone else'
}

function nonEmpty(value: Secret, message: string, hint?: string): Secret {
  if (value.reveal() === '') throw new UsageError(message, { code: 'secret_empty', ...(hint ? { hint } : {}) })
  return value
}

function stdinTwice(): UsageError {
  return new UsageError('stdin can supply only one secret per command, and more than one field asks for it.', {
    code: 'secret_stdin_twice',
    hint: `Give the other secrets another reference: keychain:SERVICE/ACCOUNT, env:NAME or file:PATH.`,
  })
}
