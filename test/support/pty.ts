// Runs the built CLI on a pseudo-terminal (util-linux `script`), so prompts see a real TTY and keystrokes are real.
import { spawn } from 'node:child_process'
import { join } from 'node:path'

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'run.js')

export interface PtyRun {
  /** Type into the terminal: `\r` is Enter, `\x03` is Ctrl-C. */
  type(keys: string): void
  /** Everything the terminal showed so far (echo included). */
  screen(): string
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>
  exit: Promise<number | null>
}

const shellQuote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`

export function runInPty(args: string[], env: Record<string, string | undefined>): PtyRun {
  const command = [process.execPath, BIN, ...args].map(shellQuote).join(' ')
  const childEnv = { ...process.env, ...env, TERM: 'xterm' } as Record<string, string | undefined>
  // A CI run has no person at a terminal; a test plays one, unless it sets CI itself (a terminal in a CI job).
  if (env.CI === undefined) delete childEnv.CI
  for (const [key, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[key]
  const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
    env: childEnv as NodeJS.ProcessEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let output = ''
  const listeners = new Set<() => void>()
  const collect = (chunk: Buffer) => {
    output += chunk.toString()
    for (const listener of listeners) listener()
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve))
  return {
    type: (keys) => void child.stdin.write(keys),
    screen: () => output,
    exit,
    waitFor(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(output)) return
          listeners.delete(check)
          clearTimeout(timer)
          resolve()
        }
        const timer = setTimeout(() => {
          listeners.delete(check)
          reject(new Error(`timed out waiting for ${pattern} on the terminal; it shows:\n${output}`))
        }, timeoutMs)
        listeners.add(check)
        check()
      })
    },
  }
}
