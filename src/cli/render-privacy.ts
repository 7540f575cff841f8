// Human renderings of privacy requests, exports and consent. Every request shows its id, state, due date and next step.
import type { ChalkInstance } from 'chalk'
import { type Consent, type ConsentEvent, type ConsentWrite, lawOf, REQUEST_STATES, type RequestState } from '../core/contract/index.js'
import type { BulkSummary } from '../core/bulk/model.js'
import type { DownloadedExport } from '../core/privacy/exports.js'
import { openQuestion, type RequestView } from '../core/privacy/requests.js'
import type { WaitResult } from '../core/privacy/wait.js'
import { redactPersonal } from '../core/redact.js'
import { localTime, timeAndAge } from '../core/time-text.js'
import { counted } from '../core/wording.js'
import { type Column, renderTable } from './output.js'


const STATE_COLOR: Record<RequestState, (c: ChalkInstance, s: string) => string> = {
  pending_verification: (c, s) => c.yellow(s),
  received: (c, s) => c.cyan(s),
  in_progress: (c, s) => c.cyan(s),
  awaiting_grace_period: (c, s) => c.yellow(s),
  completed: (c, s) => c.green(s),
  denied: (c, s) => c.red(s),
  canceled: (c, s) => c.dim(s),
  failed: (c, s) => c.red(s),
  expired: (c, s) => c.dim(s),
}

export function stateText(state: RequestState, c: ChalkInstance): string {
  return STATE_COLOR[state](c, state)
}

/**
 * The due date in local time with its zone, and the days left as the platform counts them (its clock decides what is
 * overdue, not this machine's).
 */
export function dueText(request: RequestView): string {
  if (!request.due_at) return '-'
  const days = request.days_left
  const left = days === null ? '' : days < 0 ? ` (${counted(-days, 'day')} overdue)` : ` (${counted(days, 'day')} left)`
  return `${localTime(request.due_at)}${left}`
}

/** `access`, or for an appeal or complaint about an access request `appeal of access`. */
function kindText(request: RequestView): string {
  return request.kind === 'request' ? request.type : `${request.kind} of ${request.type}`
}

/** Which deadline binds: the platform's 30-day promise, the law's own, or the law's as extended. */
function dueBasisText(request: RequestView): string {
  const law = lawOf(request.regulation).name
  if (request.due_basis === 'promise') return `, our promise (${law} allows until ${request.legal_due_at ? localTime(request.legal_due_at) : '-'})`
  if (request.due_basis === 'law') return `, ${law} deadline`
  if (request.due_basis === 'extension') return `, ${law} deadline as extended`
  return ''
}

export function renderRequest(request: RequestView, c: ChalkInstance, now: Date): string {
  const rows: [string, string | undefined][] = [
    ['Request', c.bold(request.id)],
    ['Type', `${kindText(request)} (${lawOf(request.regulation).name})`],
    ['Regarding', request.regarding ?? undefined],
    ['Confirmed', request.acknowledged_at ? `${timeAndAge(request.acknowledged_at, now)}: complaint acknowledged` : undefined],
    ['Status', stateText(request.status, c)],
    ['Reason', request.reason ?? undefined],
    ['Created', timeAndAge(request.created_at, now)],
    ['Received', request.received_at ? `${timeAndAge(request.received_at, now)}${request.channel ? ` by ${request.channel.replace('_', ' ')}` : ''}` : undefined],
    ['Due', request.due_at ? `${dueText(request)}${dueBasisText(request)}` : 'the clock starts once the identity is verified'],
    ['Extended', request.extension ? `${counted(request.extension.days, 'day')}: ${request.extension.reason}` : undefined],
    ['Question', openQuestion(request)],
    ['Paused', request.clock_paused_since ? `since ${timeAndAge(request.clock_paused_since, now)}: the deadline moves on until the answer` : undefined],
    ['Completed', request.completed_at ? timeAndAge(request.completed_at, now) : undefined],
    ['Erasure on', request.status === 'awaiting_grace_period' && request.grace_period_ends_at ? timeAndAge(request.grace_period_ends_at, now) : undefined],
    ['Changes', request.rectification?.changes.map((change) => change.field).join(', ')],
    ['Purposes', request.processing?.purposes.join(', ')],
    ['Next', request.next_step ?? undefined],
  ]
  return rows
    .filter((row): row is [string, string] => row[1] !== undefined)
    .map(([label, value]) => `${c.dim(label.padEnd(10))} ${value}`)
    .join('\n')
}

