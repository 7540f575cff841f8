// The bulk journal on real files: a path that is a link is refused, and two runs creating one journal at the same
// moment get a conflict that says so, not an unexpected EEXIST.
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openJournal } from '../../src/adapters/journal.js'
import { ConflictError, ExitCode, UsageError } from '../../src/core/errors.js'

const dir = () => mkdtempSync(join(tmpdir(), 'clowdops-journal-'))
const options = (path: string) => ({ path, inputSha256: 'a'.repeat(64), batchId: 'batch-1', force: false, mustExist: false, now: () => new Date() })

describe('opening a journal', () => {
  it('refuses a dangling symbolic link at the path (exit 2), creating nothing where it points', async () => {
    const folder = dir()
    const path = join(folder, 'j.jsonl')
    symlinkSync(join(folder, 'nowhere.jsonl'), path)
    const error = await openJournal(options(path)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UsageError)
    expect((error as UsageError).message).toContain('symbolic link')
  })

  it('refuses a link to an existing journal too: it would be appended to wherever it points', async () => {
    const folder = dir()
    const real = join(folder, 'real.jsonl')
    const first = await openJournal(options(real))
    await first.writer.close()
    symlinkSync(real, join(folder, 'link.jsonl'))
    await expect(openJournal(options(join(folder, 'link.jsonl')))).rejects.toBeInstanceOf(UsageError)
  })

  it('two runs creating the same journal at once: one gets it, the other a conflict (exit 6) naming the path', async () => {
    for (let round = 0; round < 5; round++) {
      const path = join(dir(), 'j.jsonl')
      const results = await Promise.allSettled([openJournal(options(path)), openJournal(options(path))])
      const failures = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as Error)
      for (const failure of failures) {
        expect(failure).toBeInstanceOf(ConflictError)
        expect((failure as ConflictError).exitCode).toBe(ExitCode.conflict)
        expect(failure.message).toContain(path)
      }
      expect(failures).toHaveLength(1)
      for (const r of results) if (r.status === 'fulfilled') await r.value.writer.close()
      expect(JSON.parse(readFileSync(path, 'utf8').split('\n')[0]!)).toMatchObject({ batch_id: 'batch-1' })
    }
  })

  it('reads a file that is not a journal as a usage error naming it', async () => {
    const path = join(dir(), 'notes.jsonl')
    writeFileSync(path, '{"hello":1}\n')
    await expect(openJournal(options(path))).rejects.toThrow(/not a clowdops journal/)
  })
})
