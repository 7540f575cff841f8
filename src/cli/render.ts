// Human renderings of command results. --json bypasses all of this and prints the result itself.
import type { ChalkInstance } from 'chalk'
import { INSECURE_STORAGE_FIX } from '../core/auth/insecure-storage.js'
import type { BrowserStep, DeviceStep, SignIn } from '../core/auth/login.js'
import type { AuthStatus, LogoutResult, ProfileList } from '../core/auth/profiles.js'
import type { SettingsReport } from '../core/config/settings.js'
import type { Credential, CredentialVerification } from '../core/contract/credentials.js'
import type { Rotation } from '../core/credentials/lifecycle.js'
import type { Finding } from '../core/credentials/provider.js'
import type { ProviderSummary } from '../core/credentials/register.js'
import type { Recipe } from '../core/credentials/recipes/index.js'
import type { Project, Sandbox } from '../core/contract/index.js'
import type { DoctorReport } from '../core/doctor.js'
import type { KeychainEntryList } from '../core/keychain-entries.js'
import type { SignInMethod } from '../core/profile.js'
import { expiryText, timeAndAge } from '../core/time-text.js'
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

export function renderDeviceStep(step: DeviceStep, c: ChalkInstance): string {
  return [
    `${c.yellow('!')} First copy your one-time code: ${c.bold(step.user_code)}`,
    `  Then open ${c.underline(step.verification_uri)} and enter it (it expires in ${Math.round(step.expires_in / 60)} min).`,
    ...(step.verification_uri_complete ? [`  Or open ${step.verification_uri_complete}`] : []),
    c.dim('  Waiting for approval… (Ctrl-C to cancel)'),
  ].join('\n')
}

export function renderBrowserStep(step: BrowserStep, remote: boolean, c: ChalkInstance): string {
  return remote
    ? [
        `${c.yellow('!')} Open this address in the browser you sign in with:`,
        `  ${c.underline(step.authorization_url)}`,
        c.dim('  After you approve, it goes to an address on 127.0.0.1 that will not load: copy that whole address from its address bar.'),
      ].join('\n')
    : [
        `Opening the platform's sign-in page in your browser. If it does not open, visit:`,
        `  ${c.underline(step.authorization_url)}`,
        c.dim('  Waiting for the browser… (Ctrl-C to cancel; a browser on another machine: clowdops login --remote)'),
      ].join('\n')
}

export function renderSignIn(signIn: SignIn, c: ChalkInstance): string {
  const where = { keychain: 'the OS keychain', file: 'a 0600 file (insecure storage)', memory: 'memory only' }[signIn.stored_in]
  return `${c.green('✓')} Signed in to ${signIn.api_url} as ${c.bold(signIn.account)} (${signIn.org}), profile ${signIn.profile}; token in ${where}.`
}

const SIGNED_IN_WITH: Record<SignInMethod, string> = {
  browser: 'through the browser',
  device: 'with a device code',
  token: 'with a personal access token',
  ci: "with the CI job's identity token",
}

export function renderAuthStatus(status: AuthStatus, c: ChalkInstance, now: Date): string {
  return status.profiles
    .map((p) => {
      const head = `${p.active ? c.green('*') : ' '} ${c.bold(p.profile)}${p.api_url ? `  ${c.dim(p.api_url)}` : ''}`
      if (!p.signed_in) return `${head}\n    not signed in`
      const where = p.source === 'file' ? 'a plaintext file (--insecure-storage)' : p.source
      const who = p.source === 'env' ? 'token from CLOWDOPS_TOKEN' : `${p.account ?? '?'} (${p.org ?? '?'}), token in ${where}`
      const lines = [`${head}`, `    ${who}`]
      // Always here, whereas commands remind of it once a day.
      if (p.source === 'file') lines.push(`    ${c.yellow('!')} ${INSECURE_STORAGE_FIX}`)
      if (p.signed_in_with) lines.push(`    signed in ${SIGNED_IN_WITH[p.signed_in_with]}`)
      if (p.expires_at) lines.push(`    ${expiryText(p.expires_at, now)}`)
      if (p.scopes.length > 0) lines.push(`    scopes ${p.scopes.join(' ')}`)
      if (p.verified !== undefined) lines.push(p.verified ? `    ${c.green('✓')} accepted by the platform` : `    ${c.red('✗')} rejected by the platform`)
      return lines.join('\n')
    })
    .join('\n')
}

