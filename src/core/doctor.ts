// `clowdops doctor`: checks the machine, the config, the keychain and the way to the platform, each failure with a fix.
import { z } from 'zod'
import { endpoints } from './contract/index.js'
import { ClowdopsError, ExitCode, KeychainUnavailableError } from './errors.js'
import { INSECURE_STORAGE_FIX } from './auth/insecure-storage.js'
import { LOGIN_HINT } from './auth/session.js'
import { browserUnavailable } from './auth/sign-in-choice.js'
import { KEYCHAIN_SERVICE } from './auth/tokens.js'
import type { Deps } from './ports.js'

export const MIN_NODE = [20, 17] as const
const SKEW_WARN_S = 30
const SKEW_FAIL_S = 300

export const Check = z.object({
  name: z.string(),
  status: z.enum(['ok', 'warn', 'fail']),
  detail: z.string(),
  fix: z.string().optional(),
})
export type Check = z.infer<typeof Check>

export const DoctorReport = z.object({ ok: z.boolean(), checks: z.array(Check) })
export type DoctorReport = z.infer<typeof DoctorReport>

type DoctorDeps = Pick<Deps, 'runtime' | 'config' | 'secrets' | 'api' | 'context' | 'clock' | 'network' | 'session' | 'env' | 'browser' | 'loopback' | 'interruption'>

export async function runDoctor(deps: DoctorDeps): Promise<DoctorReport> {
  const checks = [checkNode(deps), await checkConfig(deps), await checkKeychain(deps), await checkProxy(deps), await checkBrowser(deps), await checkLoopback(deps)]
  checks.push(...(await checkPlatform(deps)))
  return { ok: checks.every((check) => check.status !== 'fail'), checks }
}

/** 0 when no check failed; 9 when the OS keychain check did (as every keychain failure exits), else 1. */
export function doctorExitCode(report: DoctorReport): ExitCode {
  if (report.ok) return ExitCode.ok
  const keychainFailed = report.checks.some((check) => check.name === 'keychain' && check.status === 'fail')
  return keychainFailed ? ExitCode.keychain : ExitCode.failure
}

function checkNode({ runtime }: DoctorDeps): Check {
  const [major = 0, minor = 0] = runtime.nodeVersion.split('.').map(Number)
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1])
  return ok
    ? { name: 'node', status: 'ok', detail: `Node.js ${runtime.nodeVersion}` }
    : {
        name: 'node',
        status: 'fail',
        detail: `Node.js ${runtime.nodeVersion} is older than ${MIN_NODE.join('.')}`,
        fix: `Install Node.js ${MIN_NODE.join('.')} or later.`,
      }
}

async function checkConfig({ config }: DoctorDeps): Promise<Check> {
  try {
    await config.read()
  } catch (error) {
    return failure('config', error)
  }
  const modes = await config.modes()
  const loose = [
    modes.directory !== undefined && (modes.directory & 0o077) !== 0 ? `chmod 700 ${config.directory}` : undefined,
    modes.file !== undefined && (modes.file & 0o077) !== 0 ? `chmod 600 ${config.path}` : undefined,
  ].filter((fix): fix is string => fix !== undefined)
  if (loose.length > 0) {
    return { name: 'config', status: 'warn', detail: `${config.path} is readable by other users`, fix: loose.join(' && ') }
  }
  return {
    name: 'config',
    status: 'ok',
    detail: modes.file === undefined ? `${config.directory} (no config file yet)` : `${config.path} (0600)`,
  }
}

async function checkKeychain({ secrets, session }: DoctorDeps): Promise<Check> {
  try {
    const entries = await secrets.list(KEYCHAIN_SERVICE)
    return { name: 'keychain', status: 'ok', detail: `OS keychain reachable (${entries.length} clowdops entries)` }
  } catch (error) {
    if (!(error instanceof KeychainUnavailableError)) return failure('keychain', error)
    // Signed in through CLOWDOPS_TOKEN or the --insecure-storage file, nothing needs the keychain: only a warning.
    const source = await session.source().catch(() => undefined)
    return { ...failure('keychain', error), status: source === 'env' || source === 'file' ? 'warn' : 'fail' }
  }
}

async function checkProxy({ network, context }: DoctorDeps): Promise<Check> {
  const proxy = await network.proxyFor(context.apiUrl.url)
  return { name: 'proxy', status: 'ok', detail: proxy ? `via ${withoutCredentials(proxy)}` : 'none (direct connection)' }
}

const DEVICE_FALLBACK = 'clowdops login then signs in with a device code (as --device does).'

