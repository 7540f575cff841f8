// How output looks: colour only where the terminal port allows it, aligned tables for people.
import { Chalk, type ChalkInstance } from 'chalk'

/** Chalk at the colour level the terminal port decided (FORCE_COLOR, NO_COLOR, TERM, a terminal). */
export function makeColors(level: 0 | 1 | 2 | 3): ChalkInstance {
  return new Chalk({ level })
}

export interface Column<Row> {
  header: string
  get: (row: Row) => string
}

/** A plain aligned table; `colors.dim` headers when colour is on. Empty input prints the `empty` line. */
export function renderTable<Row>(rows: Row[], columns: Column<Row>[], colors: ChalkInstance, empty: string): string {
  if (rows.length === 0) return colors.dim(empty)
  const cells = rows.map((row) => columns.map((column) => column.get(row)))
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => visibleLength(line[i] ?? ''))))
  const pad = (text: string, i: number) => (i === columns.length - 1 ? text : text + ' '.repeat((widths[i] ?? 0) - visibleLength(text)))
  const header = columns.map((column, i) => pad(column.header.toUpperCase(), i)).join('  ')
  return [colors.bold(header), ...cells.map((line) => line.map(pad).join('  '))].join('\n')
}

const ANSI = /\u001b\[[0-9;]*m/g
function visibleLength(text: string): number {
  return text.replace(ANSI, '').length
}
