// Runs the built CLI as users do: `node bin/run.js` in a child process, with a clean, controlled environment.
import { spawn } from 'node:child_process'
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

export function runCli(args: string[], env: Record<string, string | undefined> = {}, input?: string): Promise<CliResult> {
  const base: Record<string, string> = { CLOWDOPS_SKIP_NEW_VERSION_CHECK: 'true', NO_COLOR: '1' }
  for (const name of INHERITED) if (process.env[name] !== undefined) base[name] = process.env[name] as string
  const childEnv: Record<string, string | undefined> = { ...base, CLOWDOPS_CONFIG_DIR: freshConfigDir(), ...env }
  for (const [key, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[key]
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: childEnv as NodeJS.ProcessEnv, stdio: 'pipe' })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(input ?? '')
  })
}
