// GitHub with a fine-grained personal access token: limited to chosen repositories and permissions, with an expiry.
import { type Finding, joinHint, judgeShape, maskSecret, type Provider, tokenSchema, valueOf } from '../provider.js'

const TOKEN_DOCS = 'GitHub Docs: Managing your personal access tokens'
const FIX = 'Create a fine-grained token (github_pat_…) limited to the repositories ClowdOps needs, with read-only permissions and an expiry.'

function unsupported(kind: string, why: string) {
  return {
    rule: 'github.unsupported-token',
    severity: 'error' as const,
    message: `token is ${kind}: ${why}`,
    fix: FIX,
  }
}

function check(values: Parameters<Provider['check']>[0]): Finding[] {
  const token = valueOf(values, 'token')?.trim()
  if (token === undefined) return []
  return judgeShape({ provider: 'github', field: 'token', expected: 'a GitHub fine-grained personal access token' }, token, {
    'github-fine-grained-pat': 'ok',
    // Refused, not warned: a classic token's scopes reach every repository its owner can, and cannot be narrowed
    // to some repositories or to read-only contents; GitHub itself recommends fine-grained tokens instead.
    'github-classic-pat': {
      rule: 'github.classic-token',
      severity: 'error',
      message:
        "token is a personal access token (classic, ghp_…): its scopes apply to every repository its owner can reach and cannot be limited to read-only access on chosen repositories.",
      fix: FIX,
      source: `gitleaks: github-pat; ${TOKEN_DOCS} (GitHub recommends fine-grained tokens over classic ones)`,
    },
    'github-oauth-token': unsupported('an OAuth app access token (gho_…)', "it acts for a user through someone else's OAuth app."),
    'github-app-user-token': unsupported('a GitHub App user access token (ghu_…)', 'it expires after 8 hours and acts for a user.'),
    'github-app-installation-token': unsupported('a GitHub App installation token (ghs_…)', 'it expires after one hour.'),
    'github-refresh-token': unsupported('a refresh token (ghr_…)', 'it is not an access token.'),
  },
  {
    rule: 'github.unrecognised-token',
    severity: 'warning',
    message: 'token does not look like a GitHub fine-grained token (github_pat_…), so its privileges cannot be judged offline.',
    fix: FIX,
    source: `gitleaks: github-fine-grained-pat; ${TOKEN_DOCS}`,
  },
).findings
}

// The token field takes the default length limit, not a tight one: GitHub's 2026 installation tokens are ~520
// characters and must reach the shape check, to be refused as the one-hour tokens they are.
export const github: Provider = {
  id: 'github',
  kind: 'cloud',
  title: 'GitHub (fine-grained token)',
  fields: [{ name: 'token', secret: true, required: true, description: 'a fine-grained personal access token (github_pat_…)', schema: tokenSchema() }],
  check,
  hint: (values) => joinHint(maskSecret(valueOf(values, 'token'))),
}
