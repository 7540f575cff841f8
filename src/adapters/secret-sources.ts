// Secret files for `file:` references: contents and permission bits of the same open file.
import { open } from 'node:fs/promises'
import type { SecretFileRead, SecretFiles } from '../core/ports.js'
import { Secret } from '../core/secret.js'

/**
 * Opens once and asks the open file for its mode, so the bits checked are those of the file read (a symlink is
 * followed: mounted secrets are often links). Pipes are accepted too: `file:<(pass show aws/prod)`.
 */
export const secretFiles: SecretFiles = {
  async read(path, maxBytes): Promise<SecretFileRead> {
    let handle
    try {
      handle = await open(path, 'r')
    } catch (error) {
      return failure(error)
    }
    try {
      const stat = await handle.stat()
      if (!stat.isFile() && !stat.isFIFO()) return { status: 'not_a_file' }
      if (stat.isFile() && stat.size > maxBytes) return { status: 'too_large', maxBytes }
      const chunks: Buffer[] = []
      let total = 0
      // A pipe has no size to check up front: read until it ends or goes over the limit.
      for await (const chunk of handle.createReadStream({ autoClose: false, highWaterMark: 64 * 1024 })) {
        total += (chunk as Buffer).length
        if (total > maxBytes) return { status: 'too_large', maxBytes }
        chunks.push(chunk as Buffer)
      }
      const mode = process.platform === 'win32' ? undefined : stat.mode & 0o777
      return { status: 'read', mode, value: new Secret(Buffer.concat(chunks).toString('utf8')) }
    } catch (error) {
      return failure(error)
    } finally {
      await handle.close().catch(() => undefined)
    }
  },
}

function failure(error: unknown): SecretFileRead {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOENT' || code === 'ENOTDIR') return { status: 'missing' }
  if (code === 'EISDIR') return { status: 'not_a_file' }
  if (code === 'EACCES' || code === 'EPERM') return { status: 'unreadable', reason: 'permission denied' }
  return { status: 'unreadable', reason: code ?? (error instanceof Error ? error.message : String(error)) }
}
