// npm run bench (second part): bulk submission throughput against the platform's own ceiling, and peak memory.
// A measurement, not a test: it prints the figures and the targets, and exits 0 unless it cannot run at all.
//
// Throughput: the local platform runs in a child process of its own; `clowdops privacy submit` sends 100,000 valid
// rows; then autocannon, a load generator, posts the same number of fresh, unique batches of the same size straight to
// the batch endpoint, over as many connections as the CLI has batches in flight and over twice as many, and the better
// of the two is the ceiling. Both are rows per second on the same endpoint, one after the other, in the same run; the
// ratio is the CLI's share of the ceiling (target ≥ 0.8).
// Memory: peak RSS (VmHWM from /proc) of a 10,000-row run and of a 1,000,000-row --dry-run (target: within 1.5× of
// the 10k run, and under 200 MB).
// Across a network: the platform delays every request by ~50 ms (with jitter) and limits the caller to fewer requests
// a second than the CLI could send. What the limit allows over the run (its burst, plus its rate × the run's time,
// × rows per batch) is printed beside what `privacy submit` achieved in the same time (target ≥ 0.9), with the 429s
// the platform sent (from its own count) and how long the CLI says it waited on the limit.
// `--only throughput,memory,network` runs a part of it.
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'

const { values: options } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    'memory-rows': { type: 'string', default: '1000000' },
    'batch-size': { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '4' },
    runs: { type: 'string', default: '5' },
    'network-rows': { type: 'string', default: '10000' },
    'network-batch-size': { type: 'string', default: '10' },
    latency: { type: 'string', default: '50~20' },
    'rate-limit': { type: 'string', default: '100/100' },
    only: { type: 'string', default: 'throughput,memory,network' },
  },
})
const parts = new Set(options.only.split(','))
const rows = Number(options.rows)
const memoryRows = Number(options['memory-rows'])
const batchSize = Number(options['batch-size'])
const concurrency = Number(options.concurrency)
const runs = Number(options.runs)

const root = join(import.meta.dirname, '..')
const runJs = join(root, 'bin', 'run.js')
const work = mkdtempSync(join(tmpdir(), 'clowdops-bench-bulk-'))

interface RunningPlatform {
  url: string
  token: string
  adminKey: string
  stop(): Promise<void>
}

/**
 * The platform as `npm run platform` runs it, in its own process, so neither client steals its event loop. `args` are
 * its knobs (--latency, --rate-limit); without them, the rate limit is turned off.
 */
async function startPlatformProcess(args: string[] = []): Promise<RunningPlatform> {
  const child = spawn(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'test', 'platform', 'main.ts'), ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
  })
  const values: Record<string, string> = {}
  for await (const line of createInterface({ input: child.stdout })) {
    const [key, ...rest] = line.split('=')
    if (key) values[key] = rest.join('=')
    if (values.CLOWDOPS_PLATFORM_ADMIN_KEY) break
  }
  const platform = { url: values.CLOWDOPS_API_URL ?? '', token: values.CLOWDOPS_TOKEN ?? '', adminKey: values.CLOWDOPS_PLATFORM_ADMIN_KEY ?? '' }
  if (!platform.url || !platform.token || !platform.adminKey) throw new Error('the local platform did not print its environment')
  if (args.length === 0) {
    // The ceiling of the endpoint, not of its rate limiter.
    const off = await fetch(`${platform.url}/_admin/rate-limit`, { method: 'POST', headers: { 'x-admin-key': platform.adminKey }, body: '{"off":true}' })
    if (!off.ok) throw new Error(`could not turn the rate limit off: ${off.status}`)
  }
  return {
    ...platform,
    async stop() {
      child.kill('SIGTERM')
      await once(child, 'exit')
    },
  }
}

async function writeCsv(path: string, count: number, prefix: string): Promise<void> {
  const out = createWriteStream(path)
  out.write('type,email\n')
  for (let i = 1; i <= count; i++) {
    if (!out.write(`access,${prefix}-${i}@example.com\n`)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}

interface Measured {
  ms: number
  peakRssMb: number
  code: number | null
  stdout: string
}

/** Runs the CLI and samples its peak resident set (VmHWM) from /proc while it runs. */
async function measureCli(args: string[], env: Record<string, string>): Promise<Measured> {
  const started = performance.now()
  const child = spawn(process.execPath, [runJs, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: work, CLOWDOPS_CONFIG_DIR: join(work, 'config'), CLOWDOPS_SKIP_NEW_VERSION_CHECK: 'true', ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  })
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  let peakKb = 0
  const sample = () => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))
      if (match) peakKb = Math.max(peakKb, Number(match[1]))
    } catch {
      // the process just exited
    }
  }
  const timer = setInterval(sample, 20)
  const [code] = (await once(child, 'exit')) as [number | null]
  clearInterval(timer)
  return { ms: performance.now() - started, peakRssMb: peakKb / 1024, code, stdout }
}

