// --policy FILE: the IAM policy documents `credentials lint` and `credentials add` check offline, read whole.
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import type { PolicyDocumentInput } from '../core/credentials/policy-check.js'
import { UsageError } from '../core/errors.js'

/** Larger than any policy AWS accepts (managed policies: 6,144 characters; inline role policies: 10,240). */
const MAX_POLICY_BYTES = 256 * 1024

export async function readPolicyFiles(paths: readonly string[]): Promise<PolicyDocumentInput[]> {
  const documents: PolicyDocumentInput[] = []
  for (const path of paths) {
    let text: string
    try {
      const bytes = await readFile(path)
      if (bytes.length > MAX_POLICY_BYTES) throw new UsageError(`--policy ${path} is larger than ${MAX_POLICY_BYTES} bytes: not an IAM policy.`)
      text = bytes.toString('utf8')
    } catch (error) {
      if (error instanceof UsageError) throw error
      const code = (error as NodeJS.ErrnoException).code
      throw new UsageError(`--policy ${path} cannot be read${code ? ` (${code})` : ''}.`, { hint: 'Give the path of a JSON IAM policy document.' })
    }
    documents.push({ name: basename(path), text })
  }
  return documents
}