export function renderProfiles(profiles: ProfileList, c: ChalkInstance): string {
  return renderTable(
    profiles,
    [
      { header: ' ', get: (p) => (p.active ? c.green('*') : ' ') },
      { header: 'profile', get: (p) => p.profile },
      { header: 'account', get: (p) => p.account ?? c.dim('-') },
      { header: 'api url', get: (p) => p.api_url ?? c.dim('(default)') },
    ],
    c,
    'No profiles.',
  )
}

export function renderLogout(results: LogoutResult, c: ChalkInstance): string {
  if (results.length === 0) return 'No profile is signed in; nothing to do.'
  return results
    .map((r) => {
      if (r.signed_in === false) return `Profile ${r.profile} is not signed in; nothing to do.`
      const line = `${c.green('✓')} Signed out of ${r.profile}${r.revoked ? ' (tokens revoked on the platform)' : ''}.`
      return r.note ? `${line}\n  ${c.yellow(r.note)}` : line
    })
    .join('\n')
}

/** Names only; an account another tool made may hold control characters, shown escaped so the terminal stays sane. */
export function renderKeychainEntries(list: KeychainEntryList, c: ChalkInstance): string {
  const printable = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)
  return renderTable(
    list.entries,
    [
      { header: 'entry', get: (e) => c.bold(printable(`${e.service}/${e.account}`)) },
      { header: 'reference', get: (e) => e.reference ?? c.dim('-') },
    ],
    c,
    list.services.length === 1
      ? `No entries under service ${list.services[0]} in the OS keychain.`
      : 'Nothing stored with clowdops keychain set here yet. List any service by name: clowdops keychain list SERVICE',
  )
}

export function renderProviders(list: ProviderSummary, c: ChalkInstance): string {
  return renderTable(
    list,
    [
      { header: 'provider', get: (p) => c.bold(p.id) },
      { header: 'kind', get: (p) => p.kind },
      { header: 'fields', get: (p) => p.fields.map((f) => `${f.name}${f.secret ? c.dim('*') : ''}${f.required ? '' : '?'}`).join(' ') },
    ],
    c,
    'No providers.',
  ) + `\n${c.dim('* secret: give a reference (keychain:, env:, file:, stdin)   ? optional')}`
}

/** `accepted`: rules the person accepted as risks (--allow); their findings stand, but are not shown as failures. */
export function renderFindings(findings: Finding[], hint: string, c: ChalkInstance, accepted: readonly string[] = []): string {
  if (findings.length === 0) return `${c.green('✓')} ${hint}: no findings.`
  return findings
    .map((f) => {
      const mark = accepted.includes(f.rule) ? c.yellow('! accepted') : f.severity === 'error' ? c.red('✗ error  ') : c.yellow('! warning')
      return `${mark} ${c.bold(f.rule)}${f.field ? c.dim(` (${f.field})`) : ''}: ${f.message}\n            ${c.dim(`fix: ${f.fix}`)}\n            ${c.dim(`source: ${f.source}`)}`
    })
    .join('\n')
}

/** `heading` says what just happened to it (added, rotated); without one the credential is only shown. */
export function renderRegistration(credential: Credential, c: ChalkInstance, heading?: string): string {
  const lines = [
    `${c.green('✓')} ${heading ? `${heading} ` : ''}${c.bold(credential.label)} ${c.dim(credential.id)}  ${credential.provider}  ${credential.hint}`,
    `  project ${credential.project_id}${credential.sandboxes.length ? `, sandboxes ${credential.sandboxes.join(' ')}` : ''}`,
    `  sealed fields: ${Object.keys(credential.secrets).join(', ') || '-'}`,
  ]
  if (credential.external_id) lines.push(`  external ID ${credential.external_id} (the role's trust policy must require it: StringEquals sts:ExternalId)`)
  if (credential.accepted_risks.length) lines.push(`  ${c.yellow(`accepted risks: ${credential.accepted_risks.join(', ')}`)}`)
  return lines.join('\n')
}

