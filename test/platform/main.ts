// `npm run platform [-- --port N]`: the local platform in the foreground, printing the environment to point the CLI at it.
import { parseArgs } from 'node:util'
import { FAST_PRIVACY_SETTINGS, startPlatform } from './server.js'

function parsePort(value: string | undefined): number {
  if (value === undefined) return 0
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`--port must be a whole number from 0 to 65535, got ${value}\n`)
    process.exit(2)
  }
  return port
}

const { values } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string' } } })

const platform = await startPlatform({
  port: parsePort(values.port),
  host: values.host ?? '127.0.0.1',
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
