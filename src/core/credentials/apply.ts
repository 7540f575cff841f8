// `credentials apply -f FILE`: a declarative file of credentials, planned against the platform and applied
// idempotently. Change detection uses keyed fingerprints computed here from the resolved secrets — never the secrets.
// The file is read and parsed by the CLI layer; this module validates the object and does the rest.
import { z } from 'zod'
import { type Credential, type CredentialKey, CredentialLabel, endpoints } from '../contract/index.js'
import { ClowdopsError, RefusedError, UsageError } from '../errors.js'
import type { Deps } from '../ports.js'
import { Secret } from '../secret.js'
import { listCredentials } from './manage.js'
import { type CredentialValues, type Finding, type Provider, blockingFindings, checkCredential } from './provider.js'
import { providerOrUsage, readValues, refusal, sealValues } from './register.js'
import { fingerprint } from './seal.js'
import { SECRET_REF_FORMS, type SecretSources, parseSecretRef } from './secret-ref.js'

// ---------------------------------------------------------------------------------------------------------------
// The file

const FieldValue = z.union([z.string(), z.number(), z.boolean()]).transform(String)

export const ApplyEntry = z
  .object({
    provider: z.string().min(1),
    label: CredentialLabel,
    project: z.string().regex(/^prj_/, 'a project id (prj_...)'),
    sandboxes: z.array(z.string().regex(/^sbx_/, 'a sandbox id (sbx_...)')).default([]),
    fields: z.record(z.string(), FieldValue).default({}),
    /** Rule ids accepted as risks, like `--allow` on add. */
    allow: z.array(z.string()).default([]),
  })
  .strict()
export type ApplyEntry = z.infer<typeof ApplyEntry>

export const ApplyFile = z
  .object({ credentials: z.array(ApplyEntry) })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>()
    file.credentials.forEach((entry, i) => {
      const key = `${entry.project}/${entry.label}`
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['credentials', i, 'label'], message: `${key} is listed twice` })
      seen.add(key)
    })
  })
export type ApplyFile = z.infer<typeof ApplyFile>

