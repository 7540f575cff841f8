// Ctrl-C for one run: the first SIGINT or SIGTERM aborts the run's signal, after any uninterrupted section has ended
// (bounded); a second one ends the process at once.
import { ExitCode, InterruptedError } from '../core/errors.js'
import type { Interruption } from '../core/ports.js'

/** How long an interrupt waits for an uninterrupted section (a token grant being stored) before aborting anyway. */
const SECTION_GRACE_MS = 10_000
/** After the abort, how long the run may take to unwind before the process ends without it. */
const UNWIND_GRACE_MS = 10_000

export class RunInterruption implements Interruption {
  private readonly controller = new AbortController()
  private sections = 0
  private requested = false
  private graceTimer: NodeJS.Timeout | undefined

  constructor(private readonly sectionGraceMs = SECTION_GRACE_MS) {}

  get signal(): AbortSignal {
    return this.controller.signal
  }

  /** Whether an interrupt came in, aborted yet or still waiting for a section to end. */
  get interrupted(): boolean {
    return this.requested
  }

  /** Asks the run to stop: now, or when the uninterrupted sections under way have ended. */
  interrupt(): void {
    if (this.requested) return
    this.requested = true
    if (this.sections === 0) this.abort()
    else this.graceTimer = setTimeout(() => this.abort(), this.sectionGraceMs).unref()
  }

  async uninterrupted<T>(work: () => Promise<T>): Promise<T> {
    this.signal.throwIfAborted()
    this.sections += 1
    try {
      return await work()
    } finally {
      this.sections -= 1
      if (this.sections === 0 && this.requested) this.abort()
    }
  }

  private abort(): void {
    clearTimeout(this.graceTimer)
    if (!this.signal.aborted) this.controller.abort(new InterruptedError())
  }
}

/**
 * SIGINT and SIGTERM of this process interrupt `run`; a second signal, or a run that has not unwound in time, exits
 * 130 at once. Returns what removes the handlers.
 */
export function interruptOnSignals(run: RunInterruption, onForcedExit: () => void): () => void {
  const onSignal = () => {
    if (run.interrupted) return forceExit()
    run.interrupt()
    setTimeout(forceExit, UNWIND_GRACE_MS).unref()
  }
  const forceExit = () => {
    onForcedExit()
    process.exit(ExitCode.interrupted)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return () => {
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
  }
}
