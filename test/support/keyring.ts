// Helpers for tests against the OS keychain: is a throw-away Secret Service running, secret-tool, and child probes.
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
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

/** Runs secret-tool (libsecret-tools) with the value, if any, on stdin; resolves with stdout. */
export function secretTool(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('secret-tool', args, { timeout: 10_000 }, (error, stdout, stderr) => {
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
