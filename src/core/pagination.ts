// Walks cursor pages until the caller has enough items or the platform has no more.

export interface CursorPage<T> {
  data: T[]
  has_more: boolean
  next_cursor: string | null
}

export const MAX_PAGE_SIZE = 100

/** Up to the limit's items, and whether the platform holds more after them (so a list can say it was cut short). */
export interface Listed<T> {
  items: T[]
  more: boolean
}

/** `limit` may be Infinity (--all): every page is read, as many as the platform says there are. */
export async function collectPages<T>(
  fetchPage: (query: { limit: number; cursor?: string }) => Promise<CursorPage<T>>,
  limit: number,
): Promise<Listed<T>> {
  const items: T[] = []
  let cursor: string | undefined
  let more = false
  while (items.length < limit) {
    const page = await fetchPage({ limit: Math.min(MAX_PAGE_SIZE, limit - items.length), ...(cursor ? { cursor } : {}) })
    items.push(...page.data)
    more = page.has_more && page.next_cursor !== null
    // A page with nothing in it cannot lead on: stop rather than ask for the same cursor's emptiness again.
    if (!more || page.data.length === 0) break
    cursor = page.next_cursor!
  }
  return { items: items.slice(0, limit), more: more || items.length > limit }
}
