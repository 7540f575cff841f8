// npm run demo: starts the local platform on loopback and runs a short session of real clowdops commands against it.
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FAST_PRIVACY_SETTINGS, startPlatform } from '../test/platform/server.js'

const root = join(import.meta.dirname, '..')
const bold = (text: string) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\u001b[1m${text}\u001b[22m` : text)

if (!existsSync(join(root, 'dist', 'commands'))) {
  console.log('dist/ is missing: building first (npm run build)')
  if (spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1)
}

// Privacy requests run fast here: work starts a second after verification instead of an hour, and takes two seconds.
const platform = await startPlatform({ seed: { projects: 3, sandboxesPerProject: 2 }, privacy: FAST_PRIVACY_SETTINGS })
const configDir = mkdtempSync(join(tmpdir(), 'clowdops-demo-'))
// Its own profile, so the demo's keychain entry (clowdops/local-demo) never touches a real sign-in; logged out at the end.
const env: NodeJS.ProcessEnv = {
  ...process.env,
  CLOWDOPS_API_URL: platform.url,
  CLOWDOPS_PROFILE: 'local-demo',
  CLOWDOPS_CONFIG_DIR: configDir,
  CLOWDOPS_SKIP_NEW_VERSION_CHECK: 'true',
}
delete env.CLOWDOPS_TOKEN

/** On Linux the keychain is a Secret Service on the D-Bus session bus; without one, the documented alternative. */
function hasSecretService(): boolean {
  return process.platform !== 'linux' || Boolean(process.env.DBUS_SESSION_BUS_ADDRESS)
}

let failures = 0
/** Runs the built CLI as a child process (asynchronously: the platform answers from this same process). */
async function clowdops(args: string[], expectedExit = 0, title?: string, stdin?: { shown: string; value: string }): Promise<string> {
  if (title) console.log(`\n# ${title}`)
  console.log(bold(`$ ${stdin ? `${stdin.shown} | ` : ''}clowdops ${args.join(' ')}`))
  const child = spawn(process.execPath, [join(root, 'bin', 'run.js'), ...args], { env, stdio: ['pipe', 'pipe', 'inherit'] })
  child.stdin.end(stdin?.value ?? '')
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    process.stdout.write(chunk)
  })
  const [code] = (await once(child, 'close')) as [number | null]
  if (code !== expectedExit) {
    failures++
    console.log(`!! exited ${code}, expected ${expectedExit}`)
  }
  return stdout
}

