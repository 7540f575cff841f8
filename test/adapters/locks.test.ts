// The file locks with real processes racing on real lock files: each holder appends "start ID" and "end ID" to a shared
// log inside its hold, so two holds at once show up as an overlap in the log. Holders die (SIGKILL) and get stuck
// (SIGSTOP) for real; the in-process tests cover giving up, Ctrl-C and errors.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { systemClock } from '../../src/adapters/clock.js'
import { fileLocks, heldLocks } from '../../src/adapters/locks.js'
import { ExitCode, InterruptedError } from '../../src/core/errors.js'
import type { Clock } from '../../src/core/ports.js'
import { type LockHolderJob, ageLocks, deadLockHolder, readHoldLog, startLockHolder } from '../support/locks.js'

function workspace() {
  const root = mkdtempSync(join(tmpdir(), 'clowdops-locks-'))
  return { configDir: join(root, 'config'), log: join(root, 'holds.log'), deadLog: join(root, 'dead.log') }
}

/** Starts one holder per id, all at once, and waits until every one has ended. */
async function race(ids: string[], job: Omit<LockHolderJob, 'id'>) {
  const results = await Promise.all(ids.map((id) => startLockHolder({ ...job, id }).done))
  for (const result of results) expect(result.code, result.stderr).toBe(0)
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `P${i + 1}`)

describe('file locks across processes', () => {
  it('five processes taking the same lock three times each: every hold happens, never two at once', async () => {
    const { configDir, log } = workspace()
    await race(ids(5), { configDir, name: 'refresh-default', log, holdMs: 30, rounds: 3 })
    const holds = readHoldLog(log)
    expect(holds.overlaps).toEqual([])
    expect(holds.completed).toHaveLength(15)
    expect(await heldLocks(configDir)).toEqual([])
  }, 60_000)

  it('a lock left by a holder that died, aged 28 s, with six waiters: broken once, one holder at a time', async () => {
    // The report's setup: every waiter sees the lock turn stale in the same poll; removing it and creating a new one
    // let several of them hold it at once.
    const { configDir, log, deadLog } = workspace()
    await deadLockHolder(configDir, 'refresh-default', deadLog)
    ageLocks(configDir, 28_000)
    await race(ids(6), { configDir, name: 'refresh-default', log, holdMs: 150, rounds: 1 })
    const holds = readHoldLog(log)
    expect(holds.overlaps).toEqual([])
    expect(holds.completed.sort()).toEqual(ids(6).sort())
  }, 60_000)

  it('a lock whose holder died is taken over at once, however fresh its file looks', async () => {
    const { configDir, log, deadLog } = workspace()
    await deadLockHolder(configDir, 'refresh-default', deadLog)
    // The files stay freshly touched and the stuck limit is ten minutes: only seeing that the holder's pid no longer
    // runs lets the waiters in before they give up (after 10 s).
    const touching = setInterval(() => ageLocks(configDir, 0), 100)
    try {
      const options = { stuckMs: 600_000, giveUpMs: 10_000 }
      await race(ids(3), { configDir, name: 'refresh-default', log, holdMs: 20, rounds: 1, options })
    } finally {
      clearInterval(touching)
    }
    expect(readHoldLog(log)).toEqual({ completed: expect.arrayContaining(ids(3)), overlaps: [] })
  }, 45_000)

  it('a live holder is not broken, however long it holds: its heartbeat keeps the lock', async () => {
    const { configDir, log } = workspace()
    const options = { heartbeatMs: 100, stuckMs: 2_000, giveUpMs: 15_000 }
    const holder = startLockHolder({ configDir, name: 'refresh-default', id: 'long', log, holdMs: 5_000, rounds: 1, options })
    await holder.line(/^held long$/)
    ageLocks(configDir, 31_000) // as if it had held for 31 s already
    const waiter = startLockHolder({ configDir, name: 'refresh-default', id: 'waiter', log, holdMs: 10, rounds: 1, options })
    const [first, second] = await Promise.all([holder.done, waiter.done])
    expect(first.code, first.stderr).toBe(0)
    expect(second.code, second.stderr).toBe(0)
    expect(readHoldLog(log)).toEqual({ completed: ['long', 'waiter'], overlaps: [] })
  }, 60_000)

  it('a stuck holder is broken after the limit; when it resumes, its release leaves the new holder’s lock alone', async () => {
    const { configDir, log } = workspace()
    const options = { heartbeatMs: 100, stuckMs: 1_500, giveUpMs: 15_000 }
    const job = { configDir, name: 'refresh-default', rounds: 1, options }
    // The stuck holder logs elsewhere: it does overlap the one that broke its lock, which is what breaking it means.
    const stuck = startLockHolder({ ...job, id: 'stuck', log: join(configDir, '..', 'stuck.log'), holdMs: 3_000 })
    await stuck.line(/^held stuck$/)
    stuck.signal('SIGSTOP') // alive, but no heartbeat any more
    ageLocks(configDir, 31_000) // and its lock last touched 31 s ago
    const breaker = startLockHolder({ ...job, id: 'breaker', log, holdMs: 8_000 })
    try {
      await breaker.line(/^held breaker$/)
    } finally {
      stuck.signal('SIGCONT')
    }
    // Resumed, the stuck holder ends its hold and releases: that must not free the lock the breaker holds now.
    const resumed = await stuck.done
    expect(resumed.code, resumed.stderr).toBe(0)
    const late = startLockHolder({ ...job, id: 'late', log, holdMs: 10 })
    const [breakerDone, lateDone] = await Promise.all([breaker.done, late.done])
    expect(breakerDone.code, breakerDone.stderr).toBe(0)
    expect(lateDone.code, lateDone.stderr).toBe(0)
    expect(readHoldLog(log)).toEqual({ completed: ['breaker', 'late'], overlaps: [] })
  }, 60_000)
})

