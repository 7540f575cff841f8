// Several runs of the built CLI at once, each needing a token refresh, against a refresh lock left by a process that
// died, or held by a run whose refresh takes long. Refresh tokens rotate and the platform treats a reused one as theft
// (RFC 9700): two processes refreshing with the same token revoke the sign-in. One refresh grant must reach the
// platform; the other runs wait for the lock, re-read the tokens it stored and use them.
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { heldLocks } from '../../src/adapters/locks.js'
import { fileVault } from '../../src/adapters/token-vaults.js'
import { StoredTokens } from '../../src/core/auth/tokens.js'
import { ProjectList } from '../../src/core/projects/list.js'
import { type CliResult, freshConfigDir, runCli } from '../support/cli.js'
import { ageLocks, deadLockHolder } from '../support/locks.js'
import { envFor, signInByDevice, until, usePlatform } from '../support/platform.js'

const platform = usePlatform()
afterEach(() => platform().oauth.reset())

const RUNS = 6
const refreshGrants = () => platform().stats.oauth.tokenRequests.refresh_token ?? 0
const signedOut = (configDir: string) => envFor(platform(), { configDir, withToken: false })

async function storedTokens(configDir: string): Promise<StoredTokens> {
  return StoredTokens.parse(JSON.parse((await fileVault(configDir).read('default'))!.reveal()))
}

/** A sign-in whose access token needs a refresh, and whose refreshed token will not: one refresh serves every run. */
async function signedInNeedingOneRefresh(): Promise<{ configDir: string; signedIn: StoredTokens }> {
  platform().oauth.setPollInterval(1)
  platform().oauth.setAccessTokenTtl(30) // inside the CLI's refresh margin: the signed-in token needs a refresh
  const configDir = freshConfigDir()
  await signInByDevice(platform(), configDir)
  platform().oauth.setAccessTokenTtl(3_600) // outside it: after one refresh, none is due
  return { configDir, signedIn: await storedTokens(configDir) }
}

const projectsList = (configDir: string) => runCli(['projects', 'list', '--json'], signedOut(configDir))

/** Every run listed the projects; one refresh grant reached the platform; its refresh token is the live one, stored. */
async function expectOneRefreshServedAll(configDir: string, signedIn: StoredTokens, runs: CliResult[], grantsBefore: number) {
  for (const run of runs) {
    expect(run.code, run.stderr).toBe(0)
    expect(ProjectList.parse(JSON.parse(run.stdout)).length).toBeGreaterThan(0)
  }
  expect(refreshGrants() - grantsBefore).toBe(1)
  const refreshed = await storedTokens(configDir)
  expect(refreshed.refresh_token).not.toBe(signedIn.refresh_token)
  expect(await platform().oauth.isRefreshTokenActive(refreshed.refresh_token!)).toBe(true)
  const next = await projectsList(configDir)
  expect(next.code, next.stderr).toBe(0)
  expect(refreshGrants() - grantsBefore).toBe(1)
  expect(await heldLocks(configDir)).toEqual([])
}

describe('the refresh lock under a crowd', () => {
  it('a holder died with the lock 28 s ago (as in the report); six runs needing a refresh: one grant, all succeed', async () => {
    const { configDir, signedIn } = await signedInNeedingOneRefresh()
    await deadLockHolder(configDir, 'refresh-default', join(configDir, 'dead-holder.log'))
    ageLocks(configDir, 28_000) // a 30 s staleness rule fires while every run waits
    const grants = refreshGrants()
    const runs = await Promise.all(Array.from({ length: RUNS }, () => projectsList(configDir)))
    await expectOneRefreshServedAll(configDir, signedIn, runs, grants)
  }, 90_000)

  it('a run refreshing for a long time keeps the lock: the runs that come meanwhile wait and use what it stored', async () => {
    const { configDir, signedIn } = await signedInNeedingOneRefresh()
    platform().oauth.setTokenResponseDelay(3_000) // the grant is made at once (the token rotated), answered 3 s later
    const grants = refreshGrants()
    const first = projectsList(configDir)
    await until(() => refreshGrants() > grants, 'the first run’s refresh grant')
    ageLocks(configDir, 31_000) // as if it had held the lock for 31 s (discovery, token, keychain at their timeouts)
    const others = await Promise.all(Array.from({ length: RUNS - 1 }, () => projectsList(configDir)))
    platform().oauth.setTokenResponseDelay(0)
    await expectOneRefreshServedAll(configDir, signedIn, [await first, ...others], grants)
  }, 90_000)
})
