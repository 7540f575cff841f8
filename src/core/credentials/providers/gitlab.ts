// GitLab (gitlab.com or self-managed) with an access token: a project or group access token (a bot user) with
// read_api is the least-privileged choice; a personal access token has the same prefix and cannot be told apart.
import {
  type Finding,
  httpUrlSchema,
  insecureUrlFindings,
  joinHint,
  judgeShape,
  maskSecret,
  parseHttpUrl,
  type Provider,
  type ShapeVerdict,
  tokenSchema,
  shownValue,
  valueOf,
} from '../provider.js'
import { KEY_SHAPES } from '../key-shapes.js'

const FIX = 'Create a project or group access token with the read_api scope and an expiry.'

// Every GitLab token that is not an access token (deploy, job, runner, feed, trigger… tokens) is refused.
const OTHER_TOKENS: Record<string, ShapeVerdict> = Object.fromEntries(
  KEY_SHAPES.filter((shape) => shape.provider === 'gitlab' && shape.id !== 'gitlab-access-token').map((shape) => [
    shape.id,
    {
      rule: 'gitlab.unsupported-token',
      severity: 'error',
      message: `token is ${shape.name} (${shape.prefix}…), not an API access token.`,
      fix: FIX,
    },
  ]),
)

function check(values: Parameters<Provider['check']>[0]): Finding[] {
  const findings: Finding[] = insecureUrlFindings(values, {
    provider: 'gitlab',
    field: 'host_url',
    fallback: 'https://gitlab.com',
    fix: 'Give the https:// URL of the GitLab instance.',
    source: 'GitLab Docs: Configure HTTPS; RFC 6750 §5.3 (bearer tokens over TLS only)',
  })
  const token = valueOf(values, 'token')?.trim()
  if (token === undefined) return findings
  const judged = judgeShape(
    { provider: 'gitlab', field: 'token', expected: 'a GitLab access token (glpat-…)' },
    token,
    {
      'gitlab-access-token': 'ok',
      ...OTHER_TOKENS,
      'gitlab-session-cookie': {
        rule: 'gitlab.session-cookie',
        severity: 'error',
        message: "token is a browser session cookie (_gitlab_session=…): it acts as the signed-in person with all their rights, and is no API token.",
        fix: FIX,
      },
    },
    {
      rule: 'gitlab.unrecognised-token',
      severity: 'warning',
      message: 'token does not look like a GitLab access token (glpat-…), so its privileges cannot be judged offline.',
      fix: FIX,
      source: 'gitleaks: gitlab-pat; GitLab Docs: Token overview (token prefixes)',
    },
  )
  return [...findings, ...judged.findings]
}

export const gitlab: Provider = {
  id: 'gitlab',
  kind: 'cloud',
  title: 'GitLab (access token)',
  fields: [
    { name: 'token', secret: true, required: true, description: 'a project, group or personal access token (glpat-…)', schema: tokenSchema(512) },
    { name: 'host_url', secret: false, required: false, description: 'the GitLab instance URL (default https://gitlab.com)', schema: httpUrlSchema, example: 'https://gitlab.example.com' },
  ],
  check,
  hint: (values) => joinHint(maskSecret(valueOf(values, 'token')), parseHttpUrl(shownValue(values, 'host_url') ?? 'https://gitlab.com')?.host),
}
