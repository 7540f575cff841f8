// `auth ci-check` as text: the verdict first, then the token's claims, then for the closest rule each claim that does not
// match, why, and the changes that would fix it.
import type { ChalkInstance } from 'chalk'
import type { CiCheck, Mismatch } from '../core/auth/ci-check.js'

const WHERE: Record<Mismatch['fixes'][number]['where'], string> = { workflow: 'in the workflow', trust_rule: 'in the trust rule' }

function renderMismatch(mismatch: Mismatch, c: ChalkInstance): string[] {
  return [
    `  ${c.red('✗')} ${c.bold(mismatch.claim)}: expected ${mismatch.expected}, token has ${mismatch.actual ?? '(none)'}`,
    `    ${mismatch.explanation}`,
    ...mismatch.fixes.map((fix) => `    ${c.dim(`fix ${WHERE[fix.where]}:`)} ${fix.change}`),
  ]
}

export function renderCiCheck(check: CiCheck, c: ChalkInstance): string {
  const { token } = check
  const lines = [
    check.passes
      ? `${c.green('✓')} The platform would accept this token (rule "${check.matched_rule}").`
      : `${c.red('✗')} The platform would refuse this token.`,
    c.dim(`  token from ${check.source}: iss ${token.iss ?? '(none)'} · aud ${token.aud.join(' ') || '(none)'} · expires ${token.expires_at ?? '(no exp)'}`),
    c.dim(`  sub ${token.sub ?? '(none)'}${token.subject_format === 'github_ids' ? ' (GitHub subject with immutable ids)' : ''}`),
  ]
  if (check.expired) lines.push('', ...renderMismatch(check.expired, c))
  if (check.rules.length === 0) {
    lines.push('', 'The platform trusts no CI identity: an organisation admin adds a CI trust rule first.')
  }
  const closest = check.rules.find((rule) => rule.name === check.closest_rule)
  if (closest) {
    const others = check.rules.length - 1
    lines.push('', `Closest rule "${closest.name}"${others > 0 ? ` (of ${check.rules.length}; --json lists every rule)` : ''}:`)
    for (const mismatch of closest.mismatches) lines.push(...renderMismatch(mismatch, c))
  }
  return lines.join('\n')
}
