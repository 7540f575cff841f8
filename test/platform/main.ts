// `npm run platform [-- --port N] [--latency MS[~JITTER]] [--rate-limit CAPACITY/PER_SECOND|off]`: the local platform in
// the foreground, printing the environment to point the CLI at it. The knobs default to the environment variables
// CLOWDOPS_PLATFORM_LATENCY and CLOWDOPS_PLATFORM_RATE_LIMIT (same syntax), so a wrapper script can set them.
import { parseArgs } from 'node:util'
import { DEFAULT_RATE_LIMIT, FAST_PRIVACY_SETTINGS, startPlatform, type RateLimit } from './server.js'

function refuse(message: string): never {
  process.stderr.write(`${message}\n`)
  process.exit(2)
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 0
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) refuse(`--port must be a whole number from 0 to 65535, got ${value}`)
  return port
}

/** `50` or `50~20`: 50 ms per request, give or take up to 20 ms. */
function parseLatency(value: string | undefined): { ms: number; jitterMs: number } | undefined {
  if (value === undefined) return undefined
  const match = /^(\d+)(?:~(\d+))?$/.exec(value.trim())
  const ms = Number(match?.[1])
  const jitterMs = Number(match?.[2] ?? 0)
  if (!match || jitterMs > ms) refuse(`--latency must be MS or MS~JITTER in whole milliseconds, the jitter at most the latency (e.g. 50~20), got ${value}`)
  return { ms, jitterMs }
}

/** `40/20`: a bucket of 40 requests refilled at 20 per second; `off`: no limit. */
function parseRateLimit(value: string | undefined): RateLimit | null {
  if (value === undefined) return DEFAULT_RATE_LIMIT
  if (value.trim() === 'off') return null
  const match = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(value.trim())
  const capacity = Number(match?.[1])
  const refillPerSecond = Number(match?.[2])
  if (!match || capacity < 1 || !(refillPerSecond > 0)) refuse(`--rate-limit must be CAPACITY/PER_SECOND (e.g. 40/20) or off, got ${value}`)
  return { capacity, refillPerSecond }
}

const { values } = parseArgs({
  options: { port: { type: 'string' }, host: { type: 'string' }, latency: { type: 'string' }, 'rate-limit': { type: 'string' } },
})
const latency = parseLatency(values.latency ?? process.env.CLOWDOPS_PLATFORM_LATENCY)

const platform = await startPlatform({
  port: parsePort(values.port),
  host: values.host ?? '127.0.0.1',
  rateLimit: parseRateLimit(values['rate-limit'] ?? process.env.CLOWDOPS_PLATFORM_RATE_LIMIT),
  ...(latency ? { latency } : {}),
  log: (entry) =>
    process.stderr.write(
      `${entry.method} ${entry.path} ${entry.status} ${entry.ms}ms ${entry.requestId}` +
        `${entry.fault ? ` [fault: ${entry.fault}]` : ''}\n`,
    ),
  onBug: (error) => process.stderr.write(`local platform bug: ${error.stack ?? error.message}\n`),
  // Privacy requests finish in seconds, so a demo can show a whole export without waiting for the realistic timings.
  privacy: FAST_PRIVACY_SETTINGS,
})

process.stdout.write(
  `CLOWDOPS_API_URL=${platform.url}\nCLOWDOPS_TOKEN=${platform.token}\nCLOWDOPS_PLATFORM_ADMIN_KEY=${platform.adminKey}\n` +
    `CLOWDOPS_PLATFORM_OUTBOX=${platform.url}/_admin/privacy/outbox\n`,
)
process.stderr.write(
  `device sign-in (browser): email ${platform.user.email}, password ${platform.user.password}\n` +
    `OAuth discovery: ${platform.url}/.well-known/openid-configuration (client_id ${platform.oauth.clientId})\n` +
    `privacy verification codes: curl -s -H "x-admin-key: ${platform.adminKey}" ${platform.url}/_admin/privacy/outbox\n` +
    'local platform ready; Ctrl-C to stop\n',
)

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    platform.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`could not close the local platform: ${String(error)}\n`)
        process.exit(1)
      },
    )
  })
}
