// Key shapes measured against the public references: for each case, a key we generate from a reference's published
// format (gitleaks cmd/generate/config/rules/*.go, trufflehog pkg/detectors/*, a vendor's announcement), what that
// reference decides (its rule matches the value as that kind of key, or it does not), and whether we agree. The
// references' own test strings are not copied: every value is generated here from the documented pattern.
//
// Reproduce: scripts/with-keyring.sh npx vitest run test/core/key-shapes-conformance.test.ts
// (prints "key shapes: N/N as gitleaks/trufflehog decide").
import { describe, expect, it } from 'vitest'
import { classifyKey, isPlaceholder } from '../../src/core/credentials/key-shapes.js'

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const ALNUM_EXT = `${ALNUM}_-`
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789'
const HEX = '0123456789abcdef'
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** A deterministic generator (mulberry32), so every run checks the same values. */
function generator(seed: number) {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
  return (length: number, alphabet: string) => Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join('')
}
const gen = generator(13)

interface Case {
  /** The reference and its rule, e.g. 'gitleaks anthropic-api-key'. */
  reference: string
  /** What the case is. */
  what: string
  value: string
  /** The shape the reference's rule stands for. */
  shape: string
  /** Whether the reference's rule matches the value (as a key of that kind, placeholders excluded). */
  matches: boolean
}

const c = (reference: string, shape: string, matches: boolean, what: string, value: string): Case => ({ reference, shape, matches, what, value })

const CASES: Case[] = [
  // gitleaks cmd/generate/config/rules/anthropic.go
  c('gitleaks anthropic-api-key', 'anthropic-api-key', true, '93 characters + AA', `sk-ant-api03-${gen(93, ALNUM_EXT)}AA`),
  c('gitleaks anthropic-api-key', 'anthropic-api-key', false, 'too short', `sk-ant-api03-${gen(60, ALNUM_EXT)}AA`),
  c('gitleaks anthropic-api-key', 'anthropic-api-key', false, 'wrong suffix', `sk-ant-api03-${gen(93, ALNUM_EXT)}BB`),
  c('gitleaks anthropic-api-key', 'anthropic-api-key', false, 'an admin key', `sk-ant-admin01-${gen(93, ALNUM_EXT)}AA`),
  c('gitleaks anthropic-admin-api-key', 'anthropic-admin-key', true, '93 characters + AA', `sk-ant-admin01-${gen(93, ALNUM_EXT)}AA`),
  c('gitleaks anthropic-admin-api-key', 'anthropic-admin-key', false, 'an API key', `sk-ant-api03-${gen(93, ALNUM_EXT)}AA`),
  c('gitleaks anthropic-oauth-token', 'anthropic-oauth-token', true, '95 characters', `sk-ant-oat01-${gen(95, ALNUM_EXT)}`),
  c('gitleaks anthropic-oauth-token', 'anthropic-oauth-token', false, 'too short', `sk-ant-oat01-${gen(8, ALNUM)}`),
  // gitleaks cmd/generate/config/rules/openai.go (the T3BlbkFJ marker between two parts of 74 or 58, or 20 and 20)
  c('gitleaks openai-api-key', 'openai-project-key', true, 'sk-proj- 74+74', `sk-proj-${gen(74, ALNUM_EXT)}T3BlbkFJ${gen(74, ALNUM_EXT)}`),
  c('gitleaks openai-api-key', 'openai-service-account-key', true, 'sk-svcacct- 58+58', `sk-svcacct-${gen(58, ALNUM_EXT)}T3BlbkFJ${gen(58, ALNUM_EXT)}`),
  c('gitleaks openai-api-key', 'openai-admin-key', true, 'sk-admin- 58+58', `sk-admin-${gen(58, ALNUM_EXT)}T3BlbkFJ${gen(58, ALNUM_EXT)}`),
  c('gitleaks openai-api-key', 'openai-legacy-key', true, 'legacy sk- 20+20', `sk-${gen(20, ALNUM)}T3BlbkFJ${gen(20, ALNUM)}`),
  // gitleaks cmd/generate/config/rules/github.go (entropy 3; its false positives are x-placeholders)
  c('gitleaks github-fine-grained-pat', 'github-fine-grained-pat', true, '82 characters', `github_pat_${gen(22, ALNUM)}_${gen(59, ALNUM)}`),
  c('gitleaks github-fine-grained-pat', 'github-fine-grained-pat', false, 'an x-placeholder', `github_pat_${'x'.repeat(22)}_${'x'.repeat(59)}`),
  c('gitleaks github-pat', 'github-classic-pat', true, '36 characters', `ghp_${gen(36, ALNUM)}`),
  c('gitleaks github-pat', 'github-classic-pat', false, 'an x-placeholder', `ghp_${'x'.repeat(36)}`),
  c('gitleaks github-oauth', 'github-oauth-token', true, '36 characters', `gho_${gen(36, ALNUM)}`),
  c('gitleaks github-app-token', 'github-app-installation-token', true, 'ghs_ 36 characters', `ghs_${gen(36, ALNUM)}`),
  c('gitleaks github-app-token', 'github-app-user-token', true, 'ghu_ 36 characters', `ghu_${gen(36, ALNUM)}`),
  c('gitleaks github-refresh-token', 'github-refresh-token', true, '36 characters', `ghr_${gen(36, ALNUM)}`),
  // GitHub Changelog 2026-04-24, "Notice about upcoming new format for GitHub App installation tokens": ghs_APPID_JWT,
  // ~520 characters, and GitHub's recommended pattern ghs_[A-Za-z0-9._]{36,} (gitleaks' ghs_ rule predates it).
  c(
    'GitHub changelog 2026-04-24 (ghs_APPID_JWT)',
    'github-app-installation-token',
    true,
    'a ~520-character stateless token',
    `ghs_${gen(7, '0123456789')}_eyJ${gen(40, ALNUM_EXT)}.eyJ${gen(300, ALNUM_EXT)}.${gen(170, ALNUM_EXT)}`,
  ),
  // gitleaks cmd/generate/config/rules/gitlab.go
  c('gitleaks gitlab-pat', 'gitlab-access-token', true, '20 characters', `glpat-${gen(20, ALNUM)}`),
  c('gitleaks gitlab-pat', 'gitlab-access-token', false, 'an X-placeholder', `glpat-${'X'.repeat(11)}-${'X'.repeat(8)}`),
  c('gitleaks gitlab-pat-routable', 'gitlab-access-token', true, 'routable', `glpat-${gen(27, ALNUM)}.${gen(2, LOWER_ALNUM)}${gen(7, LOWER_ALNUM)}`),
  c('gitleaks gitlab-session-cookie', 'gitlab-session-cookie', true, '32 characters', `_gitlab_session=${gen(32, LOWER_ALNUM)}`),
  c('gitleaks gitlab-deploy-token', 'gitlab-deploy-token', true, '20 characters', `gldt-${gen(20, ALNUM)}`),
  c('gitleaks gitlab-runner-authentication-token', 'gitlab-runner-token', true, '20 characters', `glrt-${gen(20, ALNUM)}`),
  c('gitleaks gitlab-ptt', 'gitlab-trigger-token', true, '40 hex', `glptt-${gen(40, HEX)}`),
  // trufflehog pkg/detectors/pagerdutyapikey: u+ and 18 of [A-Za-z0-9_+-]
  c('trufflehog pagerdutyapikey', 'pagerduty-rest-api-key', true, 'u+ and 18 characters', `u+${gen(18, `${ALNUM}_+-`)}`),
  c('trufflehog pagerdutyapikey', 'pagerduty-rest-api-key', false, 'u+ and 17 characters', `u+${gen(17, ALNUM)}`),
  c('trufflehog pagerdutyapikey', 'pagerduty-rest-api-key', false, 'another letter than u', `a+${gen(9, 'abcdefghij')}-xy-${gen(5, LOWER_ALNUM)}`),
  // gitleaks cmd/generate/config/rules/aws.go (aws-access-token)
  c('gitleaks aws-access-token', 'aws-long-term-access-key', true, 'AKIA', `AKIA${gen(16, BASE32)}`),
  c('gitleaks aws-access-token', 'aws-temporary-access-key', true, 'ASIA', `ASIA${gen(16, BASE32)}`),
]

