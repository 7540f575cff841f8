// In-file duplicate detection in fixed memory per row: 64-bit key hashes in an open-addressing table.

const EMPTY = 0

/**
 * Remembers, for each key, the line where it was first seen, in 12 bytes per slot (two 32-bit hash halves and a
 * 32-bit line) with the table at most half full, so a million keys take 24 MB (36 MB while doubling) instead of
 * the hundreds a Set of strings costs.
 *
 * Only a 64-bit hash of each key is kept, so two different keys can collide and the second be reported as a
 * duplicate of the first. With n keys the odds of any collision are about n² / 2⁶⁵: 3·10⁻⁸ for a million rows,
 * 3·10⁻⁶ for ten million. The hash is not cryptographic; whoever writes the file could craft a collision, but
 * only to make their own row look like a duplicate of another of their own rows.
 */
export class SeenKeys {
  private hashHi: Uint32Array
  private hashLo: Uint32Array
  /** 0 marks an empty slot: lines start at 1. */
  private lines: Uint32Array
  private mask: number
  private count = 0

  constructor(initialCapacity = 1024) {
    let capacity = 16
    while (capacity < initialCapacity * 2) capacity *= 2
    this.hashHi = new Uint32Array(capacity)
    this.hashLo = new Uint32Array(capacity)
    this.lines = new Uint32Array(capacity)
    this.mask = capacity - 1
  }

  /** How many distinct keys are remembered. */
  get size(): number {
    return this.count
  }

  /** Bytes held by the table (what a million keys cost, for the curious and the tests). */
  get bytes(): number {
    return this.hashHi.byteLength + this.hashLo.byteLength + this.lines.byteLength
  }

  /** The line where `key` was first added, if it was. */
  firstLineOf(key: string): number | undefined {
    const [hi, lo] = hash64(key)
    const slot = this.find(hi, lo)
    const line = this.lines[slot]!
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
    let slot = this.find(hi, lo)
    const first = this.lines[slot]!
    if (first !== EMPTY) return first
    if ((this.count + 1) * 2 > this.lines.length) {
      this.grow()
      slot = this.find(hi, lo)
    }
    this.hashHi[slot] = hi
    this.hashLo[slot] = lo
    this.lines[slot] = line
    this.count++
    return undefined
  }

  /** The slot holding (hi, lo), or the empty slot where it belongs (linear probing). */
  private find(hi: number, lo: number): number {
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask
    while (this.lines[slot] !== EMPTY && (this.hashHi[slot] !== hi || this.hashLo[slot] !== lo)) slot = (slot + 1) & this.mask
    return slot
  }

  private grow(): void {
    const { hashHi, hashLo, lines } = this
    const capacity = lines.length * 2
    this.hashHi = new Uint32Array(capacity)
    this.hashLo = new Uint32Array(capacity)
    this.lines = new Uint32Array(capacity)
    this.mask = capacity - 1
    for (let old = 0; old < lines.length; old++) {
      if (lines[old] === EMPTY) continue
      const slot = this.find(hashHi[old]!, hashLo[old]!)
      this.hashHi[slot] = hashHi[old]!
      this.hashLo[slot] = hashLo[old]!
      this.lines[slot] = lines[old]!
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
