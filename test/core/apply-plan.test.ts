// The apply planner on in-memory data: matching by project and label, fingerprints, sandboxes, prune, immutable fields.
import { describe, expect, it } from 'vitest'
import type { Credential } from '../../src/core/contract/index.js'
import { type ResolvedEntry, ApplyFile, hasChanges, idempotencyKeyOf, parseApplyFile, planChanges, summarize } from '../../src/core/credentials/apply.js'
import { findProvider } from '../../src/core/credentials/catalog.js'
import { RefusedError, UsageError } from '../../src/core/errors.js'

const openai = findProvider('openai')!
const awsRole = findProvider('aws-role')!
const at = '2026-01-01T00:00:00.000Z'

function stored(label: string, over: Partial<Credential> = {}): Credential {
  return {
    id: `cred_${label}`,
    project_id: 'prj_one',
    provider: 'openai',
    label,
    hint: 'sk-svcacct-…abcd',
    fields: {},
    secrets: { api_key: { key_id: 'ck_1', fingerprint: `fp-${label}` } },
    sandboxes: [],
    accepted_risks: [],
    created_at: at,
    updated_at: at,
    ...over,
  }
}

function entry(label: string, over: Partial<ResolvedEntry> & { sandboxes?: string[] } = {}): ResolvedEntry {
  const { sandboxes = [], ...rest } = over
  return {
    entry: { provider: 'openai', label, project: 'prj_one', sandboxes, fields: {}, allow: [] },
    provider: openai,
    values: {},
    findings: [],
    fields: {},
    fingerprints: { api_key: `fp-${label}` },
    ...rest,
  }
}

describe('planChanges', () => {
  it('creates what is absent, leaves what matches unchanged', () => {
    const { plan } = planChanges([entry('a'), entry('b', { sandboxes: ['sbx_2', 'sbx_1'] })], [stored('a')], { prune: false })
    expect(plan.map((i) => [i.action, i.label])).toEqual([['unchanged', 'a'], ['create', 'b']])
    expect(plan[1]?.sandboxes).toEqual(['sbx_1', 'sbx_2'])
  })

  it('a differing fingerprint is an update of that field; sandbox differences are attach and detach', () => {
    const { plan } = planChanges([entry('a', { fingerprints: { api_key: 'fp-new' }, sandboxes: ['sbx_2'] })], [stored('a', { sandboxes: ['sbx_1'] })], { prune: false })
    expect(plan.map((i) => [i.action, i.changed ?? i.sandbox])).toEqual([['update', ['api_key']], ['attach', 'sbx_2'], ['detach', 'sbx_1']])
    expect(hasChanges(plan)).toBe(true)
  })

  it('nothing changed: no changes, and the unlisted are counted, not pruned, without --prune', () => {
    const existing = [stored('a'), stored('gone'), stored('other', { project_id: 'prj_two' })]
    const without = planChanges([entry('a')], existing, { prune: false })
    expect(hasChanges(without.plan)).toBe(false)
    expect(summarize(without.plan, without.notPruned)).toMatchObject({ unchanged: 1, not_pruned: 1, prune: 0 })
    const withPrune = planChanges([entry('a')], existing, { prune: true })
    expect(withPrune.plan.filter((i) => i.action === 'prune').map((i) => i.credential_id)).toEqual(['cred_gone'])
  })

  it('refuses a change to a non-secret field or the provider: rotate cannot make it', () => {
    const role = stored('role', { provider: 'aws-role', fields: { role_arn: 'arn:aws:iam::123456789012:role/A' }, secrets: {} })
    const changed = entry('role', { provider: awsRole, fields: { role_arn: 'arn:aws:iam::123456789012:role/B' }, fingerprints: {} })
    expect(() => planChanges([changed], [role], { prune: false })).toThrow(RefusedError)
    expect(() => planChanges([entry('a')], [stored('a', { provider: 'anthropic' })], { prune: false })).toThrow(/provider/)
  })

  it('idempotency keys are stable for the same item and state, and differ when the state moved', async () => {
    const [item] = planChanges([entry('a', { fingerprints: { api_key: 'x' } })], [stored('a')], { prune: false }).plan
    const key = await idempotencyKeyOf(item!, { updated_at: at, fingerprints: { api_key: 'x' } })
    expect(await idempotencyKeyOf(item!, { updated_at: at, fingerprints: { api_key: 'x' } })).toBe(key)
    expect(await idempotencyKeyOf(item!, { updated_at: '2026-01-02T00:00:00.000Z', fingerprints: { api_key: 'x' } })).not.toBe(key)
  })
})

describe('parseApplyFile', () => {
  it('accepts the documented shape, coercing scalar field values to text', () => {
    const file = parseApplyFile({ credentials: [{ provider: 'smtp', label: 'mail', project: 'prj_one', fields: { port: 587 } }] }, 'f.yaml')
    expect(file.credentials[0]).toMatchObject({ sandboxes: [], allow: [], fields: { port: '587' } })
    expect(ApplyFile.safeParse({ credentials: [] }).success).toBe(true)
  })

  it('refuses unknown keys and duplicates with a usage error naming the path', () => {
    expect(() => parseApplyFile({ credentials: [{ provider: 'openai', label: 'a', project: 'prj_one', secret: 'x' }] }, 'f.yaml')).toThrow(UsageError)
    const twice = { provider: 'openai', label: 'a', project: 'prj_one' }
    expect(() => parseApplyFile({ credentials: [twice, twice] }, 'f.yaml')).toThrow(/listed twice/)
  })
})
