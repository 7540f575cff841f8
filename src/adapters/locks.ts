// Cross-process locks in the config directory that one process at most holds, even when holders die or get stuck.
//
// A lock is a directory of numbered generations (`locks/NAME/7.lock`), and only the newest counts. Taking the lock is
// creating the next generation's file with an exclusive create, which one process at most wins, once the newest
// generation is over: released (its holder added `7.free`), its holder gone (the pid it recorded no longer runs on this
// host), or its holder stuck (the heartbeat, the file's mtime touched every second, has not moved for 30 s of
// watching). Breaking a stale lock and releasing one's own are both creations of new files: nothing that may be the
// newest generation is ever deleted, so nobody can delete a lock it did not judge, and a winner proves it won by seeing
// no newer generation. The winner deletes the older ones.
import { performance } from 'node:perf_hooks'
import { mkdir, open, readFile, readdir, readlink, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'
import { ConflictError } from '../core/errors.js'
import type { Clock, Locks } from '../core/ports.js'
import { CONFIG_DIR_MODE, CONFIG_FILE_MODE } from './config.js'

export interface LockOptions {
  /** How often a holder touches its lock to show it is alive. */
  heartbeatMs?: number
  /** How long a waiter watches a heartbeat that does not move before it breaks the lock. */
  stuckMs?: number
  /** How long a waiter waits for a live holder before it gives up. */
  giveUpMs?: number
  /** The pause between two looks at the lock. */
  pollMs?: number
}

// A refresh holds the lock for discovery, a token request and two keychain calls, each bounded by its own timeouts
// and retries: a waiter gives up only well after those, and a live holder is never broken (its heartbeat goes on).
const DEFAULTS: Required<LockOptions> = { heartbeatMs: 1_000, stuckMs: 30_000, giveUpMs: 120_000, pollMs: 25 }

/** Who holds a generation, written into its file. */
const LockOwner = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  /** Linux: the pid namespace, so that a pid from another container on the same host is not taken for ours. */
  pid_namespace: z.string().optional(),
  acquired_at: z.string(),
})
export type LockOwner = z.infer<typeof LockOwner>

const LOCK_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/
const GENERATION_FILE = /^(\d+)\.(lock|free)$/

export function fileLocks(configDirectory: string, clock: Clock, options: LockOptions = {}): Locks {
  const settings = { ...DEFAULTS, ...options }
  return {
    async withLock(name, run) {
      const held = await acquire(lockDirectory(configDirectory, name), name, clock, settings)
      try {
        return await run()
      } finally {
        await held.release()
      }
    },
  }
}

/** The locks under `configDirectory` that a process holds (or held when it died or got stuck), with their owners. */
export async function heldLocks(configDirectory: string): Promise<Array<{ name: string; owner: LockOwner | undefined }>> {
  const root = join(configDirectory, 'locks')
  const held: Array<{ name: string; owner: LockOwner | undefined }> = []
  for (const entry of await readdir(root, { withFileTypes: true }).catch(absentAs([]))) {
    if (!entry.isDirectory() || !LOCK_NAME.test(entry.name)) continue
    const directory = join(root, entry.name)
    const newest = await newestGeneration(directory)
    if (newest && !newest.free) held.push({ name: entry.name, owner: (await inspect(directory, newest.number))?.owner })
  }
  return held
}

function lockDirectory(configDirectory: string, name: string): string {
  if (!LOCK_NAME.test(name)) throw new RangeError(`A lock name is letters, digits, - and _ only: ${JSON.stringify(name)}`)
  return join(configDirectory, 'locks', name)
}

async function acquire(directory: string, name: string, clock: Clock, settings: Required<LockOptions>): Promise<HeldLock> {
  await mkdir(directory, { recursive: true, mode: CONFIG_DIR_MODE })
  const place = await processPlace()
  const me: LockOwner = { pid: process.pid, ...place, acquired_at: clock.now().toISOString() }
  const started = clock.now().getTime()
  const watch = new HeartbeatWatch(settings.stuckMs)
  for (;;) {
    const newest = await newestGeneration(directory)
    const holder = newest && !newest.free ? await inspect(directory, newest.number) : undefined
    // The newest file went away between the listing and the read: a newer generation replaced it. Look again.
    if (newest && !newest.free && !holder) continue
    if (!holder || isGone(holder.owner, place) || watch.isStuck(holder)) {
      const held = await tryTake(directory, (newest?.number ?? 0) + 1, me, settings.heartbeatMs)
      if (held) return held
      continue // another process won that generation: judge its holder next
    }
    const waited = clock.now().getTime() - started
    if (waited >= settings.giveUpMs) throw busy(name, holder.owner, waited)
    await clock.sleep(settings.pollMs)
  }
}

interface Generation {
  number: number
  free: boolean
}

/** The newest generation in a lock's directory, and whether its holder has released it. */
async function newestGeneration(directory: string): Promise<Generation | undefined> {
  let newest = 0
  const released = new Set<number>()
  for (const file of await readdir(directory).catch(absentAs([]))) {
    const match = GENERATION_FILE.exec(file)
    if (!match) continue
    const number = Number(match[1])
    if (match[2] === 'free') released.add(number)
    else newest = Math.max(newest, number)
  }
  return newest === 0 ? undefined : { number: newest, free: released.has(newest) }
}

interface Holder {
  generation: number
  /** Undefined while its holder is still writing it (or never could): judged by its heartbeat alone. */
  owner: LockOwner | undefined
  heartbeatMs: number
}

