// How output looks: colour only where it is wanted (TTY, NO_COLOR, FORCE_COLOR), aligned tables for people.
import { Chalk, type ChalkInstance } from 'chalk'

export interface OutputStreamInfo {
  isTTY?: boolean | undefined
}

/** FORCE_COLOR wins, then NO_COLOR (https://no-color.org), then whether stdout is a terminal. */
export function colorLevel(env: Record<string, string | undefined>, stream: OutputStreamInfo): 0 | 1 | 2 | 3 {
  const force = env.FORCE_COLOR
  if (force !== undefined && force !== '') {
    if (force === '0' || force === 'false') return 0
    const level = Number(force)
    return level >= 1 && level <= 3 ? (level as 1 | 2 | 3) : 1
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0
  if (!stream.isTTY || env.TERM === 'dumb') return 0
  return env.COLORTERM === 'truecolor' ? 3 : 2
}

export function makeColors(env: Record<string, string | undefined>, stream: OutputStreamInfo): ChalkInstance {
  return new Chalk({ level: colorLevel(env, stream) })
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