describe('file locks in one process', () => {
  /** Takes the lock and keeps it until `release` is called. */
  async function holdInProcess(configDir: string, name: string) {
    let release!: () => void
    let entered!: () => void
    const inside = new Promise<void>((resolve) => (entered = resolve))
    const held = fileLocks(configDir, systemClock).withLock(name, async () => {
      entered()
      await new Promise<void>((resolve) => (release = resolve))
      return 'held'
    })
    await inside
    return { release: () => release(), held }
  }

  it('a waiter gives up after its limit with exit 6, naming the process that holds the lock', async () => {
    const { configDir } = workspace()
    const holder = await holdInProcess(configDir, 'refresh-default')
    const waiter = fileLocks(configDir, systemClock, { giveUpMs: 300 }).withLock('refresh-default', async () => 'entered')
    await expect(waiter).rejects.toMatchObject({
      code: 'lock_busy',
      exitCode: ExitCode.conflict,
      message: expect.stringContaining(`pid ${process.pid}`),
    })
    holder.release()
    expect(await holder.held).toBe('held')
    expect(await heldLocks(configDir)).toEqual([])
  })

  it('Ctrl-C while waiting ends the wait at once, without the lock', async () => {
    const { configDir } = workspace()
    const holder = await holdInProcess(configDir, 'refresh-default')
    const interrupt = new AbortController()
    const clock: Clock = { now: () => systemClock.now(), sleep: (ms) => systemClock.sleep(ms, interrupt.signal) }
    let entered = false
    const waiter = fileLocks(configDir, clock).withLock('refresh-default', async () => void (entered = true))
    setTimeout(() => interrupt.abort(new InterruptedError()), 100)
    await expect(waiter).rejects.toThrow()
    expect(entered).toBe(false)
    expect(await heldLocks(configDir)).toEqual([{ name: 'refresh-default', owner: expect.objectContaining({ pid: process.pid }) }])
    holder.release()
    await holder.held
  })

  it('a run that throws releases the lock, and its error is what the caller gets', async () => {
    const { configDir } = workspace()
    const locks = fileLocks(configDir, systemClock)
    await expect(locks.withLock('pending-requests', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await heldLocks(configDir)).toEqual([])
    expect(await locks.withLock('pending-requests', async () => 'again')).toBe('again')
  })

  it('refuses a lock name that is not a plain file name', async () => {
    const { configDir } = workspace()
    await expect(fileLocks(configDir, systemClock).withLock('../escape', async () => 'no')).rejects.toThrow(RangeError)
  })
})
