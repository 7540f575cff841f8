// Paths the user names for output, checked before anything is sent: a missing folder, a directory where a file is
// needed, a trailing slash for a folder that is not there, a journal that is a dangling link. Each is exit 2 naming the
// path, on the built CLI against the local platform, and the platform saw no request that creates anything.
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ErrorOutput } from '../../src/core/errors.js'
import { runCli } from '../support/cli.js'
import { envFor, usePlatform } from '../support/platform.js'

const platform = usePlatform({ rateLimit: null })
const ATTEST = ['--attest-method', 'government_id', '--attested-by', 'privacy-team@example.com']

function workdir(): { dir: string; csv: string } {
  const dir = mkdtempSync(join(tmpdir(), 'clowdops-paths-'))
  const csv = join(dir, 'people.csv')
  writeFileSync(csv, 'type,email\naccess,path-1@example.com\naccess,path-2@example.com\n')
  return { dir, csv }
}

const creations = () => (platform().stats.byRoute['privacy-requests.batch'] ?? 0) + (platform().stats.byRoute['privacy-requests.create'] ?? 0)

async function refused(args: string[], path: string): Promise<void> {
  const before = creations()
  const result = await runCli([...args, '--json'], envFor(platform()))
  expect(result.code, result.stdout + result.stderr).toBe(2)
  const { error } = ErrorOutput.parse(JSON.parse(result.stdout))
  expect(error.message).toContain(path)
  expect(error.hint).toBeTruthy()
  expect(result.stderr).not.toMatch(/at .*\.js:\d+/) // no stack
  expect(creations()).toBe(before)
}

describe('output paths are checked before anything is sent', () => {
  it('privacy submit --report in a folder that does not exist', async () => {
    const { dir, csv } = workdir()
    await refused(['privacy', 'submit', '--file', csv, ...ATTEST, '--report', join(dir, 'out', 'dir', 'r.ndjson')], join(dir, 'out', 'dir'))
    expect(readdirSync(dir)).toEqual(['people.csv']) // no journal started either
  })

  it('privacy submit --report naming a directory', async () => {
    const { dir, csv } = workdir()
    mkdirSync(join(dir, 'reports'))
    await refused(['privacy', 'submit', '--file', csv, ...ATTEST, '--report', `${join(dir, 'reports')}/`], 'reports')
  })

  it('privacy submit --journal in a folder that does not exist', async () => {
    const { dir, csv } = workdir()
    await refused(['privacy', 'submit', '--file', csv, ...ATTEST, '--journal', join(dir, 'nodir', 'j.jsonl')], join(dir, 'nodir'))
  })

  it('privacy submit --journal that is a dangling symbolic link', async () => {
    const { dir, csv } = workdir()
    const journal = join(dir, 'j.jsonl')
    symlinkSync(join(dir, 'elsewhere', 'j.jsonl'), journal)
    const result = await runCli(['privacy', 'submit', '--file', csv, ...ATTEST, '--journal', journal, '--json'], envFor(platform()))
    expect(result.code).toBe(2)
    expect(ErrorOutput.parse(JSON.parse(result.stdout)).error.message).toContain('symbolic link')
  })

  it('privacy download -o a folder (trailing slash) that does not exist', async () => {
    const { dir } = workdir()
    await refused(['privacy', 'download', '00000000-0000-4000-8000-000000000001', '-o', `${join(dir, 'dl')}/`], join(dir, 'dl'))
  })

  it('privacy export --wait --output in a missing folder creates no request', async () => {
    const { dir } = workdir()
    await refused(['privacy', 'export', '--wait', '--code', '123456', '--output', join(dir, 'missing', 'export.zip')], join(dir, 'missing'))
  })
})
