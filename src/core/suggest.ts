// "Did you mean …?": the closest known word to a misspelt one, for commands, providers, fields, purposes and topics.

/**
 * Edits (insert, delete, substitute, swap two neighbours) between two words: a swap is the commonest typing slip and
 * counts once, not twice.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1
  const cols = b.length + 1
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1)
      d[i]![j] = best
    }
  }
  return d[a.length]![b.length]!
}

/** How many slips still read as the same word: one for a short word, about one in four letters for a longer one. */
function tolerance(word: string): number {
  return Math.max(1, Math.floor(word.length / 4))
}

/** The known word closest to `typed` within tolerance (case-insensitive), or undefined when none is close. */
export function closest(typed: string, known: readonly string[]): string | undefined {
  const wanted = typed.toLowerCase()
  let best: { word: string; distance: number } | undefined
  for (const word of known) {
    const distance = editDistance(wanted, word.toLowerCase())
    if (distance <= tolerance(word) && (best === undefined || distance < best.distance)) best = { word, distance }
  }
  return best?.word
}

/** " Did you mean "x"?" for a hint, or '' when nothing is close. */
export function didYouMean(typed: string, known: readonly string[]): string {
  const match = closest(typed, known)
  return match === undefined ? '' : `Did you mean "${match}"? `
}
