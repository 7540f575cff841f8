import type { AwsTrust, Credential } from '../../src/core/contract/credentials.js'
// The local platform's state: the seeded user and org, projects, sandboxes, hashed tokens and idempotency records.
import { createHash, randomBytes } from 'node:crypto'
import type { Project, Sandbox } from '../../src/core/contract/index.js'
import type { ProbeFixture } from './credential-probes.js'

/** Every scope the platform knows so far. */
export const ALL_SCOPES = [
  'projects:read',
  'projects:write',
  'credentials:read',
  'credentials:write',
  'privacy:read',
  'privacy:write',
  'privacy:admin',
] as const

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** Uniform base62: bytes of 248 and above are dropped, since 248 = 4 × 62. */
export function randomBase62(length: number): string {
  let out = ''
  while (out.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte < 248) out += BASE62[byte % 62]
      if (out.length === length) break
    }
  }
  return out
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

export { canonicalJson } from '../../src/core/canonical-json.js'

export interface User {
  id: string
  email: string
  name: string
  org: { id: string; name: string }
}

/** A personal access token as stored: its SHA-256, never the token itself. */
export interface TokenRecord {
  hash: string
  userId: string
  scopes: string[]
  createdAt: string
}

export interface IdempotencyRecord {
  /** SHA-256 of method, path and the canonical request body. */
  fingerprint: string
  state: 'in_flight' | 'done'
  status?: number
  body?: unknown
}

export interface SeedOptions {
  projects?: number
  sandboxesPerProject?: number
}

const PROJECT_NAMES = [
  'payments-api',
  'data-pipeline',
  'web-frontend',
  'auth-service',
  'analytics',
  'mobile-backend',
  'ml-training',
  'billing-worker',
]
const SANDBOX_SUFFIXES = ['dev', 'staging', 'preview']
const SANDBOX_STATUSES = ['ready', 'provisioning', 'stopped'] as const
const HOUR_MS = 3_600_000
/** The local platform's AWS account, whose role calls sts:AssumeRole on customers' roles. */
export const PLATFORM_AWS_ACCOUNT = '555500001111'

export class PlatformStore {
  readonly user: User = {
    id: `usr_${randomBase62(16)}`,
    email: 'ada@example.com',
    name: 'Ada Lovelace',
    org: { id: `org_${randomBase62(16)}`, name: 'Example Org' },
  }
  /**
   * What a customer's AWS role must trust (GET /v1/aws-trust): the platform's principal, in an account of the local
   * platform's own, and the external ID issued to this organisation once, when it was created.
   */
  readonly awsTrust: AwsTrust = {
    principal_arn: `arn:aws:iam::${PLATFORM_AWS_ACCOUNT}:role/ClowdOpsPlatform`,
    external_id: `clowdops-${randomBase62(32)}`,
  }
  /** Keyed by the SHA-256 of the token. */
  private readonly tokens = new Map<string, TokenRecord>()
  private readonly projects = new Map<string, Project>()
  private readonly sandboxes = new Map<string, Sandbox[]>()
  /** Token hash → Idempotency-Key → record. */
  private readonly idempotency = new Map<string, Map<string, IdempotencyRecord>>()
  private lastCreatedMs = 0

  constructor(seed: SeedOptions = {}) {
    const projectCount = seed.projects ?? 3
    const sandboxCount = seed.sandboxesPerProject ?? 2
    const now = Date.now()
    // The first name is the newest, so a listing reads payments-api, data-pipeline, ...
    for (let i = 0; i < projectCount; i++) {
      const createdMs = now - (i + 1) * 24 * HOUR_MS
      const project = this.addProject(PROJECT_NAMES[i] ?? `project-${i + 1}`, createdMs)
      for (let j = 0; j < sandboxCount; j++) {
        const suffix = SANDBOX_SUFFIXES[j] ?? `sandbox-${j + 1}`
        this.sandboxesOf(project.id)?.push({
          id: `sbx_${randomBase62(16)}`,
          project_id: project.id,
          name: `${project.name}-${suffix}`,
          status: SANDBOX_STATUSES[j % SANDBOX_STATUSES.length] ?? 'ready',
          created_at: new Date(createdMs + (j + 1) * HOUR_MS).toISOString(),
        })
      }
    }
  }

  /** Mint a personal access token: `cop_` and 36 base62 characters. Only its hash is kept. */
  issueToken(scopes: readonly string[]): string {
    const unknown = scopes.filter((scope) => !(ALL_SCOPES as readonly string[]).includes(scope))
    if (unknown.length > 0) throw new Error(`unknown scope(s): ${unknown.join(', ')}`)
    const token = `cop_${randomBase62(36)}`
    const hash = sha256(token)
    this.tokens.set(hash, { hash, userId: this.user.id, scopes: [...scopes], createdAt: new Date().toISOString() })
    return token
  }

  findToken(token: string): TokenRecord | undefined {
    return this.tokens.get(sha256(token))
  }

  createProject(name: string): Project {
    // Strictly increasing times keep "newest first" stable even for projects created in the same millisecond.
    const createdMs = Math.max(Date.now(), this.lastCreatedMs + 1)
    return this.addProject(name, createdMs)
  }

  /** Registered credentials: fingerprints and hints only; the platform drops every opened secret at once. */
  readonly credentials = new Map<string, Credential>()
  /** Per credential, what `verify` answers: chosen when its secrets were opened (see credential-probes.ts). */
  readonly probeFixtures = new Map<string, ProbeFixture>()

  listProjects(): Project[] {
    return [...this.projects.values()]
  }

  sandboxesOf(projectId: string): Sandbox[] | undefined {
    return this.sandboxes.get(projectId)
  }

  idempotencyRecords(tokenHash: string): Map<string, IdempotencyRecord> {
    let records = this.idempotency.get(tokenHash)
    if (!records) {
      records = new Map()
      this.idempotency.set(tokenHash, records)
    }
    return records
  }

  /** A JSON copy of everything stored, so tests can check what is (and is not) kept. */
  snapshot() {
    return structuredClone({
      user: this.user,
      tokens: [...this.tokens.values()],
      projects: this.listProjects(),
      sandboxes: Object.fromEntries(this.sandboxes),
      credentials: [...this.credentials.values()],
      idempotency: Object.fromEntries(
        [...this.idempotency].map(([tokenHash, records]) => [tokenHash, Object.fromEntries(records)]),
      ),
    })
  }

  private addProject(name: string, createdMs: number): Project {
    this.lastCreatedMs = Math.max(this.lastCreatedMs, createdMs)
    const project: Project = { id: `prj_${randomBase62(16)}`, name, created_at: new Date(createdMs).toISOString() }
    this.projects.set(project.id, project)
    this.sandboxes.set(project.id, [])
    return project
  }
}
