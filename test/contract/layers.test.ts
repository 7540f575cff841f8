// The layering rules of eslint.config.js (local rule clowdops/layers and the process-stream ban), run by ESLint on
// small sources placed in each layer: what must be refused is refused, and what the layers rely on is allowed.
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint({ cwd: process.cwd() })

/** The rule ids ESLint reports for `code` as if it were the file at `path`. */
async function ruleIds(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path })
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message).filter((id) => id !== '@typescript-eslint/no-unused-vars')
}

describe('layers', () => {
  it.each([
    ['src/core/x.ts', 'a package core does not take', "import got from 'got'\nexport { got }\n"],
    ['src/core/x.ts', 'an adapter in core', "import { systemClock } from '../adapters/clock.js'\nexport { systemClock }\n"],
    ['src/core/x.ts', 'the CLI glue in core', "import { BaseCommand } from '../cli/base-command.js'\nexport { BaseCommand }\n"],
    ['src/cli/render-x.ts', 'an adapter outside deps.ts', "import { systemClock } from '../adapters/clock.js'\nexport { systemClock }\n"],
    ['src/cli/render-x.ts', 'a lazy adapter import outside deps.ts', "export const load = () => import('../adapters/clock.js')\n"],
    ['src/cli/deps.ts', 'an adapter re-exported', "export { systemClock } from '../adapters/clock.js'\n"],
    ['commands/x.ts', 'an adapter in a command', "import { systemClock } from '../src/adapters/clock.js'\nexport { systemClock }\n"],
    ['commands/x.ts', 'a package in a command', "import got from 'got'\nexport { got }\n"],
    ['src/adapters/x.ts', 'the CLI glue in an adapter', "import { BaseCommand } from '../cli/base-command.js'\nexport { BaseCommand }\n"],
  ])('%s refuses %s', async (path, _why, code) => {
    expect(await ruleIds(path, code)).toContain('clowdops/layers')
  })

  it.each([
    ['commands/x.ts', "process.stdout.write('x')\n"],
    ['src/cli/render-x.ts', "process.stderr.write('x')\n"],
    ['src/adapters/x.ts', 'process.exit(1)\n'],
  ])('%s may not touch the process streams or exit', async (path, code) => {
    expect(await ruleIds(path, code)).toContain('no-restricted-properties')
  })

  it.each([
    ['src/core/x.ts', "import { z } from 'zod'\nimport { hash } from 'node:crypto'\nimport type { Deps } from './ports.js'\nexport type T = [typeof z, typeof hash, Deps]\n"],
    ['src/cli/deps.ts', "import { systemClock } from '../adapters/clock.js'\nexport const clock = systemClock\n"],
    ['src/adapters/terminal.ts', "process.stdout.write('x')\n"],
    ['commands/x.ts', "import { Flags } from '@oclif/core'\nimport { BaseCommand } from '../src/cli/base-command.js'\nexport const x = [Flags, BaseCommand]\n"],
  ])('%s is allowed what its layer relies on', async (path, code) => {
    expect(await ruleIds(path, code)).toEqual([])
  })
})
