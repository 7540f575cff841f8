// The outside world as the core sees it. Adapters implement these; tests pass real ones pointed somewhere safe.
import type { z } from 'zod'
import type { AnyEndpoint } from './contract/endpoints.js'
import type { ResolvedApiUrl } from './api-url.js'
import type { TokenSource, TokenVault } from './auth/tokens.js'
import type { AuthServerMetadata, DeviceAuthorization, OAuthError, TokenResponse } from './contract/oauth.js'
import type { DownloadResult } from './privacy/exports.js'
import type { ConfigFile, Profile } from './profile.js'
import type { Secret } from './secret.js'
import type { IamActionLoader, PolicyDocumentInput } from './credentials/policy-check.js'
import type { SecretSources } from './credentials/secret-ref.js'
import type { BulkInput, BulkSource, JournalOptions, ReportWriter, RequestIdList } from './bulk/run.js'
import type { OpenedJournal } from './bulk/journal.js'

export interface CallInput<E extends AnyEndpoint> {
  params?: z.input<NonNullable<E['params']>>
  query?: z.input<NonNullable<E['query']>>
  body?: z.input<NonNullable<E['body']>>
  /** Required by idempotent endpoints; the client generates one when absent. */
  idempotencyKey?: string
  /** Use this token instead of the session's (e.g. to check a token before storing it). */
  token?: Secret
  signal?: AbortSignal
  /** false: one attempt only, failures thrown at once, for a caller that schedules its own retries (bulk submission). */
  retry?: false
  /**
   * The caller built the body only from values it already checked against the contract, so it is not parsed again
   * (bulk batches: every row passed checkRow, which a property test holds to BatchItem; re-parsing a hundred items per
   * request cost more CPU than sending them).
   */
  bodyChecked?: true
}

export interface ApiResponse<T> {
  data: T
  status: number
  headers: Record<string, string | string[] | undefined>
  requestId: string | undefined
}

export interface ApiClient {
  readonly baseUrl: string
  call<E extends AnyEndpoint>(endpoint: E, input?: CallInput<E>): Promise<z.output<E['response']>>
  send<E extends AnyEndpoint>(endpoint: E, input?: CallInput<E>): Promise<ApiResponse<z.output<E['response']>>>
}

/** The OS keychain. Only names are ever listed; values travel as Secret. */
export interface SecretStore {
  get(service: string, account: string): Promise<Secret | undefined>
  set(service: string, account: string, value: Secret): Promise<void>
  delete(service: string, account: string): Promise<boolean>
  list(service: string): Promise<string[]>
  /** Fails as `set` would (unreachable, locked, not answering: KeychainUnavailableError), without storing anything. */
  checkWritable(service: string, account: string): Promise<void>
}

/** A secret file as read for a `file:` reference; the core decides what is acceptable. */
export type SecretFileRead =
  /** `mode`: permission bits of the file read, or undefined where the OS has none (Windows). */
  | { status: 'read'; mode: number | undefined; value: Secret }
  | { status: 'missing' }
  | { status: 'not_a_file' }
  | { status: 'too_large'; maxBytes: number }
  | { status: 'unreadable'; reason: string }

/** Reads secret files (`file:PATH` references): contents and permission bits from the same open file. */
export interface SecretFiles {
  read(path: string, maxBytes: number): Promise<SecretFileRead>
}

/** Where a pipe or a person hands a secret over: everything piped to stdin, or a hidden prompt on the terminal. */
export interface SecretInput {
  /** stdin is a terminal, so nothing is piped in. */
  readonly stdinIsTerminal: boolean
  /** A hidden prompt may be shown: stdin is a terminal, CI is unset and --json was not given. */
  readonly canPrompt: boolean
  /** Everything piped to stdin, surrounding whitespace trimmed; past 1 MiB a UsageError. Only when stdin is not a terminal. */
  readStdin(): Promise<Secret>
  /** A hidden (masked) prompt. Only when canPrompt. */
  prompt(message: string): Promise<Secret>
}

