// `credentials apply -f FILE` with the built CLI against the local platform: create, a no-op second run that sends no
// mutation, a rotated env secret, --prune, --dry-run, and a refused admin-class key that stops everything.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ApplyResult } from '../../src/core/credentials/apply.js'
import { ErrorOutput } from '../../src/core/errors.js'
import { storedState } from '../platform/server.js'
import { runCli } from '../support/cli.js'
import { envFor, usePlatform } from '../support/platform.js'
import { stringify } from 'yaml'

const platform = usePlatform()
let projectId: string
let sandboxes: string[]
let env: Record<string, string>
let dir: string

let serial = 0
const fakeKey = (prefix: 'sk-svcacct-' | 'sk-admin-') => `${prefix}FAKEfakeFAKEfakeFAKEfake${Date.now()}x${String((serial += 1)).padStart(4, '0')}`

beforeAll(() => {
  const [own] = Object.entries(storedState(platform()).sandboxes).filter(([, list]) => list.length > 0)
  projectId = own![0]
  sandboxes = own![1].map((s) => s.id)
  env = envFor(platform())
  dir = mkdtempSync(join(tmpdir(), 'clowdops-apply-'))
})

const MUTATIONS = ['credentials.create', 'credentials.rotate', 'credentials.delete', 'credentials.attach', 'credentials.detach']
const mutations = () => Object.fromEntries(MUTATIONS.map((id) => [id, platform().stats.byRoute[id] ?? 0]))
const delta = (before: Record<string, number>) => Object.fromEntries(MUTATIONS.map((id) => [id, (platform().stats.byRoute[id] ?? 0) - (before[id] ?? 0)]))
const none = Object.fromEntries(MUTATIONS.map((id) => [id, 0]))

function writeFile(name: string, entries: { label: string; env: string; sandboxes?: string[] }[]): string {
  const path = join(dir, name)
  const credentials = entries.map((e) => ({ provider: 'openai', label: e.label, project: projectId, sandboxes: e.sandboxes ?? [], fields: { api_key: `env:${e.env}` } }))
  writeFileSync(path, stringify({ credentials }))
  return path
}

async function apply(path: string, secrets: Record<string, string>, extra: string[] = []) {
  const result = await runCli(['credentials', 'apply', '-f', path, ...extra, '--json'], { ...env, ...secrets })
  return { ...result, json: () => ApplyResult.parse(JSON.parse(result.stdout)) }
}

const labels = () => storedState(platform()).credentials.filter((c) => c.project_id === projectId).map((c) => c.label).sort()

