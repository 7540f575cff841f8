// The privacy requests, indexed so that what a request or a batch item looks up costs O(1) or O(log n), not a scan:
// by id, newest first for paging, open ones by (person, type) for duplicate detection, and by person for exports.
import { FINAL_STATES, type RequestState, type RequestType } from '../../src/core/contract/privacy.js'

/** What the index reads of a request. */
export interface IndexedRequest {
  id: string
  /** Only requests (not appeals or complaints about them) count as open requests of their type. */
  kind: 'request' | 'appeal' | 'complaint'
  type: RequestType
  status: RequestState
  subject: { account_id: string }
  createdMs: number
}

/** A place in newest-first order: the (created_at, id) of a page cursor. */
export interface ListPosition {
  createdMs: number
  id: string
}

export class RequestIndex<R extends IndexedRequest> {
  private readonly byId = new Map<string, R>()
  /** Oldest first by (createdMs, id): newest-first pages are walks down from a binary-searched position. */
  private readonly ordered: R[] = []
  /** `account_id type` → open requests, oldest first (a Set keeps insertion order). */
  private readonly open = new Map<string, Set<R>>()
  private readonly bySubject = new Map<string, R[]>()

  get size(): number {
    return this.byId.size
  }

  get(id: string): R | undefined {
    return this.byId.get(id)
  }

  has(id: string): boolean {
    return this.byId.has(id)
  }

  add(request: R): void {
    if (this.byId.has(request.id)) throw new Error(`privacy request ${request.id} indexed twice`)
    this.byId.set(request.id, request)
    // Requests arrive in time order, so this walk back is one step, except when the wall clock steps backwards.
    let at = this.ordered.length
    while (at > 0 && compare(this.ordered[at - 1] as R, request) > 0) at -= 1
    this.ordered.splice(at, 0, request)
    this.subjectList(request.subject.account_id).push(request)
    this.statusChanged(request)
  }

  /** Call after every change of a request's status: a request that has become final leaves the open index. */
  statusChanged(request: R): void {
    if (request.kind !== 'request') return
    const key = openKey(request.subject.account_id, request.type)
    if (FINAL_STATES.includes(request.status)) {
      const set = this.open.get(key)
      set?.delete(request)
      if (set?.size === 0) this.open.delete(key)
      return
    }
    let set = this.open.get(key)
    if (!set) {
      set = new Set()
      this.open.set(key, set)
    }
    set.add(request)
  }

  /** The oldest request of this type for this person that is not final yet. */
  openFor(accountId: string, type: RequestType): R | undefined {
    return this.open.get(openKey(accountId, type))?.values().next().value
  }

  /** This person's requests, oldest first. */
  ofSubject(accountId: string): readonly R[] {
    return this.bySubject.get(accountId) ?? []
  }

  /** Every request, oldest first. */
  all(): readonly R[] {
    return this.ordered
  }

  /** Newest first, starting just after `after` (a cursor's position) or at the newest; lazy, so a page costs what it reads. */
  *newestFirst(after?: ListPosition): Generator<R> {
    let index = after === undefined ? this.ordered.length - 1 : this.lastBefore(after)
    for (; index >= 0; index -= 1) yield this.ordered[index] as R
  }

  /** The index of the newest request strictly older than `position`, or -1. */
  private lastBefore(position: ListPosition): number {
    let low = 0
    let high = this.ordered.length
    while (low < high) {
      const mid = (low + high) >> 1
      if (compare(this.ordered[mid] as R, position) < 0) low = mid + 1
      else high = mid
    }
    return low - 1
  }

  private subjectList(accountId: string): R[] {
    let list = this.bySubject.get(accountId)
    if (!list) {
      list = []
      this.bySubject.set(accountId, list)
    }
    return list
  }
}

function openKey(accountId: string, type: RequestType): string {
  return `${accountId} ${type}`
}

/** Oldest first; the same order as pageOf's newest-first comparison, reversed, so cursors from either agree. */
function compare(a: ListPosition, b: ListPosition): number {
  if (a.createdMs !== b.createdMs) return a.createdMs - b.createdMs
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}
