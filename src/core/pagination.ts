// Walks cursor pages until the caller has enough items or the platform has no more.

export interface CursorPage<T> {
  data: T[]
  has_more: boolean
  next_cursor: string | null
}

export const MAX_PAGE_SIZE = 100

export async function collectPages<T>(
  fetchPage: (query: { limit: number; cursor?: string }) => Promise<CursorPage<T>>,
  limit: number,
): Promise<T[]> {
  const items: T[] = []
  let cursor: string | undefined
  while (items.length < limit) {
    const page = await fetchPage({ limit: Math.min(MAX_PAGE_SIZE, limit - items.length), ...(cursor ? { cursor } : {}) })
    items.push(...page.data)
    if (!page.has_more || !page.next_cursor) break
    cursor = page.next_cursor
  }
  return items.slice(0, limit)
}
