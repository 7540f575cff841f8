// A misspelt provider, field, config key, purpose or option value: the closest known one suggested, exit 2.
import { describe, expect, it } from 'vitest'
import { ErrorOutput, ExitCode } from '../../src/core/errors.js'
import { runCli } from '../support/cli.js'

async function usageHint(args: string[]): Promise<string> {
  const result = await runCli([...args, '--json'])
  expect(result.code).toBe(ExitCode.usage)
  const { error } = ErrorOutput.parse(JSON.parse(result.stdout))
  return error.hint ?? ''
}

describe('a misspelt word gets a suggestion', () => {
  it('a provider', async () => {
    expect(await usageHint(['credentials', 'recipe', 'anthropik'])).toContain('Did you mean "anthropic"?')
    const add = await runCli(['credentials', 'add', 'opneai', '--label', 'x'], { CLOWDOPS_TOKEN: 'x'.repeat(40), CLOWDOPS_API_URL: 'http://127.0.0.1:9' })
    expect(add.code).toBe(ExitCode.usage)
    expect(add.stderr).toContain('Did you mean "openai"?')
  })

  it('a field of a provider', async () => {
    const result = await runCli(['credentials', 'add', 'telegram', '--label', 'x', '--field', 'chat_di=-100123', '--field', 'bot_token=env:TG_TOKEN', '--project', 'prj_x'], {
      CLOWDOPS_TOKEN: 'x'.repeat(40),
      CLOWDOPS_API_URL: 'http://127.0.0.1:9',
      TG_TOKEN: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq',
    })
    expect(result.stderr).toContain('Did you mean "chat_id"?')
  })

  it('a config key', async () => {
    expect(await usageHint(['config', 'set', 'defualt_project', 'prj_1'])).toContain('Did you mean "default_project"?')
  })

  it('a consent purpose (an argument with fixed values)', async () => {
    expect(await usageHint(['privacy', 'consent', 'history', 'cookies_marketng'])).toContain('Did you mean "cookies_marketing"?')
  })

  it('a flag value from a fixed list', async () => {
    expect(await usageHint(['privacy', 'list', '--type', 'erasur'])).toContain('Did you mean "erasure"?')
  })
})
