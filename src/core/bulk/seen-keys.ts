// In-file duplicate detection in fixed memory per row: 64-bit key hashes in an open-addressing table.

const EMPTY = 0
/** Tables the keys are spread over by their hash: growing one copies a 64th of the keys, not all of them. */
const SEGMENT_BITS = 6

/**
 * Remembers, for each key, the line where it was first seen, in 12 bytes per slot (two 32-bit hash halves and a
 * 32-bit line) with each table at most half full, so a million keys take 24 MB instead of the hundreds a Set of
 * strings costs. The slots are split over 64 tables chosen by the hash, so the doubling of one table (its old and
 * new arrays alive together) adds a 64th of that, not half of it again.
 *
 * Only a 64-bit hash of each key is kept, so two different keys can collide and the second be reported as a
 * duplicate of the first. With n keys the odds of any collision are about n² / 2⁶⁵: 3·10⁻⁸ for a million rows,
 * 3·10⁻⁶ for ten million. The hash is not cryptographic; whoever writes the file could craft a collision, but
 * only to make their own row look like a duplicate of another of their own rows.
 */
export class SeenKeys {
  private readonly segments: Segment[]
  private count = 0

  constructor(initialCapacity = 1024) {
    const perSegment = Math.ceil(initialCapacity / (1 << SEGMENT_BITS))
    this.segments = Array.from({ length: 1 << SEGMENT_BITS }, () => new Segment(perSegment))
  }

  /** How many distinct keys are remembered. */
  get size(): number {
    return this.count
  }

  /** Bytes held by the tables (what a million keys cost, for the curious and the tests). */
  get bytes(): number {
    return this.segments.reduce((sum, segment) => sum + segment.bytes, 0)
  }

  /** The line where `key` was first added, if it was. */
  firstLineOf(key: string): number | undefined {
    const [hi, lo] = hash64(key)
    const line = this.segmentOf(hi).lineOf(hi, lo)
    return line === EMPTY ? undefined : line
  }

  /** Remembers `key` at `line` unless it is already known (the first line stays). */
  add(key: string, line: number): void {
    this.seenAt(key, line)
  }

  /** The line where `key` was first seen; when it is new, remembers it at `line` and returns undefined. */
  seenAt(key: string, line: number): number | undefined {
    if (!Number.isInteger(line) || line < 1 || line > 0xffffffff) throw new RangeError(`line out of range: ${line}`)
    const [hi, lo] = hash64(key)
    const first = this.segmentOf(hi).insert(hi, lo, line)
    if (first !== EMPTY) return first
    this.count++
    return undefined
  }

  private segmentOf(hi: number): Segment {
    return this.segments[hi >>> (32 - SEGMENT_BITS)]!
  }
}

/**
 * One open-addressing table (linear probing) of slots of three 32-bit words, side by side so that a probe touches one
 * cache line: the hash's two halves and the line, where line 0 marks an empty slot (lines start at 1).
 */
class Segment {
  private slots: Uint32Array
  private mask: number
  private count = 0

  constructor(initialCapacity: number) {
    let capacity = 16
    while (capacity < initialCapacity * 2) capacity *= 2
    this.slots = new Uint32Array(capacity * 3)
    this.mask = capacity - 1
  }

  get bytes(): number {
    return this.slots.byteLength
  }

  lineOf(hi: number, lo: number): number {
    return this.slots[this.find(hi, lo) + 2]!
  }

  /** The line already held for (hi, lo), or EMPTY after remembering it at `line`. */
  insert(hi: number, lo: number, line: number): number {
    let at = this.find(hi, lo)
    const first = this.slots[at + 2]!
    if (first !== EMPTY) return first
    if ((this.count + 1) * 2 > this.mask + 1) {
      this.grow()
      at = this.find(hi, lo)
    }
    this.put(at, hi, lo, line)
    this.count++
    return EMPTY
  }

  /** Where (hi, lo) is held, or the empty slot where it belongs: the index of the slot's first word. */
  private find(hi: number, lo: number): number {
    const { slots, mask } = this
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask
    for (;;) {
      const at = slot * 3
      if (slots[at + 2] === EMPTY || (slots[at] === hi && slots[at + 1] === lo)) return at
      slot = (slot + 1) & mask
    }
  }

  private put(at: number, hi: number, lo: number, line: number): void {
    this.slots[at] = hi
    this.slots[at + 1] = lo
    this.slots[at + 2] = line
  }

  private grow(): void {
    const old = this.slots
    this.slots = new Uint32Array(old.length * 2)
    this.mask = this.mask * 2 + 1
    for (let at = 0; at < old.length; at += 3) {
      if (old[at + 2] !== EMPTY) this.put(this.find(old[at]!, old[at + 1]!), old[at]!, old[at + 1]!, old[at + 2]!)
    }
  }
}

/** A 64-bit hash of the UTF-16 code units (cyrb53's two 32-bit lanes, both kept): fast, well mixed, not secret. */
export function hash64(key: string): [hi: number, lo: number] {
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let i = 0; i < key.length; i++) {
    const ch = key.charCodeAt(i)
    h1 = Math.imul(h1 ^ ch, 2654435761)
    h2 = Math.imul(h2 ^ ch, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507)
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507)
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return [h2 >>> 0, h1 >>> 0]
}
