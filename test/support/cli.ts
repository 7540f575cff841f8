// Runs the built CLI as users do: `node bin/run.js` in a child process, with a clean, controlled environment.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'run.js')

/** Environment variables of the test process that would leak into the child and change what it does. */
const INHERITED = ['PATH', 'HOME', 'DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR', 'XDG_DATA_HOME', 'LANG', 'TMPDIR']

export function freshConfigDir(): string {
  return mkdtempSync(join(tmpdir(), 'clowdops-test-config-'))
}

/** The child's environment: a fresh config dir, no update check, only the inherited variables that are safe. */
function childEnvironment(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base: Record<string, string> = { CLOWDOPS_SKIP_NEW_VERSION_CHECK: 'true', NO_COLOR: '1' }
  for (const name of INHERITED) if (process.env[name] !== undefined) base[name] = process.env[name] as string
  const childEnv: Record<string, string | undefined> = { ...base, CLOWDOPS_CONFIG_DIR: freshConfigDir(), ...env }
  for (const [key, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[key]
  return childEnv as NodeJS.ProcessEnv
}

export function runCli(args: string[], env: Record<string, string | undefined> = {}, input?: string): Promise<CliResult> {
  return startCli(args, env, input).done
}

export interface RunningCli {
  /** Resolves with the first stdout line matching `pattern` (e.g. the device step of `login --json`). */
  line(pattern: RegExp, timeoutMs?: number): Promise<string>
  kill(signal: NodeJS.Signals): void
  done: Promise<CliResult>
}

/**
 * Follows a child's stdout and stderr as they arrive: `line` resolves with the first stdout line matching a pattern,
 * or rejects after `timeoutMs` showing what was printed (`who` names the child in that message).
 */
export function followOutput(child: ChildProcess, who: string) {
  const output = { stdout: '', stderr: '' }
  const waiters = new Set<() => void>()
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output.stdout += chunk
    for (const waiter of waiters) waiter()
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk))
  function line(pattern: RegExp, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = output.stdout.split('\n').find((l) => pattern.test(l))
        if (found === undefined) return
        waiters.delete(check)
        clearTimeout(timer)
        resolve(found)
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`${who} printed no stdout line matching ${pattern}; stdout:\n${output.stdout}\nstderr:\n${output.stderr}`))
      }, timeoutMs)
      waiters.add(check)
      check()
      child.once('close', () => setTimeout(check, 0))
    })
  }
  return { output, line }
}

/** Like runCli, for a command the test talks to while it runs. */
export function startCli(args: string[], env: Record<string, string | undefined> = {}, input = ''): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { env: childEnvironment(env), stdio: 'pipe' })
  const { output, line } = followOutput(child, `clowdops ${args.join(' ')}`)
  child.stdin.end(input)
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout: output.stdout, stderr: output.stderr }))
  })
  return {
    done,
    kill: (signal) => void child.kill(signal),
    line: (pattern, timeoutMs = 15_000) => line(pattern, timeoutMs),
  }
}