/** Not the look of `add`: which secrets were replaced (and which kept), so a rotation never reads as a new credential. */
export function renderRotation(rotation: Rotation, c: ChalkInstance): string {
  const { credential, rotated } = rotation
  const kept = Object.keys(credential.secrets).filter((name) => !rotated.includes(name))
  const lines = [
    `${c.green('✓')} Rotated ${c.bold(credential.label)} ${c.dim(credential.id)}: new ${rotated.join(', ')} sealed${kept.length ? `; kept ${kept.join(', ')}` : ''}.`,
    `  hint now ${credential.hint}`,
  ]
  if (credential.accepted_risks.length) lines.push(`  ${c.yellow(`accepted risks: ${credential.accepted_risks.join(', ')}`)}`)
  return lines.join('\n')
}

export function renderCredentials(list: Credential[], c: ChalkInstance): string {
  return renderTable(
    list,
    [
      { header: 'id', get: (x) => x.id },
      { header: 'label', get: (x) => c.bold(x.label) },
      { header: 'provider', get: (x) => x.provider },
      { header: 'hint', get: (x) => x.hint },
      { header: 'sandboxes', get: (x) => String(x.sandboxes.length) },
    ],
    c,
    'No credentials in this project.',
  )
}

const GRADE: Record<CredentialVerification['grade'], (c: ChalkInstance, s: string) => string> = {
  A: (c, s) => c.green(s),
  B: (c, s) => c.cyan(s),
  C: (c, s) => c.yellow(s),
  F: (c, s) => c.red(s),
}

export function renderVerification(v: CredentialVerification, c: ChalkInstance, now: Date): string {
  const mark = { error: c.red('✗'), warning: c.yellow('!'), info: c.dim('·') }
  const lines = [`grade ${c.bold(GRADE[v.grade](c, v.grade))}  ${v.credential_id}  ${c.dim(`checked ${timeAndAge(v.checked_at, now)}`)}`]
  for (const f of v.findings) {
    lines.push(`${mark[f.severity]} ${c.bold(f.rule)}: ${f.message}`)
    if (f.fix) lines.push(`    ${c.dim(`fix: ${f.fix}`)}`)
  }
  return lines.join('\n')
}

/** `credentials recipe` as text: what to create, the steps with their commands, the documents, how to register. */
export function renderRecipe(recipe: Recipe, c: ChalkInstance): string {
  const lines = [c.bold(recipe.title), `  ${c.dim('create:')} ${recipe.identity}`]
  for (const grant of recipe.grants) lines.push(`  ${c.dim('grant: ')} ${grant}`)
  for (const avoid of recipe.avoid) lines.push(`  ${c.yellow('avoid: ')} ${avoid}`)
  lines.push('')
  const steps = [...recipe.steps, { title: 'Register it with ClowdOps (checked offline first)', commands: [recipe.register] }]
  steps.forEach((step, index) => {
    lines.push(`${c.bold(`${index + 1}.`)} ${step.title}`)
    if ('detail' in step && step.detail) lines.push(`   ${step.detail}`)
    for (const command of step.commands) lines.push(`   ${c.cyan(`$ ${command}`)}`)
  })
  for (const doc of recipe.documents) {
    lines.push('', `${c.bold(`${doc.name}.json`)} ${c.dim(`(${doc.kind} policy) ${doc.description}`)}`, JSON.stringify(doc.document, null, 2))
  }
  if (recipe.documents.length > 0) lines.push('', c.dim(`Also: --format json | terraform | cloudformation. Roles: ${recipe.roles.join(', ')}.`))
  lines.push('', c.dim(`References: ${recipe.references.join(' ')}`))
  return lines.join('\n')
}
