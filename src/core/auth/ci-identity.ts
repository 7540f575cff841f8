// Where `--ci` finds the job's OIDC ID token: asked of GitHub Actions, read from the variable GitLab CI fills from
// `id_tokens:`, or from CLOWDOPS_ID_TOKEN anywhere else. Nothing here is sent to the platform.
import { UsageError } from '../errors.js'
import type { Deps } from '../ports.js'
import { Secret } from '../secret.js'

/** The audience asked for when none is given: what the platform's trust rules expect unless an organisation chose another. */
export const DEFAULT_CI_AUDIENCE = 'clowdops'

/**
 * The variable the job's ID token is read from outside GitHub Actions. GitLab names ID-token variables after the key
 * under `id_tokens:` in .gitlab-ci.yml (docs.gitlab.com/ci/secrets/id_token_authentication/); this is the name our
 * examples declare.
 */
export const ID_TOKEN_VARIABLE = 'CLOWDOPS_ID_TOKEN'

export type CiProvider = 'github_actions' | 'gitlab_ci' | 'environment'

export interface JobIdToken {
  provider: CiProvider
  token: Secret
}

/**
 * GitHub only gives a job the request variables when the workflow grants `id-token: write`
 * (docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#adding-permissions-settings),
 * and never to a pull_request run from a fork. Once `permissions:` is written, every scope left out is none, so
 * checking out the code needs `contents: read` beside it.
 */
const GITHUB_PERMISSION_HINT =
  'Add to the job (or the whole workflow) in its workflow file: `permissions: { id-token: write, contents: read }`. ' +
  'Pull requests from forks never get a token.'

/** The job's OIDC ID token, found as the CI system it runs in offers it. */
export async function jobIdToken(input: { audience: string }, deps: Pick<Deps, 'env' | 'ciIdentity'>): Promise<JobIdToken> {
  const { env } = deps
  if (env.GITHUB_ACTIONS === 'true') {
    const url = env.ACTIONS_ID_TOKEN_REQUEST_URL
    const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
    if (!url || !requestToken) {
      const missing = [url ? undefined : 'ACTIONS_ID_TOKEN_REQUEST_URL', requestToken ? undefined : 'ACTIONS_ID_TOKEN_REQUEST_TOKEN'].filter(Boolean)
      throw new UsageError(`This GitHub Actions job may not request an OIDC token: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set. Nothing was sent.`, {
        code: 'ci_token_unavailable',
        hint: GITHUB_PERMISSION_HINT,
      })
    }
    const token = await deps.ciIdentity.requestGitHubActionsToken({ url, requestToken: new Secret(requestToken), audience: input.audience })
    return { provider: 'github_actions', token }
  }
  const value = env[ID_TOKEN_VARIABLE]?.trim()
  if (value) return { provider: env.GITLAB_CI === 'true' ? 'gitlab_ci' : 'environment', token: new Secret(value) }
  if (env.GITLAB_CI === 'true') {
    throw new UsageError(`This GitLab CI job has no ID token in ${ID_TOKEN_VARIABLE}. Nothing was sent.`, {
      code: 'ci_token_unavailable',
      hint: `Declare it in the job in .gitlab-ci.yml: \`id_tokens: { ${ID_TOKEN_VARIABLE}: { aud: ${input.audience} } }\`.`,
    })
  }
  throw new UsageError(`--ci finds the job's ID token in GitHub Actions and GitLab CI, or in ${ID_TOKEN_VARIABLE}; none is here. Nothing was sent.`, {
    code: 'ci_token_unavailable',
    hint: `Put the job's OIDC ID token in ${ID_TOKEN_VARIABLE}, or name its variable with --oidc-token-env NAME.`,
  })
}
