// The real clock: wall time, and sleeps that an AbortSignal (Ctrl-C) cuts short.
import { setTimeout as delay } from 'node:timers/promises'
import type { Clock } from '../core/ports.js'

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) => delay(ms, undefined, signal ? { signal } : undefined),
}