try {
  console.log(`Local platform: ${platform.url} (a real HTTP server on loopback with a seeded personal access token)`)
  await clowdops(['--version'], 0, 'Which clowdops is this?')

  const keychain = hasSecretService()
  if (!keychain) console.log('\nNo Secret Service (OS keychain) on this machine: signing in with --insecure-storage (a 0600 file) instead.')
  const pat = { shown: 'echo "$CLOWDOPS_PAT"', value: `${platform.token}\n` }
  await clowdops(['login', '--with-token', ...(keychain ? [] : ['--insecure-storage'])], 0, 'Sign in as a pipeline does: a token on stdin, never in argv', pat)
  await clowdops(['auth', 'status'], 0, 'Who am I, and where does the token live?')
  // Signed in, a missing keychain is only a warning, so doctor passes on a bare machine too.
  await clowdops(['doctor'], 0, 'Is this machine ready? (each problem comes with its fix)')
  await clowdops(['projects', 'list'], 0, 'The projects of the organisation')
  const projects = JSON.parse(await clowdops(['projects', 'list', '--json', '--limit', '1'], 0, 'The same as JSON, for scripts')) as { id: string }[]
  const projectId = projects[0]?.id ?? 'prj_missing'
  await clowdops(['sandboxes', 'list', '--project', projectId], 0, 'Sandboxes of the first project')
  await clowdops(['config', 'set', 'default_project', projectId], 0, 'Make it the default project of this profile')
  await clowdops(['config', 'list'])
  await clowdops(['sandboxes', 'list'])

  // Credentials: the secret goes to the keychain (or, where there is none, an env: reference), never into argv.
  const secretRef = keychain ? 'keychain:clowdops-demo/aws' : 'env:DEMO_AWS_SECRET_ACCESS_KEY'
  env.DEMO_AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE' // AWS's documentation example pair: fake by design
  env.DEMO_AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
  if (keychain) {
    const fakeSecret = { shown: 'echo "$DEMO_AWS_SECRET_ACCESS_KEY"', value: `${env.DEMO_AWS_SECRET_ACCESS_KEY}\n` }
    await clowdops(['keychain', 'set', 'clowdops-demo/aws'], 0, 'Put a (fake) AWS secret key in the OS keychain', fakeSecret)
  }
  await clowdops(['credentials', 'providers'], 0, 'What can be registered')
  await clowdops(['credentials', 'recipe', 'aws'], 0, 'How to make a least-privilege AWS key (policies pass our own lint)')
  await clowdops(
    ['credentials', 'add', 'aws', '--label', 'demo-readonly', '--field', 'access_key_id=env:DEMO_AWS_ACCESS_KEY_ID', '--field', `secret_access_key=${secretRef}`, '--field', 'region=eu-west-1'],
    0,
    'Register it: checked offline (a long-term user key is a warning), sealed here, uploaded once',
  )
  env.DEMO_ADMIN_KEY = `sk-admin-${'FAKE'.repeat(12)}`
  await clowdops(
    ['credentials', 'add', 'openai', '--label', 'too-powerful', '--field', 'api_key=env:DEMO_ADMIN_KEY'],
    10,
    'An admin-class key is refused before anything is sent (exit 10)',
  )
  await clowdops(['credentials', 'list'], 0, 'Credentials of the project, with hints, never secrets')
  if (keychain) await clowdops(['keychain', 'delete', 'clowdops-demo/aws'])

  // Privacy: consent both ways, then an export followed to a verified download.
  await clowdops(['privacy', 'consent', 'grant', 'marketing_email'], 0, 'Grant a consent')
  await clowdops(['privacy', 'consent', 'withdraw', 'marketing_email'], 0, 'Withdrawing is exactly as easy')
  await clowdops(['privacy', 'consent', 'list'])
  const exported = JSON.parse(await clowdops(['privacy', 'export', '--json'], 0, 'Ask for a copy of my data (a portability request)')) as {
    request: { id: string }
  }
  const requestId = exported.request.id
  const code = platform.privacy.lastCode(requestId) ?? 'no-code-sent'
  console.log(`(the platform emailed a code; the demo reads it from the local outbox: ${code})`)
  await clowdops(['privacy', 'verify', requestId, '--code', code], 0, 'Prove it is me with the emailed code: the response period starts')
  await clowdops(['privacy', 'wait', requestId], 0, 'Follow it to completion (the local platform runs fast in the demo)')
  const exportDir = mkdtempSync(join(tmpdir(), 'clowdops-demo-export-'))
  await clowdops(['privacy', 'download', requestId, '--output', `${exportDir}/`], 0, 'Download the archive: resumable, checked against its SHA-256')
  await clowdops(['privacy', 'list'], 0, 'Every request, with its state and due date')
  rmSync(exportDir, { recursive: true, force: true })

  // Bulk: requests for other people from a file, exactly once; the bad row is reported by its line, never sent.
  const bulkDir = mkdtempSync(join(tmpdir(), 'clowdops-demo-bulk-'))
  const bulkFile = join(bulkDir, 'offboarding.csv')
  writeFileSync(
    bulkFile,
    'type,email,purposes\n' +
      'erasure,grace.hopper@example.com,\n' +
      'access,alan.turing@example.com,\n' +
      'objection,katherine.johnson@example.com,marketing;profiling\n' +
      'access,not-an-email,\n' +
      'access, alan.turing@EXAMPLE.com ,\n', // the same person: spaces trimmed, the domain's case ignored
  )
  await clowdops(['privacy', 'submit', '--file', bulkFile, '--dry-run'], 11, 'Check a bulk file first: every row validated, duplicates found, nothing sent')
  const attest = ['--attest-method', 'government_id', '--attested-by', 'privacy-team@example.com']
  const report = join(bulkDir, 'report.ndjson')
  await clowdops(
    ['privacy', 'submit', '--file', bulkFile, ...attest, '--report', report],
    11,
    'Submit it for other people, with how their identity was verified (exit 11: one row was invalid)',
  )
  await clowdops(['privacy', 'submit', '--file', bulkFile, ...attest], 11, 'Run it again: the journal says what is done, so nothing is sent twice')
  // The erasure waits out its 7-day grace period: the demo moves the local platform's clock past it.
  platform.privacy.advance(8 * 86_400_000)
  await clowdops(['privacy', 'wait', '--from', report], 0, 'Follow the whole batch from its report: a few list calls per poll, not one per request')
  rmSync(bulkDir, { recursive: true, force: true })

  platform.faults.failNext(2, 503, { retryAfter: 1 })
  await clowdops(['projects', 'list', '--limit', '2'], 0, 'The platform fails twice with 503 + Retry-After: 1; the CLI waits and retries')
  await clowdops(['sandboxes', 'list', '--project', 'prj_doesnotexist'], 5, 'Errors say what to do and carry the request id (exit 5: not found)')
  await clowdops(['projects', 'list', '--api-url', 'http://platform.example.com'], 10, 'Plain http is refused before anything is sent (exit 10)')
  await clowdops(['logout'], 0, 'Sign out (the demo leaves nothing behind)')
} finally {
  await platform.close()
  rmSync(configDir, { recursive: true, force: true })
}

console.log(failures === 0 ? '\nDemo finished: every step behaved as expected.' : `\nDemo finished with ${failures} unexpected result(s).`)
process.exit(failures === 0 ? 0 : 1)
