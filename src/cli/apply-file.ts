// `credentials apply -f FILE`: reading and parsing the file (YAML, which JSON also is) here in the CLI layer — src/core
// does no I/O — and the plan as a table for people. The `yaml` package is imported only when apply runs.
import { readFile } from 'node:fs/promises'
import type { ChalkInstance } from 'chalk'
import { type ApplyFile, type ApplySummary, type PlanItem, parseApplyFile } from '../core/credentials/apply.js'
import { UsageError } from '../core/errors.js'
import { renderTable } from './output.js'

/** A credentials file holds references, not secrets: anything this big is the wrong file. */
const MAX_FILE_BYTES = 1024 * 1024

export async function readApplyFile(path: string): Promise<ApplyFile> {
  let text: string
  try {
    const bytes = await readFile(path)
    if (bytes.length > MAX_FILE_BYTES) throw new UsageError(`-f ${path} is larger than ${MAX_FILE_BYTES} bytes: not a credentials file.`)
    text = bytes.toString('utf8')
  } catch (error) {
    if (error instanceof UsageError) throw error
    const code = (error as NodeJS.ErrnoException).code
    throw new UsageError(`-f ${path} cannot be read${code ? ` (${code})` : ''}.`, { hint: 'Give the path of a credentials YAML file.' })
  }
  const { parse } = await import('yaml')
  let document: unknown
  try {
    document = parse(text, { prettyErrors: true, uniqueKeys: true })
  } catch (error) {
    // The parser's message quotes the offending line, which may be a literal secret someone pasted: say where, not what.
    const at = (error as { linePos?: [{ line: number; col: number }] }).linePos?.[0]
    throw new UsageError(`-f ${path} is not valid YAML${at ? ` (line ${at.line}, column ${at.col})` : ''}.`)
  }
  return parseApplyFile(document, path)
}

const target = (item: PlanItem) =>
  item.action === 'attach' || item.action === 'detach'
    ? (item.sandbox ?? '')
    : item.action === 'update'
      ? `rotate ${(item.changed ?? []).join(', ')}`
      : item.action === 'create' && item.sandboxes?.length
        ? `sandboxes ${item.sandboxes.join(', ')}`
        : ''

export function renderPlan(plan: PlanItem[], summary: ApplySummary, applied: boolean, c: ChalkInstance): string {
  const changes = plan.filter((item) => item.action !== 'unchanged')
  const lines: string[] = []
  lines.push(
    renderTable(
      plan,
      [
        { header: 'action', get: (item) => (item.action === 'unchanged' ? c.dim(item.action) : item.action) },
        { header: 'project', get: (item) => item.project },
        { header: 'label', get: (item) => item.label },
        { header: 'provider', get: (item) => item.provider },
        { header: 'id', get: (item) => item.credential_id ?? '' },
        { header: 'detail', get: target },
        ...(applied ? [{ header: 'status', get: (item: PlanItem) => (item.status === 'failed' ? c.red(`failed: ${item.error ?? ''}`) : item.status) }] : []),
      ],
      c,
      'The file lists no credentials.',
    ),
  )
  if (changes.length === 0) lines.push('No changes.')
  else {
    const counts = (['create', 'update', 'attach', 'detach', 'prune'] as const).filter((a) => summary[a] > 0).map((a) => `${summary[a]} ${a}`)
    lines.push(`${applied ? 'Applied' : 'Plan'}: ${counts.join(', ')}${summary.failed > 0 ? `; ${summary.failed} failed` : ''}.`)
  }
  if (summary.not_pruned > 0) {
    lines.push(c.dim(`${summary.not_pruned} credential${summary.not_pruned === 1 ? '' : 's'} in these projects not listed in the file would be removed with --prune.`))
  }
  return lines.join('\n')
}
