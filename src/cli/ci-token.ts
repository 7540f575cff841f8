// Reads the CI system's OIDC ID token for `login --oidc-token-env/--oidc-token-file`, never from argv.
import { readFileSync } from 'node:fs'
import { UsageError } from '../core/errors.js'
import { Secret } from '../core/secret.js'

const HINT = 'In GitHub Actions, grant `permissions: id-token: write` and fetch the token into a variable or file first.'

export function readCiIdToken(source: { env?: string | undefined; file?: string | undefined }): Secret {
  let value: string | undefined
  if (source.env) {
    value = process.env[source.env]
    if (!value?.trim()) throw new UsageError(`The environment variable ${source.env} is empty or unset.`, { hint: HINT })
  } else {
    try {
      value = readFileSync(source.file ?? '', 'utf8')
    } catch (error) {
      throw new UsageError(`Cannot read the OIDC token file ${source.file}: ${(error as NodeJS.ErrnoException).code ?? error}.`, { hint: HINT })
    }
    if (!value.trim()) throw new UsageError(`The OIDC token file ${source.file} is empty.`, { hint: HINT })
  }
  return new Secret(value.trim())
}
