// Words that follow a number: "1 row", "2 rows". One place, so no message says "1 rows" or hedges with "row(s)".

/** `n` and the noun agreeing with it; `plural` for nouns that do not just take an s. */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`
}
