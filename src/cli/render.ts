// Human renderings of command results. --json bypasses all of this and prints the result itself.
import type { ChalkInstance } from 'chalk'
import type { SettingsReport } from '../core/config/settings.js'
import type { Project, Sandbox } from '../core/contract/index.js'
import type { DoctorReport } from '../core/doctor.js'
import { renderTable } from './output.js'

const day = (iso: string) => iso.slice(0, 10)

export function renderProjects(projects: Project[], c: ChalkInstance): string {
  return renderTable(
    projects,
    [
      { header: 'id', get: (p) => p.id },
      { header: 'name', get: (p) => c.bold(p.name) },
      { header: 'created', get: (p) => day(p.created_at) },
    ],
    c,
    'No projects yet.',
  )
}

const SANDBOX_STATUS: Record<Sandbox['status'], (c: ChalkInstance, s: string) => string> = {
  ready: (c, s) => c.green(s),
  provisioning: (c, s) => c.yellow(s),
  stopped: (c, s) => c.dim(s),
}

export function renderSandboxes(sandboxes: Sandbox[], c: ChalkInstance): string {
  return renderTable(
    sandboxes,
    [
      { header: 'id', get: (s) => s.id },
      { header: 'name', get: (s) => c.bold(s.name) },
      { header: 'status', get: (s) => SANDBOX_STATUS[s.status](c, s.status) },
      { header: 'created', get: (s) => day(s.created_at) },
    ],
    c,
    'No sandboxes in this project.',
  )
}

export function renderSettings(report: SettingsReport, c: ChalkInstance): string {
  const table = renderTable(
    report.settings,
    [
      { header: 'key', get: (s) => s.key },
      { header: 'value', get: (s) => (s.value === null ? c.dim('-') : s.value) },
      { header: 'source', get: (s) => c.dim(s.source) },
    ],
    c,
    '',
  )
  return `${c.dim(`profile ${report.profile} · ${report.path}`)}\n${table}`
}

const MARK: Record<DoctorReport['checks'][number]['status'], (c: ChalkInstance) => string> = {
  ok: (c) => c.green('✓'),
  warn: (c) => c.yellow('!'),
  fail: (c) => c.red('✗'),
}

export function renderDoctor(report: DoctorReport, c: ChalkInstance): string {
  const width = Math.max(...report.checks.map((check) => check.name.length))
  const lines = report.checks.map((check) => {
    const line = `${MARK[check.status](c)} ${check.name.padEnd(width)}  ${check.detail}`
    return check.fix ? `${line}\n  ${' '.repeat(width)}  ${c.dim(`fix: ${check.fix}`)}` : line
  })
  const failed = report.checks.filter((check) => check.status === 'fail').length
  lines.push('', failed === 0 ? c.green('All checks passed.') : c.red(`${failed} check${failed === 1 ? '' : 's'} failed.`))
  return lines.join('\n')
}
