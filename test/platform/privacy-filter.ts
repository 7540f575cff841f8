// Which requests a list or a report reads: who may see them (own account, or the organisation for privacy:admin) and
// the filters of the query, matched against the request as the API shows it (so due dates are the engine's own).
import type { z } from 'zod'
import {
  REQUEST_ENUM_FILTER_KEYS,
  type PrivacyRequest,
  type RequestFilterQuery,
} from '../../src/core/contract/privacy.js'
import { normaliseEmail } from './privacy-subjects.js'

/** The query's filters as parsed (comma lists split, booleans and numbers read). */
export type RequestFilter = z.output<typeof RequestFilterQuery> & {
  updated_since?: string | undefined
  /** Only these requests (ids in lower case); looked up one by one, so naming 100 of a million costs 100 reads. */
  ids?: string[] | undefined
}

/** Whose requests the caller reads: its own account's, or (privacy:admin, organisation view) everyone's. */
export interface Audience {
  accountId: string
  organisation: boolean
}

/** A predicate over requests as the API shows them at `nowMs`. */
export function requestMatcher(filter: RequestFilter, audience: Audience, nowMs: number): (request: PrivacyRequest) => boolean {
  const since = filter.updated_since === undefined ? undefined : Date.parse(filter.updated_since)
  const subject = filter.subject === undefined ? undefined : subjectMatcher(filter.subject)
  const dueBy = filter.due_within_seconds === undefined ? undefined : nowMs + filter.due_within_seconds * 1000
  return (request) => {
    if (!audience.organisation && request.subject.account_id !== audience.accountId) return false
    for (const key of REQUEST_ENUM_FILTER_KEYS) {
      const wanted = filter[key] as readonly string[] | undefined
      const value = request[key]
      if (wanted && (value === null || !wanted.includes(value))) return false
    }
    if (filter.batch_id !== undefined && request.batch_id !== filter.batch_id) return false
    if (subject && !subject(request.subject)) return false
    if (since !== undefined && Date.parse(request.updated_at) < since) return false
    const due = runningDueMs(request)
    if (filter.overdue === true && (due === undefined || due >= nowMs)) return false
    if (filter.overdue === false && due !== undefined && due < nowMs) return false
    if (dueBy !== undefined && (due === undefined || due > dueBy)) return false
    return true
  }
}

/** The due time of a request whose response period is running (not final, verified); undefined otherwise. */
export function runningDueMs(request: PrivacyRequest): number | undefined {
  // days_left is null exactly when no deadline is running (final, or not yet verified).
  if (request.due_at === null || request.days_left === null) return undefined
  return Date.parse(request.due_at)
}

function subjectMatcher(named: string): (subject: PrivacyRequest['subject']) => boolean {
  if (/^usr_/.test(named)) return (subject) => subject.account_id === named
  const email = normaliseEmail(named)
  return (subject) => normaliseEmail(subject.email) === email
}
