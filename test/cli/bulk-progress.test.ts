// Progress of a bulk run for people: the figures (percent from the bytes read, rate, ETA), a status line that fits the
// terminal, and the heartbeat written without one, on a clock the test steps.
import { describe, expect, it } from 'vitest'
import { BulkProgress, formatDuration, heartbeatLine, heartbeatMs, progressFigures, progressLine } from '../../src/cli/bulk-progress.js'
import type { BulkCounters } from '../../src/core/bulk/submit.js'
import type { Clock } from '../../src/core/ports.js'
import { MemoryOutput } from '../support/terminal.js'

function counters(change: Partial<BulkCounters> = {}): BulkCounters {
  return {
    rows: 0, valid: 0, invalid: 0, in_file_duplicates: 0, sent: 0, accepted: 0, duplicate: 0, rejected: 0, failed: 0,
    planned: 0, resumed: 0, retried: 0, batches: 0, rate_limited: 0, concurrency: 4, ...change,
  }
}

/** Half of a 10,000-byte file read, 500 rows in it; 250 finished (240 accepted, 10 invalid) in 10 s. */
const halfway = {
  counters: counters({ rows: 500, valid: 490, invalid: 10, accepted: 240, retried: 3 }),
  read: { bytes: 5000, totalBytes: 10_000 },
  elapsedMs: 10_000,
}

describe('progress figures', () => {
  it('estimates the rows from the bytes read, and from them the percent and the ETA', () => {
    expect(progressFigures(halfway)).toEqual({ finished: 250, total: 1000, exact: false, percent: 25, rowsPerSecond: 25, etaSeconds: 30 })
  })

  it('counts the rows exactly once the input is read to its end', () => {
    const read = { bytes: 10_000, totalBytes: 10_000 }
    expect(progressFigures({ ...halfway, read })).toMatchObject({ total: 500, exact: true, percent: 50, etaSeconds: 10 })
  })

  it('has no percent or ETA for stdin, whose size is unknown', () => {
    const figures = progressFigures({ ...halfway, read: { bytes: 5000, totalBytes: undefined } })
    expect(figures).toMatchObject({ total: undefined, percent: undefined, etaSeconds: undefined, rowsPerSecond: 25 })
  })

  it('formats durations compactly', () => {
    expect([formatDuration(42.4), formatDuration(307), formatDuration(3720)]).toEqual(['42s', '5m07s', '1h02m'])
  })
})

describe('status line', () => {
  it('shows percent, rows, rate and ETA when the terminal has room', () => {
    expect(progressLine(halfway, 200)).toBe('25% · 250/~1000 rows · 25 rows/s · ETA 30s · accepted 240 · invalid 10 · retried 3')
  })

  it('fits any width, dropping whole parts from the least important, and cuts only what cannot fit at all', () => {
    for (let columns = 1; columns <= 120; columns++) {
      const line = progressLine(halfway, columns)
      expect(line.length).toBeLessThanOrEqual(Math.max(1, columns - 1))
    }
    expect(progressLine(halfway, 40)).toBe('25% · 250/~1000 rows · 25 rows/s')
    expect(progressLine(halfway, 50)).toBe('25% · 250/~1000 rows · 25 rows/s · ETA 30s')
    expect(progressLine(halfway, 4)).toBe('25%')
  })

  it('says what it can for stdin', () => {
    expect(progressLine({ ...halfway, read: { bytes: 5000, totalBytes: undefined } }, 30)).toBe('250 rows · 25 rows/s')
  })
})

/** A clock the test steps: sleeps end when the time they wait for is reached, or when aborted. */
class SteppedClock implements Clock {
  private ms = 0
  private sleepers: { until: number; wake: () => void }[] = []
  now(): Date {
    return new Date(this.ms)
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const sleeper = { until: this.ms + ms, wake: resolve }
      this.sleepers.push(sleeper)
      signal?.addEventListener('abort', () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper)
        reject(signal.reason)
      })
    })
  }
  async advance(ms: number): Promise<void> {
    this.ms += ms
    const due = this.sleepers.filter((s) => s.until <= this.ms)
    this.sleepers = this.sleepers.filter((s) => s.until > this.ms)
    for (const sleeper of due) sleeper.wake()
    for (let i = 0; i < 5; i++) await Promise.resolve() // let the woken loop write and sleep again
  }
}

function ioOn(err: MemoryOutput) {
  const lines: string[] = []
  return { io: { err, status: (line: string) => lines.push(line), endStatus: () => lines.push('<end>') }, lines }
}

describe('heartbeat without a terminal', () => {
  it('writes a line on stderr every interval, rows or not, and none after the run ends', async () => {
    const clock = new SteppedClock()
    const err = new MemoryOutput(false)
    const progress = new BulkProgress(ioOn(err).io, clock, { kind: 'heartbeat', everyMs: 10_000 })
    await clock.advance(9_999)
    expect(err.text).toBe('')
    await clock.advance(1)
    expect(err.text).toBe('privacy submit: 10s elapsed · starting\n')
    progress.update(halfway.counters, halfway.read)
    await clock.advance(10_000) // nothing finished meanwhile: still a line
    await clock.advance(10_000)
    const lines = err.text.trim().split('\n')
    expect(lines).toHaveLength(3)
    expect(lines[2]).toBe('privacy submit: 30s elapsed · 25% · 250/~1000 rows · 8 rows/s · ETA 1m30s · accepted 240 · invalid 10 · retried 3')
    await progress.end()
    await clock.advance(60_000)
    expect(err.text.trim().split('\n')).toHaveLength(3)
  })

  it('takes its interval from CLOWDOPS_PROGRESS_INTERVAL (seconds; 0 for none)', async () => {
    expect(heartbeatMs({})).toBe(10_000)
    expect(heartbeatMs({ CLOWDOPS_PROGRESS_INTERVAL: '0.5' })).toBe(500)
    expect(heartbeatMs({ CLOWDOPS_PROGRESS_INTERVAL: 'soon' })).toBe(10_000)
    const clock = new SteppedClock()
    const err = new MemoryOutput(false)
    const silent = new BulkProgress(ioOn(err).io, clock, { kind: 'heartbeat', everyMs: heartbeatMs({ CLOWDOPS_PROGRESS_INTERVAL: '0' }) })
    await clock.advance(60_000)
    await silent.end()
    expect(err.text).toBe('')
  })

  it('renders the same parts as the status line, after the time elapsed', () => {
    expect(heartbeatLine(halfway, 10_000)).toBe(`privacy submit: 10s elapsed · ${progressLine(halfway, undefined)}`)
  })
})

describe('status line on a terminal', () => {
  it('is rewritten at most five times a second, in the width of the terminal, and ended with the run', async () => {
    const clock = new SteppedClock()
    const { io, lines } = ioOn(new MemoryOutput(true, 30))
    const progress = new BulkProgress(io, clock, { kind: 'status' })
    progress.update(halfway.counters, halfway.read)
    progress.update(halfway.counters, halfway.read) // within 200 ms: not shown
    await clock.advance(200)
    progress.update(halfway.counters, halfway.read)
    await progress.end()
    expect(lines).toHaveLength(3)
    expect(lines.slice(0, 2).every((line) => line.length <= 29 && line.startsWith('25% · '))).toBe(true)
    expect(lines[2]).toBe('<end>')
  })
})
