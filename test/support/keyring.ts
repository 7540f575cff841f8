// Helpers for tests against the OS keychain: is a throw-away Secret Service running, secret-tool, and child probes.
import { execFile, spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

/** Set by scripts/with-keyring.sh once gnome-keyring answers on a private D-Bus session bus. */
export const testKeyringReady = process.env.CLOWDOPS_TEST_KEYRING === '1'

/** CI as most providers spell it; CI=false or CI=0 (sometimes exported locally) does not count. */
export const inCI = !['', '0', 'false'].includes((process.env.CI ?? '').trim().toLowerCase())

export const missingKeyringReason =
  'No test Secret Service: CLOWDOPS_TEST_KEYRING is unset. Run the tests under scripts/with-keyring.sh ' +
  '(npm test does), which starts a throw-away gnome-keyring in its own D-Bus session ' +
  '(needs: apt-get install -y gnome-keyring dbus libsecret-1-0).'

/** Runs secret-tool (libsecret-tools) with the value, if any, on stdin; resolves with stdout. `bus`: another keyring's. */
export function secretTool(args: string[], input?: string, bus?: { DBUS_SESSION_BUS_ADDRESS: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = bus ? { ...process.env, ...bus } : process.env
    const child = execFile('secret-tool', args, { timeout: 10_000, env }, (error, stdout, stderr) => {
      if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
        reject(new Error('secret-tool not found: apt-get install -y libsecret-tools'))
      } else if (error) {
        reject(new Error(`secret-tool ${args[0]} failed: ${stderr.trim() || error.message}`))
      } else {
        resolve(stdout)
      }
    })
    child.stdin?.end(input ?? '')
  })
}

/** Attributes of the item keytar reads and writes; libsecret matches on xdg:schema too, so secret-tool must set it. */
export function keytarAttributes(service: string, account: string): string[] {
  return ['service', service, 'account', account, 'xdg:schema', 'org.freedesktop.Secret.Generic']
}

export interface ProbeResult {
  ok: boolean
  found?: boolean
  name?: string
  code?: string
  exitCode?: number
  message?: string
  elapsedMs: number
}

export interface ProbeRun {
  result: ProbeResult
  /** Resolves with the probe's exit code once the process has ended. */
  exited: Promise<number | null>
  kill(): void
}

/**
 * Calls the real adapter's `get` in a child node process with the given environment and prints the outcome as JSON.
 * A child, because a keychain call binds to the process's D-Bus environment and a stuck one pins a libuv thread.
 */
export async function probeKeychainGet(options: {
  env: NodeJS.ProcessEnv
  timeoutMs?: number
  /** Wraps the node command, e.g. ['dbus-run-session', '--config-file=…', '--']. */
  prefix?: string[]
}): Promise<ProbeRun> {
  const storeOptions = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }
  const adapterUrl = pathToFileURL(path.join(repoRoot, 'src/adapters/keychain.ts')).href
  const script = `
    const { createKeychainStore } = await import(${JSON.stringify(adapterUrl)})
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)
    const print = (result) => process.stdout.write(JSON.stringify({ ...result, elapsedMs: elapsed() }) + '\\n')
    try {
      const store = createKeychainStore(${JSON.stringify(storeOptions)})
      const value = await store.get('clowdops-probe', 'nobody')
      print({ ok: true, found: value !== undefined })
    } catch (error) {
      print({ ok: false, name: error.name, code: error.code, exitCode: error.exitCode, message: error.message })
    }
  `
  const command = [...(options.prefix ?? []), process.execPath, '--import', 'tsx', '--input-type=module', '-e', script]
  const [file, ...args] = command as [string, ...string[]]
  const child = spawn(file, args, { cwd: repoRoot, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const line = await new Promise<string>((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error(`probe printed nothing within 20 s; stderr: ${stderr}`)), 20_000)
    const check = () => {
      const end = stdout.indexOf('\n')
      if (end >= 0) {
        clearTimeout(guard)
        resolve(stdout.slice(0, end))
      }
    }
    child.stdout.on('data', check)
    void exited.then(() => {
      clearTimeout(guard)
      check()
      reject(new Error(`probe exited without a result; stderr: ${stderr}`))
    })
  })
  return {
    result: JSON.parse(line) as ProbeResult,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    },
  }
}