/** `organisation`: the organisation view, where requests are about many people: who (masked) and which batch. */
export function renderRequests(requests: RequestView[], c: ChalkInstance, now: Date, options: { organisation?: boolean } = {}): string {
  const columns: Column<RequestView>[] = [
    { header: 'id', get: (r) => r.id },
    ...(options.organisation ? [{ header: 'subject', get: (r: RequestView) => redactPersonal(r.subject.email) }] : []),
    { header: 'type', get: (r) => kindText(r) },
    ...(options.organisation ? [{ header: 'law', get: (r: RequestView) => lawOf(r.regulation).name }] : []),
    { header: 'status', get: (r) => stateText(r.status, c) },
    ...(options.organisation ? [{ header: 'batch', get: (r: RequestView) => r.batch_id ?? c.dim('-') }] : []),
    { header: 'created', get: (r) => timeAndAge(r.created_at, now) },
    { header: 'due', get: (r) => dueText(r) },
  ]
  return renderTable(requests, columns, c, 'No privacy requests match.')
}

/** Up to this many requests, a wait shows each one; past it, counts by state (a line per request would not scale). */
export const WAIT_LISTS_EACH_UP_TO = 5
/** The most unfinished requests a large wait's result lists; --json has them all. */
export const WAIT_LISTS_UNFINISHED = 20

/** One line for a progress display: state and deadline of a request being followed. */
export function progressLine(request: RequestView): string {
  const due = request.due_at ? ` · due ${dueText(request)}` : ''
  return `${request.type} ${request.id.slice(0, 8)} · ${request.status}${due}`
}

/** The progress of a wait: each request while they are few, otherwise how many are in each state. */
export function waitProgress(requests: RequestView[]): string {
  if (requests.length <= WAIT_LISTS_EACH_UP_TO) return requests.map(progressLine).join(' | ')
  return `${counted(requests.length, 'request')}: ${stateCounts(requests)}`
}

/** `completed 1990 · in_progress 7 · denied 3`, in the order of the request lifecycle. */
export function stateCounts(requests: RequestView[]): string {
  const counts = new Map<RequestState, number>()
  for (const request of requests) counts.set(request.status, (counts.get(request.status) ?? 0) + 1)
  return REQUEST_STATES.filter((state) => counts.has(state))
    .map((state) => `${state} ${counts.get(state)}`)
    .join(' · ')
}

export function renderWait(result: WaitResult, c: ChalkInstance, now: Date): string {
  const summary: Record<WaitResult['outcome'], string> = {
    completed: c.green('All completed.'),
    ended: c.red('Finished, but not all completed: see the status column.'),
    needs_verification: c.yellow('Waiting for a verification code: run the verify command shown above.'),
    timed_out: c.yellow('Still open when the timeout ran out; run the same command again to keep waiting.'),
  }
  const lines = result.requests.length > WAIT_LISTS_EACH_UP_TO ? largeWaitLines(result.requests, c, now) : smallWaitLines(result.requests, c, now)
  lines.push('', summary[result.outcome])
  return lines.join('\n')
}

/** Every request in a table, and what to do next for each. */
function smallWaitLines(requests: RequestView[], c: ChalkInstance, now: Date): string[] {
  const lines = [renderRequests(requests, c, now)]
  for (const request of requests) {
    if (request.next_step && requests.length > 1) lines.push(`${c.dim(request.id.slice(0, 8))} ${request.next_step}`)
  }
  if (requests.length === 1 && requests[0]?.next_step) lines.push(`${c.dim('Next')} ${requests[0].next_step}`)
  return lines
}

/**
 * Counts by state, then the first unfinished requests (not completed); the rest are counted. Only a request waiting
 * for its code gets its next step: that is the one a person must act on, the others would repeat one line twenty times.
 */
function largeWaitLines(requests: RequestView[], c: ChalkInstance, now: Date): string[] {
  const lines = [`${counted(requests.length, 'request')}: ${stateCounts(requests)}`]
  const unfinished = requests.filter((r) => r.status !== 'completed')
  if (unfinished.length === 0) return lines
  const shown = unfinished.slice(0, WAIT_LISTS_UNFINISHED)
  lines.push('', `Not completed (${unfinished.length}):`, renderRequests(shown, c, now))
  for (const request of shown) {
    if (request.status === 'pending_verification' && request.next_step) lines.push(`${c.dim(request.id.slice(0, 8))} ${request.next_step}`)
  }
  const more = unfinished.length - shown.length
  if (more > 0) lines.push(c.dim(`…and ${more} more not completed; --json lists every request.`))
  return lines
}

