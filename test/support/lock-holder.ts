// A child program for the lock tests (run by test/support/locks.ts): takes a lock of the real file-lock adapter a number
// of times, and inside each hold appends "start ID" and "end ID" lines to a shared log, so the parent can prove that no
// two holds overlapped. It prints "held ID" when a hold begins and "done ID" when every round is over.
// Usage: node --import tsx test/support/lock-holder.ts '<LockHolderJob as JSON>'
import { appendFileSync } from 'node:fs'
import { systemClock } from '../../src/adapters/clock.js'
import { fileLocks } from '../../src/adapters/locks.js'
import type { LockHolderJob } from './locks.js'

const job = JSON.parse(process.argv[2] ?? '{}') as LockHolderJob

/** The hold itself: a timer, or a promise that never settles (the parent kills or stops the process). */
function hold(): Promise<void> {
  const { holdMs } = job
  if (holdMs === 'forever') return new Promise(() => setInterval(() => undefined, 60_000))
  return new Promise((resolve) => setTimeout(resolve, holdMs))
}

try {
  const locks = fileLocks(job.configDir, systemClock, job.options)
  for (let round = 0; round < job.rounds; round++) {
    await locks.withLock(job.name, async () => {
      appendFileSync(job.log, `start ${job.id}\n`)
      process.stdout.write(`held ${job.id}\n`)
      await hold()
      appendFileSync(job.log, `end ${job.id}\n`)
    })
  }
  process.stdout.write(`done ${job.id}\n`)
} catch (error) {
  const { name, message, code } = error as Error & { code?: string }
  process.stderr.write(`${JSON.stringify({ name, code, message })}\n`)
  process.exitCode = 1
}
