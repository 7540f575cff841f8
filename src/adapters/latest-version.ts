// The update check's question to the npm registry: which versions its dist-tags name. Asked by the detached background
// process bin/update-check.js, never by a command. The registry and its credentials are read from the npm configuration
// here, inside that process, so the token goes only into the request's Authorization header: never on a command line,
// where every local user can read it (/proc/PID/cmdline), and never handed from one process to another.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import getAuthToken from 'registry-auth-token'
import getRegistryUrl from 'registry-auth-token/registry-url.js'
import { z } from 'zod'
import { assertSecureUrl } from '../core/api-url.js'
import { proxyAgentFor, proxyAgentsFor } from './http-policy.js'
import { exchange } from './transport.js'

/** What the init hook asks for: nothing secret (it travels in the environment of bin/update-check.js anyway). */
export const VersionCheck = z.object({
  /** The package name on the registry. */
  name: z.string().min(1),
  /** The version running, kept in the file as `current`. */
  version: z.string().min(1),
  /** The file the dist-tags are written to. */
  versionFile: z.string().min(1),
  /** A registry set for this CLI (CLOWDOPS_NPM_REGISTRY, oclif.npmRegistry); otherwise npm's for the package's scope. */
  registry: z.string().optional(),
})
export type VersionCheck = z.infer<typeof VersionCheck>

const DistTags = z.record(z.string(), z.string())

// A background question that nobody waits for: short limits, and a small answer (a dist-tags object is a few bytes).
const TIMEOUTS = { connectMs: 5000, responseMs: 5000, idleMs: 5000 }
const MAX_RESPONSE_BYTES = 64 * 1024

/**
 * Asks the registry for the package's dist-tags and writes them, with `current`, to the version file (the format the
 * init hook reads). Throws when the registry cannot be asked or answers something else; the file is then left as it is.
 */
export async function refreshLatestVersion(check: VersionCheck): Promise<void> {
  const scope = check.name.startsWith('@') ? check.name.split('/')[0] : undefined
  const registry = check.registry ?? getRegistryUrl(scope)
  // npm's dist-tags endpoint (npm dist-tag ls): a few bytes, where the package document grows with every release.
  const url = new URL(`-/package/${check.name.replace('/', '%2f')}/dist-tags`, registry.endsWith('/') ? registry : `${registry}/`)
  // The rule of every request the CLI makes: a token never crosses the network in clear.
  assertSecureUrl(url, 'The npm registry')
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': `${check.name}/${check.version} update-check` }
  const credentials = getAuthToken(registry)
  if (credentials) headers.authorization = `${credentials.type} ${credentials.token}`
  const agent = proxyAgentFor(await proxyAgentsFor(url.href), url)
  const response = await exchange(url, { method: 'GET', headers, agent, timeouts: TIMEOUTS, maxBodyBytes: MAX_RESPONSE_BYTES })
  if (response.statusCode !== 200) throw new Error(`The registry answered HTTP ${response.statusCode} for ${url.pathname}.`)
  const tags = DistTags.parse(JSON.parse(response.body))
  await writePrivately(check.versionFile, `${JSON.stringify({ ...tags, current: check.version })}\n`)
}

/** Written whole (a reader never sees half a file) and readable by its owner only. */
async function writePrivately(file: string, contents: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 })
  const temporary = `${file}.${process.pid}.tmp`
  try {
    await writeFile(temporary, contents, { mode: 0o600 })
    await rename(temporary, file)
  } finally {
    await rm(temporary, { force: true })
  }
}
