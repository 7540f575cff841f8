// The --limit and --all flags of the list commands, and the note that a list was cut short.
import { Flags } from '@oclif/core'
import type { Listed } from '../core/pagination.js'

/** `noun` in the plural, as the help says it: "projects", "requests". */
export function listFlags(noun: string, defaultLimit: number) {
  return {
    limit: Flags.integer({ summary: `Most ${noun} to list (pages are fetched as needed).`, default: defaultLimit, min: 1 }),
    all: Flags.boolean({ summary: `List all ${noun}, however many pages that takes (--limit is then ignored).` }),
  }
}

/** What collectPages should stop at. */
export function limitOf(flags: { limit: number; all: boolean }): number {
  return flags.all ? Number.POSITIVE_INFINITY : flags.limit
}

/** For people, when the platform holds more than were listed: how to see them. Undefined when the list is whole. */
export function moreNote(listed: Listed<unknown>, noun: string): string | undefined {
  if (!listed.more) return undefined
  return `There are more ${noun} than the ${listed.items.length} shown: pass --limit with a larger number, or --all.`
}
