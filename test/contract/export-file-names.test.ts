// Export file names are written as the platform gives them, so the contract admits only plain visible names in one
// folder: no path separators, no `.` or `..`, no dotfiles (a `.bash_profile` written into the working directory).
import { describe, expect, it } from 'vitest'
import { ExportFile } from '../../src/core/contract/index.js'

const file = (name: string) => ({ name, bytes: 1, sha256: 'a'.repeat(64), content_type: 'application/zip', expires_at: '2026-12-02T00:00:00Z' })

describe('export file names', () => {
  it.each(['clowdops-export-8f3k2m9q.zip', 'export.tar.gz', 'a', 'data_2026-12-02.json'])('accepts %s', (name) => {
    expect(ExportFile.safeParse(file(name)).success).toBe(true)
  })

  it.each(['.bash_profile', '.', '..', '../x.zip', 'a/b.zip', 'a\\b.zip', '', ' x.zip', 'x.zip\n', `${'x'.repeat(256)}`])('refuses %j', (name) => {
    expect(ExportFile.safeParse(file(name)).success).toBe(false)
  })
})
