// Real processes racing on real lock files: start lock holders (test/support/lock-holder.ts) in child node processes,
// leave a lock behind a holder that died, age lock files, and read the shared log of holds back.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import type { LockOptions } from '../../src/adapters/locks.js'
import { followOutput } from './cli.js'

const repoRoot = join(import.meta.dirname, '..', '..')
const HOLDER = join(import.meta.dirname, 'lock-holder.ts')

export interface LockHolderJob {
  /** The config directory whose locks the adapter uses. */
  configDir: string
  name: string
  /** Names this holder in the log and on stdout. */
  id: string
  /** The shared log each hold appends "start ID" and "end ID" to. */
  log: string
  /** How long each hold lasts. */
  holdMs: number | 'forever'
  rounds: number
  options?: LockOptions
}

export interface RunningHolder {
  readonly pid: number
  /** Resolves when stdout has a line matching `pattern` (e.g. /^held/). */
  line(pattern: RegExp, timeoutMs?: number): Promise<string>
  signal(signal: NodeJS.Signals): void
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>
}

export function startLockHolder(job: LockHolderJob): RunningHolder {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, JSON.stringify(job)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
  const { output, line } = followOutput(child, `holder ${job.id}`)
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout: output.stdout, stderr: output.stderr }))
  })
  return {
    pid: child.pid!,
    done,
    signal: (signal) => void child.kill(signal),
    line: (pattern, timeoutMs = 20_000) => line(pattern, timeoutMs),
  }
}

/**
 * A lock left behind by a holder that died: a real process takes it and is killed (SIGKILL) while holding it.
 * Resolves with the dead holder's pid once the process is gone (reaped, so its pid no longer runs).
 */
export async function deadLockHolder(configDir: string, name: string, log: string): Promise<number> {
  const holder = startLockHolder({ configDir, name, id: 'dead', log, holdMs: 'forever', rounds: 1 })
  await holder.line(/^held dead$/)
  holder.signal('SIGKILL')
  await holder.done
  return holder.pid
}

/**
 * Sets the mtime of every file under the config directory's locks to `ageMs` ago: a lock last touched that long ago
 * (0: just now). Files that go away meanwhile (a lock being taken or released) are skipped.
 */
export function ageLocks(configDir: string, ageMs: number): void {
  const when = new Date(Date.now() - ageMs)
  for (const entry of readdirSync(join(configDir, 'locks'), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    try {
      utimesSync(join(entry.parentPath, entry.name), when, when)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }
}

export interface HoldLog {
  /** Ids of the holds that ended, in the order they held the lock. */
  completed: string[]
  /** Every place the log shows two holds at once, e.g. "start B while A held". */
  overlaps: string[]
}

/** Reads a shared log back: which holds completed, and where one started before the previous one ended. */
export function readHoldLog(log: string, ignore: string[] = []): HoldLog {
  const completed: string[] = []
  const overlaps: string[] = []
  let holding: string | undefined
  const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean)
  for (const line of lines) {
    const [event, id = ''] = line.split(' ')
    if (ignore.includes(id)) continue
    if (event === 'start') {
      if (holding !== undefined) overlaps.push(`start ${id} while ${holding} held`)
      holding = id
    } else if (holding === id) {
      completed.push(id)
      holding = undefined
    } else {
      overlaps.push(`end ${id} while ${holding ?? 'nobody'} held`)
    }
  }
  return { completed, overlaps }
}