/** Whether we take the value as a key of that shape (a placeholder is not one). */
function weMatch(value: string, shape: string): boolean {
  const found = classifyKey(value)
  return found?.id === shape && !isPlaceholder(found, value)
}

describe('key shapes against gitleaks and trufflehog', () => {
  it('agrees with every reference case', () => {
    const disagreements = CASES.filter((item) => weMatch(item.value, item.shape) !== item.matches).map(
      (item) => `${item.reference}: ${item.what} — reference ${item.matches ? 'matches' : 'does not match'} ${item.shape}, we ${item.matches ? 'do not' : 'do'}`,
    )
    console.log(`key shapes: ${CASES.length - disagreements.length}/${CASES.length} as gitleaks/trufflehog decide`)
    expect(disagreements).toEqual([])
  })

  it('generates what each case says (the references and the shapes it names exist)', () => {
    for (const item of CASES) expect(item.value.length, item.what).toBeGreaterThan(10)
    expect(new Set(CASES.map((item) => item.reference)).size).toBeGreaterThan(15)
  })
})

// Where we decide differently from a scanner, on purpose: a scanner wants few false alarms, we want no short-lived or
// admin key registered. These are checked here so the difference stays deliberate.
describe('deliberate differences', () => {
  it('refuses admin and short-lived prefixes whatever follows (gitleaks needs the exact length)', () => {
    expect(classifyKey(`sk-ant-admin01-${gen(30, ALNUM)}`)?.id).toBe('anthropic-admin-key')
    expect(classifyKey(`ghs_${gen(12, ALNUM)}`)?.id).toBe('github-app-installation-token')
    expect(classifyKey(`ghu_${gen(7, '0123456789')}_${gen(500, ALNUM_EXT)}`)?.id).toBe('github-app-user-token')
  })

  it('takes an sk-ant-api03- value of the wrong shape as a malformed API key, never as another kind', () => {
    expect(classifyKey(`sk-ant-api03-${gen(60, ALNUM)}AA`)?.id).toBe('anthropic-malformed-api-key')
  })
})