/**
 * `login` opens a browser here: a display (or $BROWSER) and an opener found on PATH. Where none can, the device code
 * still works, so only a warning; a $BROWSER that names no command is a mistake to fix, so a failure.
 */
async function checkBrowser({ env, runtime, browser }: DoctorDeps): Promise<Check> {
  const unavailable = browserUnavailable(env, runtime.platform)
  if (unavailable) return { name: 'browser', status: 'warn', detail: `no browser can open: ${unavailable}`, fix: DEVICE_FALLBACK }
  const opener = await browser.opener()
  if (opener) return { name: 'browser', status: 'ok', detail: `pages open with ${opener}${env.BROWSER?.trim() ? ' ($BROWSER)' : ''}` }
  if (env.BROWSER?.trim()) {
    return { name: 'browser', status: 'fail', detail: `$BROWSER names no command found on PATH (${env.BROWSER.trim()})`, fix: 'Set BROWSER to a browser command on PATH, or unset it.' }
  }
  return {
    name: 'browser',
    status: 'warn',
    detail: 'no program to open pages with was found (xdg-open)',
    fix: `Install xdg-utils or set BROWSER to a browser command; until then ${DEVICE_FALLBACK}`,
  }
}

/** The browser sign-in's listener can bind 127.0.0.1 (a sandbox without a loopback interface cannot). */
async function checkLoopback({ loopback, interruption }: DoctorDeps): Promise<Check> {
  try {
    const listener = await loopback.listen({ state: 'doctor', timeoutMs: 5_000, signal: interruption.signal })
    await listener.close()
    return { name: 'loopback', status: 'ok', detail: `the sign-in listener can bind ${new URL(listener.redirectUri).host}` }
  } catch (error) {
    return { ...failure('loopback', error), status: 'warn', fix: `Allow listening on 127.0.0.1; until then ${DEVICE_FALLBACK}` }
  }
}

async function checkPlatform({ api, context, clock, session }: DoctorDeps): Promise<Check[]> {
  const url = context.apiUrl.url
  let response: Awaited<ReturnType<typeof api.send<typeof endpoints.health>>>
  const sentAt = clock.now().getTime()
  try {
    response = await api.send(endpoints.health)
  } catch (error) {
    return [failure('api', error)]
  }
  const transport = url.startsWith('https:') ? 'TLS verified' : 'plain HTTP on loopback'
  const checks: Check[] = [
    { name: 'api', status: 'ok', detail: `${url} reachable, ${transport}, platform ${response.data.version}` },
  ]
  const date = response.headers.date
  if (typeof date === 'string' && !Number.isNaN(Date.parse(date))) {
    const midpoint = (sentAt + clock.now().getTime()) / 2
    const skew = Math.round((Date.parse(date) - midpoint) / 1000)
    const status = Math.abs(skew) >= SKEW_FAIL_S ? 'fail' : Math.abs(skew) >= SKEW_WARN_S ? 'warn' : 'ok'
    checks.push({
      name: 'clock',
      status,
      detail: `${Math.abs(skew)} s ${skew >= 0 ? 'behind' : 'ahead of'} the platform`,
      ...(status === 'ok' ? {} : { fix: 'Turn on network time sync (e.g. timedatectl set-ntp true); tokens expire by the clock.' }),
    })
  }
  checks.push(await checkToken({ api, session }))
  return checks
}

async function checkToken({ api, session }: Pick<DoctorDeps, 'api' | 'session'>): Promise<Check> {
  try {
    const source = await session.source()
    if (!source) return { name: 'token', status: 'warn', detail: 'not signed in', fix: LOGIN_HINT }
    const me = await api.call(endpoints.me)
    const who = `${me.email} (${me.org.name})`
    // Always reported here, whereas commands remind of it once a day.
    if (source === 'file') return { name: 'token', status: 'warn', detail: `${who} from a plaintext file (--insecure-storage)`, fix: INSECURE_STORAGE_FIX }
    return { name: 'token', status: 'ok', detail: `${who} from ${source}` }
  } catch (error) {
    return failure('token', error)
  }
}

function failure(name: string, error: unknown): Check {
  if (error instanceof ClowdopsError) {
    return { name, status: 'fail', detail: error.message, ...(error.hint ? { fix: error.hint } : {}) }
  }
  const message = error instanceof Error ? error.message : String(error)
  return { name, status: 'fail', detail: message, fix: 'Run again with --debug for details.' }
}

function withoutCredentials(proxy: string): string {
  try {
    const url = new URL(proxy)
    url.username = ''
    url.password = ''
    return url.toString().replace(/\/$/, '')
  } catch {
    return '(unparseable proxy URL)'
  }
}