/** Who holds a generation and when it last showed a heartbeat; undefined when its file is gone. */
async function inspect(directory: string, generation: number): Promise<Holder | undefined> {
  const path = generationFile(directory, generation, 'lock')
  try {
    const [text, stats] = await Promise.all([readFile(path, 'utf8'), stat(path)])
    return { generation, owner: parseOwner(text), heartbeatMs: stats.mtimeMs }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const parsed = LockOwner.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

/**
 * Creates generation `number` exclusively and checks that it is the newest: a listing made before a newer generation
 * appeared can lead to creating one that is already over (its file deleted by a later winner), which wins nothing.
 */
async function tryTake(directory: string, number: number, me: LockOwner, heartbeatMs: number): Promise<HeldLock | undefined> {
  const path = generationFile(directory, number, 'lock')
  let handle
  try {
    handle = await open(path, 'wx', CONFIG_FILE_MODE)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined
    throw error
  }
  try {
    await handle.writeFile(JSON.stringify(me))
  } finally {
    await handle.close()
  }
  if ((await newestGeneration(directory))?.number !== number) {
    await rm(path, { force: true }) // never the newest, so nobody's lock
    return undefined
  }
  await removeOlderGenerations(directory, number)
  return new HeldLock(directory, number, heartbeatMs)
}

/** Generations before the one just won are over for good; a file left behind is only clutter the next winner removes. */
async function removeOlderGenerations(directory: string, number: number): Promise<void> {
  for (const file of await readdir(directory).catch(absentAs([]))) {
    const match = GENERATION_FILE.exec(file)
    if (match && Number(match[1]) < number) await rm(join(directory, file), { force: true }).catch(() => undefined)
  }
}

class HeldLock {
  private readonly heartbeat: NodeJS.Timeout

  constructor(
    private readonly directory: string,
    private readonly generation: number,
    heartbeatMs: number,
  ) {
    const path = generationFile(directory, generation, 'lock')
    // A real timer, not the injected clock: it says that this process is alive, whatever its run is waiting for. A
    // failed touch means a newer generation has taken over (this one was judged stuck): nothing left to keep alive.
    this.heartbeat = setInterval(() => {
      const now = new Date()
      utimes(path, now, now).catch(() => undefined)
    }, heartbeatMs).unref()
  }

  /** Marks this generation over; whatever is newer belongs to someone else and is left alone. */
  async release(): Promise<void> {
    clearInterval(this.heartbeat)
    // Failing here must not hide the run's outcome: the lock then counts as held until this process ends, and a
    // holder that has ended is taken over at once.
    await writeFile(generationFile(this.directory, this.generation, 'free'), '', { flag: 'wx', mode: CONFIG_FILE_MODE }).catch(() => undefined)
  }
}

/**
 * A waiter's view of the newest holder's heartbeat, on the monotonic real-time clock the heartbeat itself runs on:
 * stuck once the same generation has shown the same mtime for `stuckMs` of watching. Watching, rather than comparing
 * the mtime with our own clock, keeps it right across hosts whose clocks disagree.
 */
class HeartbeatWatch {
  private seen: { generation: number; heartbeatMs: number; since: number } | undefined

  constructor(private readonly stuckMs: number) {}

  isStuck(holder: Holder): boolean {
    const now = performance.now()
    if (this.seen?.generation !== holder.generation || this.seen.heartbeatMs !== holder.heartbeatMs) {
      this.seen = { generation: holder.generation, heartbeatMs: holder.heartbeatMs, since: now }
      return false
    }
    return now - this.seen.since >= this.stuckMs
  }
}

type ProcessPlace = Pick<LockOwner, 'host' | 'pid_namespace'>

let ownPlace: Promise<ProcessPlace> | undefined

/** Where this process's pid means something: the host and, on Linux, the pid namespace. */
function processPlace(): Promise<ProcessPlace> {
  ownPlace ??= readlink('/proc/self/ns/pid').then(
    (namespace) => ({ host: hostname(), pid_namespace: namespace }),
    () => ({ host: hostname() }),
  )
  return ownPlace
}

/** A holder that recorded a pid of our host (and pid namespace) that no longer runs. Elsewhere, only the heartbeat tells. */
function isGone(owner: LockOwner | undefined, place: ProcessPlace): boolean {
  if (!owner || owner.host !== place.host || owner.pid_namespace !== place.pid_namespace) return false
  try {
    process.kill(owner.pid, 0) // signal 0: only asks whether the process exists
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'EPERM' // EPERM: it runs, as another user
  }
}

function busy(name: string, owner: LockOwner | undefined, waitedMs: number): ConflictError {
  const who = owner ? `another clowdops process (pid ${owner.pid} on ${owner.host}, since ${owner.acquired_at})` : 'another clowdops process'
  return new ConflictError(`Waited ${Math.round(waitedMs / 1000)} s for the lock ${name}: ${who} still holds it.`, {
    code: 'lock_busy',
    hint: 'Let that process finish (or end it), then try again.',
  })
}

function generationFile(directory: string, number: number, kind: 'lock' | 'free'): string {
  return join(directory, `${number}.${kind}`)
}

function absentAs<T>(fallback: T): (error: NodeJS.ErrnoException) => T {
  return (error) => {
    if (error.code === 'ENOENT') return fallback
    throw error
  }
}
