// Every literal credential value a command's --help shows must be one the CLI itself accepts: an example that the
// CLI refuses (exit 2) teaches the user nothing. Values given by reference (env:, keychain:, file:) are not literals.
import { describe, expect, it } from 'vitest'
import { getProvider } from '../../src/core/credentials/catalog.js'
import { checkCredential } from '../../src/core/credentials/provider.js'
import { Secret } from '../../src/core/secret.js'
import CredentialsAdd from '../../commands/credentials/add.js'
import CredentialsLint from '../../commands/credentials/lint.js'

const REFERENCE = /^(?:env|keychain|file):|^stdin$/

describe('credential examples in --help', () => {
  it.each([
    ['credentials lint', CredentialsLint.examples],
    ['credentials add', CredentialsAdd.examples],
  ])('%s: every literal --field value passes its own field check', (_command, examples) => {
    const literals: string[] = []
    for (const example of (examples ?? []).map(String)) {
      const provider = /<%= command\.id %> ([a-z0-9-]+)/.exec(example)?.[1]
      if (!provider) continue
      for (const [, name = '', value = ''] of example.matchAll(/--field (\w+)=(\S+)/g)) {
        if (REFERENCE.test(value)) continue
        literals.push(`${provider} ${name}`)
        const spec = getProvider(provider).fields.find((field) => field.name === name)
        const given = spec?.secret ? new Secret(value) : value
        const errors = checkCredential(getProvider(provider), { [name]: given }).filter(
          (finding) => finding.severity === 'error' && finding.field === name,
        )
        expect(errors, `${provider} --field ${name}=${value}`).toEqual([])
      }
    }
    expect(literals.length, "the examples show at least one literal value to check").toBeGreaterThan(0)
  })
})