describe('credentials apply', () => {
  const secrets = { KEY_A: fakeKey('sk-svcacct-'), KEY_B: fakeKey('sk-svcacct-') }
  let path: string

  it('creates what the file lists, with its sandboxes', async () => {
    path = writeFile('first.yaml', [{ label: 'agent-a', env: 'KEY_A', sandboxes: [sandboxes[0]!] }, { label: 'agent-b', env: 'KEY_B' }])
    const before = mutations()
    const result = await apply(path, secrets)
    expect(result.code, result.stderr + result.stdout).toBe(0)
    const out = result.json()
    expect(out.applied).toBe(true)
    expect(out.summary).toMatchObject({ create: 2, failed: 0 })
    expect(delta(before)).toMatchObject({ 'credentials.create': 2 })
    expect(labels()).toEqual(['agent-a', 'agent-b'])
    expect(storedState(platform()).credentials.find((c) => c.label === 'agent-a')?.sandboxes).toEqual([sandboxes[0]])
    expect(result.stdout + result.stderr).not.toContain(secrets.KEY_A)
  })

  it('a second apply with nothing changed says so and sends no mutation', async () => {
    const before = mutations()
    const result = await apply(path, secrets)
    expect(result.code, result.stderr + result.stdout).toBe(0)
    expect(result.json()).toMatchObject({ applied: false, summary: { unchanged: 2, create: 0, update: 0, attach: 0, detach: 0, prune: 0 } })
    expect(delta(before)).toEqual(none)
    const text = await runCli(['credentials', 'apply', '-f', path], { ...env, ...secrets })
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('No changes.')
    expect(text.stdout).toMatch(/unchanged\s+prj_\S+\s+agent-a\s+openai\s+cred_/)
    expect(delta(before)).toEqual(none)
  })

  it('a changed env secret is one update (a rotation); changed sandboxes are attach and detach', async () => {
    const rotated = { ...secrets, KEY_A: fakeKey('sk-svcacct-') }
    const before = mutations()
    const fingerprint = storedState(platform()).credentials.find((c) => c.label === 'agent-a')?.secrets.api_key?.fingerprint
    const result = await apply(path, rotated)
    expect(result.code, result.stderr + result.stdout).toBe(0)
    expect(result.json().plan.filter((i) => i.action !== 'unchanged')).toMatchObject([{ action: 'update', label: 'agent-a', changed: ['api_key'], status: 'done' }])
    expect(delta(before)).toEqual({ ...none, 'credentials.rotate': 1 })
    expect(storedState(platform()).credentials.find((c) => c.label === 'agent-a')?.secrets.api_key?.fingerprint).not.toBe(fingerprint)
    Object.assign(secrets, rotated)

    expect(sandboxes.length).toBeGreaterThanOrEqual(2)
    const moved = writeFile('moved.yaml', [{ label: 'agent-a', env: 'KEY_A', sandboxes: [sandboxes[1]!] }, { label: 'agent-b', env: 'KEY_B' }])
    const before2 = mutations()
    const again = await apply(moved, secrets)
    expect(again.code, again.stderr + again.stdout).toBe(0)
    expect(again.json().summary).toMatchObject({ attach: 1, detach: 1, update: 0 })
    expect(delta(before2)).toEqual({ ...none, 'credentials.attach': 1, 'credentials.detach': 1 })
    expect(storedState(platform()).credentials.find((c) => c.label === 'agent-a')?.sandboxes).toEqual([sandboxes[1]])
    path = moved
  })

  it('--dry-run prints the plan and changes nothing', async () => {
    const smaller = writeFile('dry.yaml', [{ label: 'agent-a', env: 'KEY_A' }, { label: 'agent-c', env: 'KEY_C' }])
    const before = mutations()
    const result = await apply(smaller, { ...secrets, KEY_C: fakeKey('sk-svcacct-') }, ['--dry-run', '--prune'])
    expect(result.code, result.stderr + result.stdout).toBe(0)
    const out = result.json()
    expect(out.applied).toBe(false)
    expect(out.summary).toMatchObject({ create: 1, prune: 1 })
    expect(out.plan.every((i) => i.status === 'planned')).toBe(true)
    expect(delta(before)).toEqual(none)
    expect(labels()).toEqual(['agent-a', 'agent-b'])
  })

  it('without --prune counts what would be removed; with --prune removes only what the file dropped', async () => {
    const onlyA = writeFile('only-a.yaml', [{ label: 'agent-a', env: 'KEY_A', sandboxes: storedState(platform()).credentials.find((c) => c.label === 'agent-a')!.sandboxes }])
    const kept = await apply(onlyA, secrets)
    expect(kept.code).toBe(0)
    expect(kept.json().summary).toMatchObject({ prune: 0, not_pruned: 1, unchanged: 1 })
    expect(labels()).toEqual(['agent-a', 'agent-b'])

    const before = mutations()
    const pruned = await apply(onlyA, secrets, ['--prune'])
    expect(pruned.code, pruned.stderr + pruned.stdout).toBe(0)
    expect(pruned.json().plan.filter((i) => i.action !== 'unchanged')).toMatchObject([{ action: 'prune', label: 'agent-b', status: 'done' }])
    expect(delta(before)).toEqual({ ...none, 'credentials.delete': 1 })
    expect(labels()).toEqual(['agent-a'])
  })

  it('an admin-class key anywhere in the file is refused with exit 10 and nothing is applied', async () => {
    const file = writeFile('admin.yaml', [{ label: 'agent-new', env: 'KEY_NEW' }, { label: 'agent-admin', env: 'KEY_ADMIN' }])
    const before = { ...mutations(), requests: platform().stats.requests }
    const result = await apply(file, { KEY_NEW: fakeKey('sk-svcacct-'), KEY_ADMIN: fakeKey('sk-admin-') }, ['--prune'])
    expect(result.code).toBe(10)
    expect(ErrorOutput.parse(JSON.parse(result.stdout)).error.message).toContain('openai.admin-key')
    expect(platform().stats.requests).toBe(before.requests)
    expect(labels()).toEqual(['agent-a'])
  })

  it('a mutation the platform rejects is reported as failed; the others are applied (exit 11)', async () => {
    const other = Object.entries(storedState(platform()).sandboxes).find(([project, list]) => project !== projectId && list.length > 0)![1][0]!.id
    const current = storedState(platform()).credentials.find((c) => c.label === 'agent-a')!.sandboxes
    const file = writeFile('partial.yaml', [
      { label: 'agent-a', env: 'KEY_A', sandboxes: [...current, other] },
      { label: 'agent-ok', env: 'KEY_OK' },
    ])
    const result = await apply(file, { ...secrets, KEY_OK: fakeKey('sk-svcacct-') })
    expect(result.code, result.stderr + result.stdout).toBe(11)
    const out = result.json()
    expect(out).toMatchObject({ applied: true, summary: { create: 1, attach: 1, failed: 1 } })
    expect(out.plan.find((i) => i.action === 'attach')).toMatchObject({ sandbox: other, status: 'failed', error: expect.stringContaining('another project') })
    expect(out.plan.find((i) => i.label === 'agent-ok')).toMatchObject({ action: 'create', status: 'done' })
    expect(labels()).toEqual(['agent-a', 'agent-ok'])
    const pruned = await apply(writeFile('back.yaml', [{ label: 'agent-a', env: 'KEY_A', sandboxes: storedState(platform()).credentials.find((c) => c.label === 'agent-a')!.sandboxes }]), secrets, ['--prune'])
    expect(pruned.code).toBe(0)
    expect(labels()).toEqual(['agent-a'])
  })

  it('refuses stdin and literal secrets in the file with exit 2, without echoing the literal', async () => {
    const literal = fakeKey('sk-svcacct-')
    for (const value of ['stdin', literal]) {
      const file = join(dir, 'bad.yaml')
      writeFileSync(file, stringify({ credentials: [{ provider: 'openai', label: 'bad', project: projectId, fields: { api_key: value } }] }))
      const result = await runCli(['credentials', 'apply', '-f', file], env)
      expect(result.code).toBe(2)
      expect(result.stdout + result.stderr).not.toContain(literal)
    }
  })
})
