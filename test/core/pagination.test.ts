import { describe, expect, it } from 'vitest'
import { collectPages, type CursorPage } from '../../src/core/pagination.js'

/** An in-memory paged source, recording the page sizes asked for. */
function source(total: number) {
  const asked: number[] = []
  const fetchPage = async ({ limit, cursor }: { limit: number; cursor?: string }): Promise<CursorPage<number>> => {
    asked.push(limit)
    const start = cursor ? Number(cursor) : 0
    const data = Array.from({ length: Math.max(0, Math.min(limit, total - start)) }, (_, i) => start + i)
    const next = start + data.length
    return { data, has_more: next < total, next_cursor: next < total ? String(next) : null }
  }
  return { asked, fetchPage }
}

describe('collectPages', () => {
  it('follows cursors until the limit and asks for no more than it needs', async () => {
    const { asked, fetchPage } = source(250)
    const { items, more } = await collectPages(fetchPage, 230)
    expect(items).toEqual(Array.from({ length: 230 }, (_, i) => i))
    expect(more).toBe(true)
    expect(asked).toEqual([100, 100, 30])
  })

  it('stops at the last page when there are fewer items than the limit', async () => {
    const { asked, fetchPage } = source(5)
    expect(await collectPages(fetchPage, 50)).toEqual({ items: [0, 1, 2, 3, 4], more: false })
    expect(asked).toEqual([50])
  })

  it('an unbounded limit (--all) follows every page; exactly the limit with nothing after is not "more"', async () => {
    const all = source(250)
    expect(await collectPages(all.fetchPage, Number.POSITIVE_INFINITY)).toMatchObject({ more: false })
    expect(all.asked).toEqual([100, 100, 100])
    expect(await collectPages(source(5).fetchPage, 5)).toEqual({ items: [0, 1, 2, 3, 4], more: false })
  })
})