/** The same endpoint and batch size, fresh unique items in every request: rows per second over `connections`. */
async function ceiling(platform: RunningPlatform, totalRows: number, connections: number): Promise<number> {
  const requests = Math.ceil(totalRows / batchSize)
  const batchBody = () =>
    JSON.stringify({
      batch_id: 'bench-ceiling',
      attestation: { method: 'government_id', attested_by: 'bench' },
      requests: Array.from({ length: batchSize }, () => ({ id: randomUUID(), type: 'access', regulation: 'gdpr', subject: { email: `ceiling-${randomUUID()}@example.com` } })),
    })
  // Timed here, from the first request to the last response: autocannon's own start and finish (and the moment its
  // promise settles) follow its once-a-second sampling tick, which would round a 2.4 s run up to 3 s.
  let answered = 0
  let last = 0
  const started = performance.now()
  const instance = autocannon(
    {
      url: `${platform.url}/v1/privacy/requests:batch`,
      connections,
      amount: requests,
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => ({
            ...request,
            headers: { authorization: `Bearer ${platform.token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
            body: batchBody(),
          }),
        },
      ],
    },
    () => undefined,
  )
  instance.on('response', () => {
    answered += 1
    last = performance.now()
  })
  const result = await new Promise<autocannon.Result>((resolve) => instance.on('done', resolve))
  if (result.non2xx > 0 || result.errors > 0 || answered !== requests) {
    throw new Error(`the load generator got ${answered} answers, ${result.non2xx} non-2xx and ${result.errors} errors`)
  }
  return (requests * batchSize) / ((last - started) / 1000)
}


// Every measurement gets a fresh platform, so each fills it from empty: the in-memory platform slows down as it holds
// more requests (its garbage collector has more to walk), and no run should pay for another's rows. Ceiling and CLI
// alternate, `runs` times each, and the medians are compared, since a 2-core machine is noisy.
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0
const attest = ['--attest-method', 'government_id', '--attested-by', 'bench']
const throughputFile = join(work, 'throughput.csv')
if (parts.has('throughput')) await writeCsv(throughputFile, rows, 'throughput')
const ceilingRates: number[] = []
const cliRates: number[] = []
for (let run = 0; run < (parts.has('throughput') ? runs : 0); run++) {
  let best = 0
  for (const connections of [concurrency, concurrency * 2]) {
    const forCeiling = await startPlatformProcess()
    try {
      best = Math.max(best, await ceiling(forCeiling, rows, connections))
    } finally {
      await forCeiling.stop()
    }
  }
  ceilingRates.push(best)
  const forCli = await startPlatformProcess()
  try {
    rmSync(`${throughputFile}.journal.jsonl`, { force: true })
    const env = { CLOWDOPS_API_URL: forCli.url, CLOWDOPS_TOKEN: forCli.token }
    const cli = await measureCli(['privacy', 'submit', '--file', throughputFile, ...attest, '--batch-size', String(batchSize), '--concurrency', String(concurrency)], env)
    if (cli.code !== 0) throw new Error(`clowdops privacy submit exited ${cli.code}:\n${cli.stdout}`)
    cliRates.push(rows / (cli.ms / 1000))
  } finally {
    await forCli.stop()
  }
}
const ceilingRate = median(ceilingRates)
const cliRate = median(cliRates)
const verdict = (ok: boolean) => (ok ? 'pass' : 'MISS')

/** The loopback measures: throughput against the ceiling, and peak memory. */
async function loopbackReport(): Promise<void> {
  if (parts.has('throughput')) {
    const ratio = cliRate / ceilingRate
    console.log(
      `\nBulk submission, v${process.versions.node} ${process.platform}-${process.arch}, batch ${batchSize}, ` +
        `CLI concurrency ${concurrency}, load generator the better of ${concurrency} and ${concurrency * 2} connections, medians of ${runs}`,
    )
    console.log('measure                                   value        target')
    console.log(`clowdops privacy submit, ${rows} rows    ${cliRate.toFixed(0).padStart(8)} rows/s   (runs: ${cliRates.map((r) => r.toFixed(0)).join(', ')}; wall time, start-up included)`)
    console.log(`load generator (autocannon), same endpoint ${ceilingRate.toFixed(0).padStart(8)} rows/s   (runs: ${ceilingRates.map((r) => r.toFixed(0)).join(', ')})`)
    console.log(`ratio                                     ${ratio.toFixed(2).padStart(8)}      ≥ 0.80  ${verdict(ratio >= 0.8)}`)
  }
  if (!parts.has('memory')) return
  const platform = await startPlatformProcess()
  try {
    const env = { CLOWDOPS_API_URL: platform.url, CLOWDOPS_TOKEN: platform.token }
    const tenK = join(work, 'ten-k.csv')
    await writeCsv(tenK, 10_000, 'memory')
    const small = await measureCli(['privacy', 'submit', '--file', tenK, ...attest], env)
    const million = join(work, 'million.csv')
    await writeCsv(million, memoryRows, 'million')
    const large = await measureCli(['privacy', 'submit', '--file', million, '--dry-run'], env)
    if (small.code !== 0 || large.code !== 0) throw new Error(`memory runs exited ${small.code} and ${large.code}`)
    const memoryRatio = large.peakRssMb / small.peakRssMb
    console.log(`peak RSS, 10,000 rows (submitted)         ${small.peakRssMb.toFixed(1).padStart(8)} MB`)
    console.log(`peak RSS, ${memoryRows} rows (--dry-run)     ${large.peakRssMb.toFixed(1).padStart(8)} MB     < 200   ${verdict(large.peakRssMb < 200)}`)
    console.log(`ratio                                     ${memoryRatio.toFixed(2).padStart(8)}      ≤ 1.50  ${verdict(memoryRatio <= 1.5)}`)
  } finally {
    await platform.stop()
  }
}

/** Across a network: latency with jitter and a rate limit below what the CLI could send, the limit's own figure beside. */
async function networkReport(): Promise<void> {
  const [capacity, perSecond] = options['rate-limit'].split('/').map(Number) as [number, number]
  const networkRows = Number(options['network-rows'])
  const networkBatch = Number(options['network-batch-size'])
  const platform = await startPlatformProcess(['--latency', options.latency, '--rate-limit', options['rate-limit']])
  try {
    const file = join(work, 'network.csv')
    await writeCsv(file, networkRows, 'network')
    const env = { CLOWDOPS_API_URL: platform.url, CLOWDOPS_TOKEN: platform.token }
    // No --concurrency: the CLI sizes what it has in flight to the rate the platform advertises.
    const cli = await measureCli(['privacy', 'submit', '--file', file, ...attest, '--batch-size', String(networkBatch), '--json'], env)
    if (cli.code !== 0) throw new Error(`clowdops privacy submit exited ${cli.code}:\n${cli.stdout.slice(-2000)}`)
    const summary = JSON.parse(cli.stdout.trim().split('\n').at(-1) ?? '{}') as {
      accepted: number
      elapsed_ms: number
      rate_limit_wait_ms: number
      rate_limited: number
    }
    const stats = (await (await fetch(`${platform.url}/_admin/stats`, { headers: { 'x-admin-key': platform.adminKey } })).json()) as { rate_limited: number }
    const seconds = summary.elapsed_ms / 1000
    // Everything the bucket lets through in that time: full at the start, then refilled at its rate.
    const allowed = ((capacity + perSecond * seconds) * networkBatch) / seconds
    const achieved = summary.accepted / seconds
    const ratio = achieved / allowed
    console.log(
      `\nAcross a network: latency ${options.latency.replace('~', ' ± ')} ms a request, rate limit ${perSecond} requests/s (bursts of ${capacity}), ` +
        `batch ${networkBatch}, ${networkRows} rows`,
    )
    console.log('measure                                   value        target')
    console.log(`allowed by the rate limit over the run    ${allowed.toFixed(0).padStart(8)} rows/s   (${capacity} + ${perSecond}/s × ${seconds.toFixed(1)} s, × ${networkBatch} rows)`)
    console.log(`clowdops privacy submit, same run         ${achieved.toFixed(0).padStart(8)} rows/s   (${summary.accepted} rows in ${seconds.toFixed(1)} s; wall time with start-up ${(cli.ms / 1000).toFixed(1)} s)`)
    console.log(`ratio                                     ${ratio.toFixed(2).padStart(8)}      ≥ 0.90  ${verdict(ratio >= 0.9)}`)
    console.log(`429 answers (the platform's count)        ${String(stats.rate_limited).padStart(8)}          few     (the CLI counted ${summary.rate_limited})`)
    console.log(`waited on the rate limit (CLI summary)    ${(summary.rate_limit_wait_ms / 1000).toFixed(1).padStart(8)} s`)
  } finally {
    await platform.stop()
  }
}

try {
  await loopbackReport()
  if (parts.has('network')) await networkReport()
} finally {
  rmSync(work, { recursive: true, force: true })
}