/** The environment of a process that cannot reach any Secret Service: no display, a bus address that leads nowhere. */
export function envWithBus(address: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DBUS_SESSION_BUS_ADDRESS: address }
  delete env.DISPLAY
  delete env.WAYLAND_DISPLAY
  delete env.GNOME_KEYRING_CONTROL
  return env
}

/**
 * A unix socket that accepts D-Bus clients and never answers: a hung session bus, for real.
 * `release()` closes every connection, which lets a stuck client fail and its process exit.
 */
export async function startSilentBus(): Promise<{ address: string; release(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'clowdops-silent-bus-'))
  const socketPath = path.join(dir, 'bus')
  const connections = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    connections.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => connections.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(socketPath, resolve))
  return {
    address: `unix:path=${socketPath}`,
    async release() {
      for (const socket of connections) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** A dbus-daemon configuration with no service directories, so nothing can be D-Bus-activated on that bus. */
export async function writeBusConfigWithoutServices(): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'clowdops-bare-bus-'))
  const configPath = path.join(dir, 'session.conf')
  await writeFile(
    configPath,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=${dir}</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`,
  )
  return { path: configPath, remove: () => rm(dir, { recursive: true, force: true }) }
}

/** A D-Bus session bus of a test's own, with nothing D-Bus-activatable on it. */
export interface PrivateBus {
  readonly address: string
  stop(): Promise<void>
}

/** Starts a dbus-daemon on a socket in a temp directory (no service files: nothing starts by itself on it). */
export async function startPrivateBus(): Promise<PrivateBus> {
  const config = await writeBusConfigWithoutServices()
  const daemon = spawn('dbus-daemon', [`--config-file=${config.path}`, '--nofork', '--print-address=1'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  })
  const exited = new Promise<void>((resolve) => daemon.once('exit', () => resolve()))
  try {
    const address = await firstLine(daemon.stdout, exited, 'dbus-daemon')
    return {
      address,
      async stop() {
        daemon.kill('SIGTERM')
        await exited
        await config.remove()
      },
    }
  } catch (error) {
    daemon.kill('SIGKILL')
    await config.remove()
    throw error
  }
}

function firstLine(stream: NodeJS.ReadableStream, exited: Promise<void>, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    const guard = setTimeout(() => reject(new Error(`${what} printed nothing within 5 s`)), 5000)
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      text += chunk
      const end = text.indexOf('\n')
      if (end >= 0) {
        clearTimeout(guard)
        resolve(text.slice(0, end).trim())
      }
    })
    void exited.then(() => {
      clearTimeout(guard)
      reject(new Error(`${what} exited before printing a line`))
    })
  })
}

/**
 * A gnome-keyring of a test's own, on its own bus and in its own HOME, for the tests that lock or stop a keyring: the
 * keyring of scripts/with-keyring.sh is shared by every test file running in parallel, so locking that one would fail
 * theirs. Thrown away by `stop()`.
 */
export interface PrivateKeyring {
  /** What a child process needs to use this keyring: its bus. */
  readonly env: { DBUS_SESSION_BUS_ADDRESS: string }
  /** Locks the login collection (the default one) through the Secret Service API, as a screen lock or timeout does. */
  lock(): Promise<void>
  /** Unlocks it again, with its password, as a person logging in does (gnome-keyring has no unlock call without a prompt). */
  unlock(): Promise<void>
  /** Whether the default collection is locked, as the Secret Service says. */
  locked(): Promise<boolean>
  /** SIGSTOP: the daemon is there (its bus name still owned) but answers nothing. */
  pause(): void
  /** SIGCONT. */
  resume(): void
  stop(): Promise<void>
}

/** Still running (a zombie has no command line). */
async function isKeyringDaemon(pid: number): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
  return cmdline.includes('gnome-keyring-daemon')
}

const PRIVATE_KEYRING_PASSWORD = 'clowdops-private-test-keyring' // protects a keyring deleted afterwards: not a secret

export async function startPrivateKeyring(): Promise<PrivateKeyring> {
  const bus = await startPrivateBus()
  const root = await mkdtemp(path.join(tmpdir(), 'clowdops-private-keyring-'))
  const dirs = { HOME: 'home', XDG_DATA_HOME: 'data', XDG_CONFIG_HOME: 'config', XDG_CACHE_HOME: 'cache', XDG_RUNTIME_DIR: 'runtime' }
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, DBUS_SESSION_BUS_ADDRESS: bus.address }
  for (const [name, dir] of Object.entries(dirs)) {
    env[name] = path.join(root, dir)
    await mkdir(env[name], { mode: 0o700 })
  }
  const busCall = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile('dbus-send', [`--bus=${bus.address}`, '--print-reply=literal', ...args], { timeout: 5000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`dbus-send ${args.slice(1).join(' ')}: ${stderr.trim() || error.message}`)) : resolve(stdout.trim()),
      )
    })
  const ownerPid = async () => {
    const reply = await busCall([
      '--dest=org.freedesktop.DBus',
      '/org/freedesktop/DBus',
      'org.freedesktop.DBus.GetConnectionUnixProcessID',
      'string:org.freedesktop.secrets',
    ])
    return Number(reply.split(/\s+/).pop())
  }
  const locked = async () =>
    /true/.test(
      await busCall([
        '--dest=org.freedesktop.secrets',
        '/org/freedesktop/secrets/aliases/default',
        'org.freedesktop.DBus.Properties.Get',
        'string:org.freedesktop.Secret.Collection',
        'string:Locked',
      ]),
    )
  /** Starts the daemon unlocked (or, with --replace, a new one in place of the running one), and waits for its bus name. */
  const startDaemon = async (replacing?: number) => {
    const child = spawn('gnome-keyring-daemon', ['--unlock', '--daemonize', '--components=secrets', ...(replacing ? ['--replace'] : [])], {
      env,
      stdio: ['pipe', 'ignore', 'ignore'],
    })
    child.stdin.end(PRIVATE_KEYRING_PASSWORD)
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject)
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`gnome-keyring-daemon exited ${code}`))))
    })
    for (let attempt = 0; attempt < 100; attempt++) {
      const pid = await ownerPid().catch(() => undefined)
      if (pid !== undefined && pid !== replacing && !(await locked().catch(() => true))) return pid
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error('gnome-keyring-daemon did not take org.freedesktop.secrets, unlocked, within 5 s')
  }
  const cleanUp = async (pid: number | undefined) => {
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGCONT')
        process.kill(pid, 'SIGTERM')
      } catch {
        // already gone
      }
    }
    await bus.stop() // the daemon also quits when its bus goes
    // It writes its keyring files on the way out: let it finish before its directory goes (bounded).
    for (let attempt = 0; pid !== undefined && attempt < 50 && (await isKeyringDaemon(pid)); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await rm(root, { recursive: true, force: true })
  }

  let daemonPid: number | undefined
  try {
    daemonPid = await startDaemon()
  } catch (error) {
    await cleanUp(daemonPid)
    throw error
  }
  return {
    env: { DBUS_SESSION_BUS_ADDRESS: bus.address },
    async lock() {
      await busCall([
        '--dest=org.freedesktop.secrets',
        '/org/freedesktop/secrets',
        'org.freedesktop.Secret.Service.Lock',
        'array:objpath:/org/freedesktop/secrets/collection/login',
      ])
      if (!(await locked())) throw new Error('the login collection did not lock')
    },
    async unlock() {
      daemonPid = await startDaemon(daemonPid)
    },
    locked,
    pause: () => process.kill(daemonPid!, 'SIGSTOP'),
    resume: () => process.kill(daemonPid!, 'SIGCONT'),
    stop: () => cleanUp(daemonPid),
  }
}
