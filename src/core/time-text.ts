// Times for people: the local clock with its zone named, and how long ago or ahead. --json keeps ISO 8601 instead.

/** `2026-12-02 14:05 GMT+1` in `timeZone` (default: this machine's, i.e. TZ); always labelled, UTC included. */
export function localTime(iso: string, timeZone?: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(date)
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? ''
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${part('timeZoneName')}`
}

/** "in 59 min", "2 h ago", "in 3 days", "just now": the coarsest unit that still says something. */
export function relativeAge(iso: string, now: Date): string {
  const ms = new Date(iso).getTime() - now.getTime()
  if (Number.isNaN(ms)) return ''
  const abs = Math.abs(ms)
  const minutes = Math.round(abs / 60_000)
  if (minutes < 1) return 'just now'
  const amount = minutes < 60 ? `${minutes} min` : minutes < 48 * 60 ? `${Math.round(minutes / 60)} h` : `${Math.round(minutes / 1440)} days`
  return ms > 0 ? `in ${amount}` : `${amount} ago`
}

/** Both: `2026-12-02 14:05 GMT+1 (in 59 min)`. */
export function timeAndAge(iso: string, now: Date, timeZone?: string): string {
  return `${localTime(iso, timeZone)} (${relativeAge(iso, now)})`
}

/** An expiry read as one: "expires in 59 min (…)" or "expired 2 h ago (…)". */
export function expiryText(iso: string, now: Date, timeZone?: string): string {
  const future = new Date(iso).getTime() > now.getTime()
  return `${future ? 'expires' : 'expired'} ${relativeAge(iso, now)} (${localTime(iso, timeZone)})`
}

/** This machine's IANA time zone (TZ, else the system's), e.g. Europe/Berlin; UTC where none is known. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC'
}