export interface Clock {
  now(): Date
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export interface ConfigStore {
  /** Absolute path of the config file, for messages. */
  readonly path: string
  readonly directory: string
  /** The validated file; an absent file reads as empty. A corrupt one throws ConfigError and is left untouched. */
  read(): Promise<ConfigFile>
  /** Read, change, validate and write back (atomically, mode 0600). */
  update(change: (config: ConfigFile) => ConfigFile): Promise<ConfigFile>
  /** Permission bits of the directory and the file, undefined where absent. */
  modes(): Promise<{ directory: number | undefined; file: number | undefined }>
}

/** Facts about the running program, for doctor and the User-Agent. */
export interface Runtime {
  cliVersion: string
  nodeVersion: string
  platform: string
  arch: string
}

export type TokenResult = { ok: true; tokens: TokenResponse } | { ok: false; error: OAuthError }

/** The platform's OAuth 2.0 authorization server, found through discovery. */
export interface AuthServer {
  discover(apiUrl: string): Promise<AuthServerMetadata>
  startDeviceFlow(metadata: AuthServerMetadata, scopes: string[]): Promise<DeviceAuthorization>
  /** One token request (device code, refresh, exchange). An OAuth error comes back as a value: polling expects them. */
  token(metadata: AuthServerMetadata, grant: Record<string, string | Secret>): Promise<TokenResult>
  revoke(metadata: AuthServerMetadata, token: Secret, hint: 'access_token' | 'refresh_token'): Promise<void>
}

/**
 * When a reminder was last shown, kept across runs (the --insecure-storage warning is shown once a day, not every run).
 * Best effort: a log that cannot be read reads as empty, one that cannot be written is not, and neither fails a command.
 */
export interface NoticeLog {
  lastShown(key: string): Promise<Date | undefined>
  markShown(key: string, at: Date): Promise<void>
}

export interface KeychainName {
  service: string
  account: string
}

/**
 * The names (never the values) of the entries `clowdops keychain set` stored, for `keychain list` without a SERVICE.
 * Best effort: a record that cannot be read is empty, one that cannot be written is left as it was.
 */
export interface KeychainRecord {
  list(): Promise<KeychainName[]>
  add(name: KeychainName): Promise<void>
  remove(names: readonly KeychainName[]): Promise<void>
}

/** Mutual exclusion between clowdops processes (e.g. around a token refresh). */
export interface Locks {
  withLock<T>(name: string, run: () => Promise<T>): Promise<T>
}

/** Who and where this run talks to: the selected profile, the API URL and the token, resolved once per run. */
export interface Context {
  profileName: string
  profile: Profile
  apiUrl: ResolvedApiUrl
}

export interface Network {
  /** The proxy a request to `url` would go through, if any. */
  proxyFor(url: string): Promise<string | undefined>
}

export interface DownloadRequest {
  /** The API path of the file (the download endpoint's path, filled), fetched with the session's token. */
  path: string
  /** Where the verified file ends up. A partial file beside it holds the bytes received so far. */
  destination: string
  /** From the manifest: the download is verified against these before it is renamed into place. */
  expected: { bytes: number; sha256: string }
  /** Replace a destination that exists with other content (one with the expected SHA-256 is never fetched again). */
  overwrite?: boolean
  onProgress?: (progress: { received: number; total: number }) => void
  signal?: AbortSignal
}

/** Declared as a schema with the export that prints it (privacy/exports.ts). */
export type { DownloadResult }

/** Resumable, verified file downloads from the platform (export archives). Memory stays flat whatever the size. */
export interface Downloader {
  download(request: DownloadRequest): Promise<DownloadResult>
}

/**
 * Privacy requests about to be created, kept on disk before the POST: a run that lost the response (timeout, crash,
 * Ctrl-C) leaves its id here, and running the same command again sends the same id, which the platform replays.
 */
export interface PendingRequests {
  /** The id kept for this fingerprint, or `fresh`, stored (and flushed) before this returns. */
  reserve(fingerprint: string, fresh: string): Promise<{ id: string; reused: boolean }>
  /** Forget it: the platform gave a final answer (created, replayed, or refused for good). */
  release(fingerprint: string): Promise<void>
}

/** One output stream of the terminal: stdout or stderr. */
export interface OutputStream {
  readonly isTTY: boolean
  /** Columns of the terminal; undefined where it is not one. */
  readonly columns: number | undefined
  /** As a Writable's write: false once the stream's buffer is full, then wait for drain() before writing more. */
  write(text: string): boolean
  /** Resolves once a full buffer has been written out (at once when it is not full). */
  drain(): Promise<void>
}

/** Standard input: a terminal, or bytes piped in (read once). */
export interface InputStream {
  readonly isTTY: boolean
  /** Everything until end of input. Read once: stdin cannot be read twice. */
  chunks(): AsyncIterable<Uint8Array>
}

/** The terminal of a run (gh's IOStreams): where output goes, what it is, whether a person could answer. */
export interface IO {
  readonly in: InputStream
  readonly out: OutputStream
  readonly err: OutputStream
  /** Colour for output: 0 none, 1 basic, 2 256 colours, 3 truecolor (FORCE_COLOR, NO_COLOR, TERM, a terminal). */
  readonly colorLevel: 0 | 1 | 2 | 3
  /** A person is at a terminal: stdin and stderr are terminals and CI is unset. (--json also rules prompts out.) */
  readonly canPrompt: boolean
  /** A status line on stderr: rewritten in place on a terminal; elsewhere written as a line when it changed. */
  status(line: string): void
  /** Ends the status line, so what follows starts on a line of its own (clears it with `clear`). */
  endStatus(options?: { clear?: boolean }): void
}

/** Questions for the person at the terminal. Only in Deps where one may be asked (a terminal, no CI, no --json). */
export interface Prompter {
  /** A visible one-line answer. */
  text(message: string): Promise<string>
  /** A hidden (masked) answer. */
  secret(message: string): Promise<Secret>
  /** Yes or no; the default is no. */
  confirm(message: string): Promise<boolean>
  /** One of `choices`. */
  select<T extends string>(message: string, choices: readonly { value: T; name: string }[]): Promise<T>
}

/** The CI system's identity service, asked for the job's OIDC ID token. */
export interface CiIdentity {
  /**
   * GitHub Actions: GET `url` (ACTIONS_ID_TOKEN_REQUEST_URL) with `audience` added, the request token as the bearer; the
   * answer's `value` is the ID token. The request token goes into the Authorization header and nowhere else.
   */
  requestGitHubActionsToken(request: { url: string; requestToken: Secret; audience: string }): Promise<Secret>
}

/** Opens a page for the person; best effort, so the URL must be on screen as well. */
export interface Browser {
  open(url: string): void
  /** The command `open` would run, found on PATH (for doctor), or undefined when there is none. */
  opener(): Promise<string | undefined>
}

/** The browser's answer to an authorization request, caught on 127.0.0.1 (RFC 8252 §7.3 and §8.3). */
export interface LoopbackRedirect {
  /** `http://127.0.0.1:PORT/callback`: the redirect_uri of this sign-in, on the port the OS picked. */
  readonly redirectUri: string
  /**
   * The query of the first `GET /callback` whose `state` matches; any other request is refused and the wait goes on.
   * The listener closes once answered. undefined when `timeoutMs` passed first; rejects with the signal's reason when it
   * aborts (Ctrl-C). Called once.
   */
  answer(): Promise<URLSearchParams | undefined>
  /** Stops listening (idempotent): no later request reaches this process. */
  close(): Promise<void>
}

/** Listens on the loopback interface for one OAuth redirect. */
export interface LoopbackListener {
  listen(options: { state: string; timeoutMs: number; signal: AbortSignal }): Promise<LoopbackRedirect>
}

/**
 * Ctrl-C as the core sees it: `signal` aborts (with an InterruptedError as its reason) and every use case unwinds
 * through its finally blocks. Work that must not be torn (a token grant and the storing of its result) runs in
 * `uninterrupted`: an interrupt that arrives meanwhile takes effect when it ends (bounded).
 */
export interface Interruption {
  readonly signal: AbortSignal
  uninterrupted<T>(work: () => Promise<T>): Promise<T>
}

/** Where an output path the user named goes, once checked. */
export type OutputTarget = { kind: 'file' | 'directory'; path: string }

/** The files the user names on the command line ('-' is stdin where a reader allows it). */
export interface UserFiles {
  /**
   * Checks an output path before any work is done: a file in an existing folder, or (where accepted) an existing
   * directory; a usage error (exit 2) naming `flag` and the path otherwise. The path comes back absolute.
   */
  checkOutput(flag: string, path: string, accepts: 'file' | 'file-or-directory'): Promise<OutputTarget>
  /** `privacy submit --file`: CSV or JSONL, maybe gzip. */
  openBulkInput(source: BulkSource): Promise<BulkInput>
  /** `privacy submit --journal`. */
  openJournal(options: JournalOptions): Promise<OpenedJournal>
  /** `privacy submit --report`. */
  createReport(path: string): Promise<ReportWriter>
  /** `privacy wait --from`: one request id a line, or a submit report. */
  readRequestIds(path: string): Promise<RequestIdList>
  /** `--policy`: IAM policy documents, read whole (size-capped). */
  readPolicies(paths: readonly string[]): Promise<PolicyDocumentInput[]>
  /** The absolute form of a path, for files placed beside it. */
  absolute(path: string): string
}

/** Everything a use case may need from outside, built once per command run. Use cases take a Pick of it. */
export interface Deps {
  env: Readonly<Record<string, string | undefined>>
  io: IO
  /** Absent where nobody may be asked: use cases then fail with the flag to pass instead. */
  prompter?: Prompter | undefined
  browser: Browser
  /** Loaded on first use: only the browser sign-in listens. */
  loopback: LoopbackListener
  interruption: Interruption
  /** What secret references (keychain:, env:, file:, stdin) read; one per run, as stdin holds one secret. */
  sources: SecretSources
  /** AWS action metadata for the IAM policy lint, loaded for the services a policy names. */
  iamActions: IamActionLoader
  files: UserFiles
  runtime: Runtime
  clock: Clock
  config: ConfigStore
  secrets: SecretStore
  keychainRecord: KeychainRecord
  network: Network
  context: Context
  api: ApiClient
  vaults: { keychain: TokenVault; file: TokenVault }
  auth: AuthServer
  locks: Locks
  session: Session
  ciIdentity: CiIdentity
  downloads: Downloader
  pending: PendingRequests
}

/** The signed-in state of this run's profile: resolves (and refreshes) the token on demand. */
export interface Session {
  /** The token for API calls, refreshed first when it is about to expire; undefined when not signed in. */
  token(): Promise<Secret | undefined>
  /** Where the token came from, once resolved. */
  source(): Promise<TokenSource | undefined>
  /** After a 401 with `rejected`: a refreshed token to retry with once, or undefined. */
  afterRejection(rejected: Secret): Promise<Secret | undefined>
}
