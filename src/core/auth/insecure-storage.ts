// The --insecure-storage warning: a reminder once a day per profile, not a line before every command (20 in a demo).
import type { Clock, NoticeLog } from '../ports.js'

export const INSECURE_STORAGE_REMINDER_MS = 24 * 60 * 60 * 1000

export const INSECURE_STORAGE_FIX = 'Sign in again without --insecure-storage to keep it in the OS keychain.'

function insecureStorageWarning(profileName: string): string {
  return `Warning: the token of profile ${profileName} is in a plaintext file (--insecure-storage). ${INSECURE_STORAGE_FIX}`
}

/**
 * Warns when the profile's reminder is due: never shown, shown a day ago or more, or "shown" in the future (a clock set
 * back must not silence it). Without a log to remember it in, it warns every time.
 */
export async function remindOfInsecureStorage(
  profileName: string,
  deps: { clock: Pick<Clock, 'now'>; notices?: NoticeLog | undefined; warn?: ((message: string) => void) | undefined },
): Promise<void> {
  if (!deps.warn) return
  const key = `insecure_storage:${profileName}`
  const now = deps.clock.now()
  const last = await deps.notices?.lastShown(key)
  const since = last === undefined ? Number.POSITIVE_INFINITY : now.getTime() - last.getTime()
  if (since >= 0 && since < INSECURE_STORAGE_REMINDER_MS) return
  deps.warn(insecureStorageWarning(profileName))
  await deps.notices?.markShown(key, now)
}