export function renderDownloaded(downloaded: DownloadedExport, c: ChalkInstance): string {
  return downloaded.files
    .map((file) => {
      const verified = `${file.bytes} bytes, SHA-256 ${file.sha256.slice(0, 12)}… verified`
      if (file.outcome === 'present') return `${c.green('✓')} ${file.path} already holds this export (${verified})`
      const resumed = file.resumes > 0 ? `, resumed ${file.resumes}×` : ''
      return `${c.green('✓')} Saved ${c.bold(file.path)} (${verified}${resumed})`
    })
    .join('\n')
}

export function renderConsents(consents: Consent[], c: ChalkInstance, now: Date): string {
  return renderTable(
    consents,
    [
      { header: 'purpose', get: (x) => x.purpose },
      { header: 'state', get: (x) => (x.state === 'granted' ? c.green('granted') : x.state === 'withdrawn' ? 'withdrawn' : c.dim('not asked (off)')) },
      { header: 'since', get: (x) => (x.collected_at ? timeAndAge(x.collected_at, now) : '-') },
      { header: 'method', get: (x) => x.method ?? '-' },
    ],
    c,
    'No consent purposes.',
  )
}

export function renderConsentWrite(write: ConsentWrite, wanted: 'granted' | 'withdrawn', c: ChalkInstance): string {
  const { consent } = write
  const verb = wanted === 'granted' ? 'Granted' : 'Withdrew'
  if (write.outcome === 'applied') return `${c.green('✓')} ${verb} ${c.bold(consent.purpose)}.`
  if (write.outcome === 'unchanged') return `${c.dim('=')} ${consent.purpose} was already ${consent.state}; nothing changed.`
  return (
    `${c.yellow('!')} Not applied: a newer choice for ${consent.purpose} is stored ` +
    `(${consent.state} at ${consent.collected_at ? localTime(consent.collected_at) : '-'}${consent.method ? ` via ${consent.method}` : ''}).`
  )
}

export function renderConsentHistory(events: ConsentEvent[], c: ChalkInstance, now: Date): string {
  return renderTable(
    events,
    [
      { header: 'collected', get: (e) => timeAndAge(e.collected_at, now) },
      { header: 'state', get: (e) => e.state },
      { header: 'method', get: (e) => e.method },
      { header: 'outcome', get: (e) => (e.outcome === 'applied' ? e.outcome : c.dim(e.outcome)) },
    ],
    c,
    'Nothing recorded for this purpose yet.',
  )
}

/** 0.4 s, 12.3 s, 95 s: a tenth of a second where it shows. */
function seconds(ms: number): string {
  const s = ms / 1000
  return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`
}

export function renderBulkSummary(s: BulkSummary, c: ChalkInstance): string {
  const lines = [
    `${s.dry_run ? 'Plan' : 'Submitted'} ${counted(s.rows, 'row')} (batch ${s.batch_id}):`,
    `  valid ${s.valid} · invalid ${s.invalid} · duplicates in the file ${s.in_file_duplicates}`,
  ]
  if (s.dry_run) lines.push(`  would send ${s.planned}${s.resumed ? ` · already finished ${s.resumed}` : ''}`)
  else {
    lines.push(
      `  accepted ${c.green(String(s.accepted))} · duplicate ${s.duplicate} · rejected ${s.rejected ? c.red(String(s.rejected)) : '0'} · failed ${s.failed ? c.red(String(s.failed)) : '0'}`,
      `  ${s.resumed ? `finished by an earlier run ${s.resumed} · ` : ''}retried ${s.retried} · ${counted(s.batches, 'batch', 'batches')} · ${s.rows_per_second} rows/s`,
    )
    if (s.rate_limit_wait_ms > 0 || s.rate_limited > 0) {
      const limited = s.rate_limited > 0 ? ` · ${s.rate_limited} × 429, sent again` : ''
      lines.push(`  waited ${seconds(s.rate_limit_wait_ms)} of ${seconds(s.elapsed_ms)} on the platform's rate limit${limited}`)
    }
  }
  if (s.unread) lines.push(c.yellow(`  The input was not read to its end: ${s.unread}.`))
  if (s.journal) lines.push(c.dim(`  journal ${s.journal}`))
  return lines.join('\n')
}
