// The organisation's CI trust rules as the platform publishes them: which CI jobs' OIDC ID tokens its token exchange
// accepts. The platform enforces these rules; `auth ci-check` reads them to say which claim of a token does not match.
import { z } from 'zod'

export const CiTrustRule = z
  .object({
    name: z.string().describe('Names the rule in messages, e.g. `deploy-main`.'),
    issuer: z.string().describe('The `iss` the ID token must carry, e.g. https://token.actions.githubusercontent.com.'),
    audience: z.string().describe('A value the token’s `aud` must contain, e.g. `clowdops`.'),
    subject: z
      .string()
      .describe(
        'The `sub` the token must carry, `*` matching any run of characters. A GitHub subject written with names ' +
          '(`repo:OWNER/REPO:…`) also matches the immutable form (`repo:OWNER@OWNER_ID/REPO@REPO_ID:…`) when the ' +
          'token’s repository, repository_id and repository_owner_id claims agree with it, and the other way round.',
      ),
    repository: z.string().optional().describe('The `repository` claim (`OWNER/REPO`), exactly, when set.'),
    ref: z.string().optional().describe('The `ref` claim (e.g. `refs/heads/main`), `*` matching any run of characters, when set.'),
    environment: z.string().optional().describe('The `environment` claim (the job’s deployment environment), exactly, when set.'),
    scopes: z.array(z.string()).describe('Scopes the exchanged access token gets; a request may ask for fewer.'),
  })
  .meta({ id: 'CiTrustRule' })
export type CiTrustRule = z.infer<typeof CiTrustRule>

export const CiTrust = z
  .object({ rules: z.array(CiTrustRule).describe('Every rule; a token passes when it matches one of them.') })
  .meta({ id: 'CiTrust' })
export type CiTrust = z.infer<typeof CiTrust>
