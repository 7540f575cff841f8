// Erasure of the account: confirmation without a terminal, cancel within the grace period, and after it an account
// that is gone. A platform of its own, since a completed erasure closes the account for every later request.
import { beforeAll, describe, expect, it } from 'vitest'
import { ErrorOutput } from '../../src/core/errors.js'
import { Created, RequestView } from '../../src/core/privacy/requests.js'
import { runCli } from '../support/cli.js'
import { envFor, usePlatform } from '../support/platform.js'

const DAY = 86_400_000

const platform = usePlatform({ rateLimit: null })
let env: Record<string, string>

beforeAll(() => {
  env = envFor(platform())
})

const cli = (args: string[]) => runCli(args, env)

async function erasure(extra: string[] = []) {
  const result = await cli(['privacy', 'delete', '--yes', '--confirm-email', platform().user.email.toUpperCase(), ...extra, '--json'])
  expect(result.code, result.stderr + result.stdout).toBe(0)
  return Created.parse(JSON.parse(result.stdout)).request
}

describe('privacy delete', () => {
  it('without a terminal, --confirm-email is required (exit 2) and a wrong one refused (exit 10); nothing is created', async () => {
    const before = platform().privacy.requests().length
    const missing = await cli(['privacy', 'delete', '--yes', '--json'])
    expect(missing.code).toBe(2)
    expect(ErrorOutput.parse(JSON.parse(missing.stdout)).error.hint).toContain('--confirm-email')
    const noYes = await cli(['privacy', 'delete', '--confirm-email', platform().user.email])
    expect(noYes.code).toBe(2)
    const wrong = await cli(['privacy', 'delete', '--yes', '--confirm-email', 'someone@example.org', '--json'])
    expect(wrong.code).toBe(10)
    expect(ErrorOutput.parse(JSON.parse(wrong.stdout)).error.code).toBe('confirmation_mismatch')
    expect(platform().privacy.requests().length).toBe(before)
  })

  it('can be canceled during the grace period', async () => {
    const request = await erasure()
    expect(request.type).toBe('erasure')
    const code = platform().privacy.lastCode(request.id)!
    const verified = RequestView.parse(JSON.parse((await cli(['privacy', 'verify', request.id, '--code', code, '--json'])).stdout))
    expect(verified.status).toBe('received')

    platform().privacy.advance(3 * DAY)
    const waiting = RequestView.parse(JSON.parse((await cli(['privacy', 'status', request.id, '--json'])).stdout))
    expect(waiting.status).toBe('awaiting_grace_period')
    expect(waiting.next_step).toContain(`clowdops privacy cancel ${request.id}`)
    const text = await cli(['privacy', 'status', request.id])
    expect(text.stdout).toMatch(/Erasure on\s+\d{4}-\d{2}-\d{2}/)

    const canceled = await cli(['privacy', 'cancel', request.id, '--json'])
    expect(canceled.code, canceled.stderr).toBe(0)
    expect(RequestView.parse(JSON.parse(canceled.stdout))).toMatchObject({ status: 'canceled' })
    // Canceling again changes nothing.
    expect((await cli(['privacy', 'cancel', request.id])).code).toBe(0)
  })

  it('after the grace period the account is gone: cancel is refused, saying so and what to clear', async () => {
    const request = await erasure()
    await cli(['privacy', 'verify', request.id, '--code', platform().privacy.lastCode(request.id)!])
    platform().privacy.advance(3 * DAY + 8 * DAY)

    const refused = await cli(['privacy', 'cancel', request.id, '--json'])
    expect(refused.code).toBe(4)
    const { error } = ErrorOutput.parse(JSON.parse(refused.stdout))
    expect(error.code).toBe('account_erased')
    expect(error.message).toContain(request.id)
    expect(error.hint).toContain('clowdops logout')
  })
})
