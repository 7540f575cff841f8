// When each privacy request's next transition is due: a min-heap by time, so settling costs only what has come due.

/** Transitions waiting for their time, earliest first; an entry whose request has changed since is skipped. */
export class Timeline {
  private readonly heap: { at: number; seq: number; id: string; version: number }[] = []
  private seq = 0

  push(at: number, id: string, version: number): void {
    this.heap.push({ at, seq: this.seq++, id, version })
    let i = this.heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.before(i, parent)) break
      this.swap(i, parent)
      i = parent
    }
  }

  /** The earliest entry due at or before `nowMs`, removed; undefined when none is due. */
  popDue(nowMs: number): { at: number; id: string; version: number } | undefined {
    const first = this.heap[0]
    if (!first || first.at > nowMs) return undefined
    const last = this.heap.pop()
    if (last && this.heap.length > 0) {
      this.heap[0] = last
      let i = 0
      for (;;) {
        const left = 2 * i + 1
        const right = left + 1
        let smallest = i
        if (left < this.heap.length && this.before(left, smallest)) smallest = left
        if (right < this.heap.length && this.before(right, smallest)) smallest = right
        if (smallest === i) break
        this.swap(i, smallest)
        i = smallest
      }
    }
    return first
  }

  private before(a: number, b: number): boolean {
    const x = this.heap[a]
    const y = this.heap[b]
    if (!x || !y) return false
    return x.at !== y.at ? x.at < y.at : x.seq < y.seq
  }

  private swap(a: number, b: number): void {
    const x = this.heap[a]
    const y = this.heap[b]
    if (!x || !y) return
    this.heap[a] = y
    this.heap[b] = x
  }
}