/** The parsed YAML/JSON document, validated; problems are usage errors (exit 2) naming the path in the file. */
export function parseApplyFile(document: unknown, source: string): ApplyFile {
  const result = ApplyFile.safeParse(document)
  if (result.success) return result.data
  const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`)
  throw new UsageError(`${source} is not a credentials file:\n  ${issues.join('\n  ')}`, {
    hint: 'Expected: credentials: [{ provider, label, project, sandboxes: [sbx_...], fields: { name: value-or-reference }, allow: [rule] }].',
  })
}

// ---------------------------------------------------------------------------------------------------------------
// The plan

export const PlanAction = z.enum(['create', 'update', 'attach', 'detach', 'unchanged', 'prune'])
export type PlanAction = z.infer<typeof PlanAction>

export const PlanItem = z.object({
  action: PlanAction,
  project: z.string(),
  label: z.string(),
  provider: z.string(),
  credential_id: z.string().optional(),
  /** attach / detach: the sandbox. */
  sandbox: z.string().optional(),
  /** create: the sandboxes attached at creation. update: the secret fields whose fingerprint differs. */
  sandboxes: z.array(z.string()).optional(),
  changed: z.array(z.string()).optional(),
  status: z.enum(['planned', 'done', 'failed']),
  error: z.string().optional(),
})
export type PlanItem = z.infer<typeof PlanItem>

export const ApplySummary = z.object({
  create: z.number(),
  update: z.number(),
  attach: z.number(),
  detach: z.number(),
  unchanged: z.number(),
  prune: z.number(),
  /** Credentials in the file's projects that the file does not list, left alone without --prune. */
  not_pruned: z.number(),
  failed: z.number(),
})
export type ApplySummary = z.infer<typeof ApplySummary>

export const ApplyResult = z.object({ plan: z.array(PlanItem), applied: z.boolean(), summary: ApplySummary })
export type ApplyResult = z.infer<typeof ApplyResult>

/** An entry of the file with its values read and its secrets' fingerprints computed (under each stored key). */
export interface ResolvedEntry {
  entry: ApplyEntry
  provider: Provider
  values: CredentialValues
  findings: Finding[]
  /** Plain (non-secret) fields as given. */
  fields: Record<string, string>
  /** Secret field → fingerprint of the file's secret, computed with the key the stored one was sealed to (else the current). */
  fingerprints: Record<string, string>
}

/**
 * The pure planner: the file's entries against the credentials the platform has in the file's projects (matched by
 * project and label). Throws RefusedError when an entry would need a change rotate cannot make (a non-secret field
 * or the provider): apply never deletes a credential to re-create it.
 */
export function planChanges(entries: readonly ResolvedEntry[], existing: readonly Credential[], options: { prune: boolean }): { plan: PlanItem[]; notPruned: number } {
  const plan: PlanItem[] = []
  const immutable: string[] = []
  const listed = new Set(entries.map(({ entry }) => `${entry.project}/${entry.label}`))
  for (const resolved of entries) {
    const { entry } = resolved
    const base = { project: entry.project, label: entry.label, provider: resolved.provider.id, status: 'planned' as const }
    const current = existing.find((c) => c.project_id === entry.project && c.label === entry.label)
    if (!current) {
      plan.push({ ...base, action: 'create', sandboxes: [...new Set(entry.sandboxes)].sort() })
      continue
    }
    const id = { credential_id: current.id }
    const differing = [
      ...(current.provider === resolved.provider.id ? [] : ['provider']),
      ...[...new Set([...Object.keys(current.fields), ...Object.keys(resolved.fields)])].filter((name) => current.fields[name] !== resolved.fields[name]),
    ]
    if (differing.length > 0) {
      immutable.push(`${entry.project}/${entry.label} (${current.id}): ${differing.join(', ')}`)
      continue
    }
    const changed = Object.keys(resolved.fingerprints).filter((name) => current.secrets[name]?.fingerprint !== resolved.fingerprints[name]).sort()
    const items: PlanItem[] = []
    if (changed.length > 0) items.push({ ...base, ...id, action: 'update', changed })
    const want = new Set(entry.sandboxes)
    for (const sandbox of [...want].filter((s) => !current.sandboxes.includes(s)).sort()) items.push({ ...base, ...id, action: 'attach', sandbox })
    for (const sandbox of current.sandboxes.filter((s) => !want.has(s)).sort()) items.push({ ...base, ...id, action: 'detach', sandbox })
    plan.push(...(items.length > 0 ? items : [{ ...base, ...id, action: 'unchanged' as const }]))
  }
  if (immutable.length > 0) {
    throw new RefusedError(`Refused before sending anything: these differ in fields a rotation cannot change:\n  ${immutable.join('\n  ')}`, {
      code: 'immutable_field_changed',
      hint: 'Only secrets are rotated in place. To change the others, remove the credential (clowdops credentials remove ID --yes) or drop it from the file and apply with --prune, then apply again.',
    })
  }
  const projects = new Set(entries.map(({ entry }) => entry.project))
  const extra = existing.filter((c) => projects.has(c.project_id) && !listed.has(`${c.project_id}/${c.label}`))
  if (options.prune) {
    for (const c of extra) plan.push({ action: 'prune', project: c.project_id, label: c.label, provider: c.provider, credential_id: c.id, status: 'planned' })
  }
  return { plan, notPruned: options.prune ? 0 : extra.length }
}

export function summarize(plan: readonly PlanItem[], notPruned: number): ApplySummary {
  const count = (action: PlanAction) => plan.filter((item) => item.action === action).length
  return {
    create: count('create'),
    update: count('update'),
    attach: count('attach'),
    detach: count('detach'),
    unchanged: count('unchanged'),
    prune: count('prune'),
    not_pruned: notPruned,
    failed: plan.filter((item) => item.status === 'failed').length,
  }
}

export const hasChanges = (plan: readonly PlanItem[]) => plan.some((item) => item.action !== 'unchanged')

// ---------------------------------------------------------------------------------------------------------------
// Reading the entries: the same offline checks as add, every entry, before anything is sent

/** Each entry's fields read (secrets from keychain:/env:/file: references, never stdin, never prompted) and checked. */
export async function readEntries(file: ApplyFile, sources: SecretSources, options: { allowInsecureFile: boolean }) {
  const read: Omit<ResolvedEntry, 'fingerprints'>[] = []
  for (const entry of file.credentials) {
    const where = `${entry.project}/${entry.label}`
    const provider = providerOrUsage(entry.provider)
    for (const [name, value] of Object.entries(entry.fields)) {
      if (!provider.fields.some((f) => f.name === name && f.secret)) continue
      const ref = withEntry(where, () => parseSecretRef(value, { field: name }))
      if (ref.kind === 'stdin') {
        throw new UsageError(`${where}: ${name}=stdin cannot be used in a file (stdin holds one secret, and apply reads many).`, {
          hint: `Use ${SECRET_REF_FORMS.replace(' or stdin', '')}.`,
        })
      }
    }
    const pairs = Object.entries(entry.fields).map(([name, value]) => `${name}=${value}`)
    const values = await withEntryAsync(where, () => readValues(provider, pairs, sources, options.allowInsecureFile, []))
    const fields = Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => typeof e[1] === 'string'))
    read.push({ entry, provider, values, fields, findings: checkCredential(provider, values) })
  }
  const refused = read.flatMap(({ entry, findings }) =>
    blockingFindings(findings, entry.allow).map((f) => ({ ...f, message: `${entry.project}/${entry.label}: ${f.message}` })),
  )
  if (refused.length > 0) throw refusal(refused)
  return read
}

function withEntry<T>(where: string, run: () => T): T {
  try {
    return run()
  } catch (error) {
    throw prefixed(where, error)
  }
}

async function withEntryAsync<T>(where: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    throw prefixed(where, error)
  }
}

function prefixed(where: string, error: unknown): unknown {
  if (error instanceof ClowdopsError) Object.defineProperty(error, 'message', { value: `${where}: ${error.message}` })
  return error
}

/** Fingerprints of the entry's secrets under the key each stored secret was sealed to (or the current key). */
export async function fingerprintsOf(
  read: Omit<ResolvedEntry, 'fingerprints'>,
  stored: Credential | undefined,
  keys: readonly CredentialKey[],
): Promise<Record<string, string>> {
  const result: Record<string, string> = {}
  for (const [name, value] of Object.entries(read.values)) {
    if (!(value instanceof Secret)) continue
    const key = keys.find((k) => k.key_id === stored?.secrets[name]?.key_id) ?? keys[0]
    if (!key) continue
    result[name] = await fingerprint(value, key, { provider: read.provider.id, field: name })
  }
  return result
}

// ---------------------------------------------------------------------------------------------------------------
// Planning and applying

export interface ApplyInput {
  file: ApplyFile
  prune: boolean
  allowInsecureFile: boolean
}

export interface PreparedApply {
  plan: PlanItem[]
  notPruned: number
  entries: ResolvedEntry[]
  existing: Credential[]
}

type ApplyDeps = Pick<Deps, 'api' | 'context'> & { sources: SecretSources }

/** Reads and checks every entry (refusing before any request), then lists the projects and plans. */
export async function prepareApply(input: ApplyInput, deps: ApplyDeps): Promise<PreparedApply> {
  const read = await readEntries(input.file, deps.sources, { allowInsecureFile: input.allowInsecureFile })
  const projects = [...new Set(input.file.credentials.map((entry) => entry.project))].sort()
  const existing: Credential[] = []
  for (const project of projects) existing.push(...(await listCredentials({ project, limit: Number.POSITIVE_INFINITY }, deps)).items)
  const keys = read.some((r) => Object.values(r.values).some((v) => v instanceof Secret)) ? (await deps.api.call(endpoints.credentialKeys)).data : []
  const entries: ResolvedEntry[] = []
  for (const r of read) {
    const stored = existing.find((c) => c.project_id === r.entry.project && c.label === r.entry.label)
    entries.push({ ...r, fingerprints: await fingerprintsOf(r, stored, keys) })
  }
  const { plan, notPruned } = planChanges(entries, existing, { prune: input.prune })
  return { plan, notPruned, entries, existing }
}

/**
 * The Idempotency-Key of a plan item: derived from what it does and the state it was planned against (the
 * credential's updated_at, the target fingerprints), so a re-run after a crash repeats the same request rather than
 * a new one, while a later, different change gets a new key.
 */
export async function idempotencyKeyOf(item: PlanItem, context: { updated_at?: string | undefined; fingerprints?: Record<string, string> }): Promise<string> {
  const material = JSON.stringify([
    item.action,
    item.project,
    item.label,
    item.provider,
    item.credential_id ?? null,
    item.sandbox ?? null,
    item.sandboxes ?? null,
    context.updated_at ?? null,
    Object.entries(context.fingerprints ?? {}).sort(([a], [b]) => a.localeCompare(b)),
  ])
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(material))
  return `apply-${Buffer.from(digest).toString('hex')}`
}

/** Applies the plan in order; a failed item is recorded and the rest continue. Returns the plan with statuses. */
export async function applyPlan(prepared: PreparedApply, deps: Pick<Deps, 'api'>): Promise<PlanItem[]> {
  const done: PlanItem[] = []
  for (const item of prepared.plan) {
    if (item.action === 'unchanged') {
      done.push(item)
      continue
    }
    try {
      await applyItem(item, prepared, deps)
      done.push({ ...item, status: 'done' })
    } catch (error) {
      done.push({ ...item, status: 'failed', error: error instanceof Error ? error.message : String(error) })
    }
  }
  return done
}

async function applyItem(item: PlanItem, prepared: PreparedApply, deps: Pick<Deps, 'api'>): Promise<void> {
  const resolved = prepared.entries.find((r) => r.entry.project === item.project && r.entry.label === item.label)
  const stored = prepared.existing.find((c) => c.id === item.credential_id)
  const idempotencyKey = await idempotencyKeyOf(item, { updated_at: stored?.updated_at, fingerprints: resolved?.fingerprints })
  const accepted = (r: ResolvedEntry) => {
    const fired = new Set(r.findings.map((f) => f.rule))
    return r.entry.allow.filter((rule) => fired.has(rule))
  }
  switch (item.action) {
    case 'create': {
      if (!resolved) throw new Error('no entry for a create')
      const { fields, secrets } = await sealValues(resolved.provider, resolved.values, { project_id: item.project, label: item.label }, deps)
      await deps.api.call(endpoints.createCredential, {
        params: { project_id: item.project },
        body: {
          provider: resolved.provider.id,
          label: item.label,
          hint: resolved.provider.hint(resolved.values),
          fields,
          secrets,
          sandboxes: item.sandboxes ?? [],
          accepted_risks: accepted(resolved),
        },
        idempotencyKey,
      })
      return
    }
    case 'update': {
      if (!resolved || !item.credential_id) throw new Error('no entry for an update')
      // Every secret the file gives is re-sealed (the changed ones and the rest), so the hint can be rebuilt whole.
      const secretsOnly = Object.fromEntries(Object.entries(resolved.values).filter(([, v]) => v instanceof Secret))
      const { secrets } = await sealValues(resolved.provider, secretsOnly, { project_id: item.project, label: item.label }, deps)
      const kept = Object.keys(stored?.secrets ?? {}).filter((name) => !(name in secrets))
      await deps.api.call(endpoints.rotateCredential, {
        params: { credential_id: item.credential_id },
        body: { secrets, ...(kept.length === 0 ? { hint: resolved.provider.hint(resolved.values) } : {}), accepted_risks: accepted(resolved) },
        idempotencyKey,
      })
      return
    }
    case 'attach':
    case 'detach': {
      if (!item.credential_id || !item.sandbox) throw new Error(`no sandbox for ${item.action}`)
      const endpoint = item.action === 'attach' ? endpoints.attachCredential : endpoints.detachCredential
      await deps.api.call(endpoint, { params: { credential_id: item.credential_id, sandbox_id: item.sandbox }, idempotencyKey })
      return
    }
    case 'prune': {
      if (!item.credential_id) throw new Error('no credential to prune')
      await deps.api.call(endpoints.deleteCredential, { params: { credential_id: item.credential_id }, idempotencyKey })
      return
    }
  }
}
