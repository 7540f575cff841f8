// The shapes of the secrets our providers take, recognised from the value alone: one shared table, used to
// classify a key (admin, user-bound, long-lived, temporary) and to notice a secret pasted into the wrong provider.
//
// Each shape cites where its pattern comes from: the gitleaks rule (github.com/gitleaks/gitleaks,
// cmd/generate/config/rules/*.go) or trufflehog detector that defines it, else the vendor's documentation. We match
// the whole (trimmed) value, anchored, and keep each vendor's prefix exact but its body length loose (at least 20
// characters of the vendor's alphabet): a vendor that lengthens its keys must not slip an admin key past the check,
// and admin and short-lived prefixes match at any length, so a truncated admin key or a long new-format temporary
// token is still refused, never taken for a lesser key. Where the vendor's format is fixed and a reference checks it
// exactly (Anthropic's sk-ant-api03-), we do too, and a value with the prefix but the wrong body is its own shape
// ("malformed"), so a truncated or edited key is refused rather than accepted. `minEntropy` follows gitleaks'
// entropy threshold for the rules that have one: below it the body is a placeholder (github_pat_xxxx…), not a key.
// Order matters: the more specific prefix comes first (sk-ant-admin01- before sk-ant-, sk-admin- before sk-).
//
// Only patterns live here; what a provider makes of a shape (refuse, warn, accept) is in providers/<id>.ts.

export interface KeyShape {
  /** Stable id, referred to by providers' shape rules. */
  id: string
  /** With its article, for messages: 'an OpenAI admin API key'. */
  name: string
  /** The catalog provider this secret belongs to, when one does. */
  provider?: string
  /** The public, fixed prefix, shown in messages and hints (may be ''). */
  prefix: string
  /** A longer public prefix read from the value, for hints (e.g. a Telegram bot's numeric id). */
  hintPrefix?: (value: string) => string
  /** Whole-value test of the trimmed value. */
  test: (value: string) => boolean
  /** Shannon entropy (bits per character) below which the body after the prefix is a placeholder, not a key. */
  minEntropy?: number
  source: string
}

/** Values longer than this are not classified (no key we know is near it; a PEM RSA-16384 key is ~13 KB). */
const MAX_CLASSIFIED = 65_536

const re = (pattern: RegExp) => (value: string) => pattern.test(value)

// GitLab's token prefixes (gitleaks cmd/generate/config/rules/gitlab.go), other than personal/project/group
// access tokens (glpat-): none of them is an API token an agent should hold.
const GITLAB_OTHER_TOKENS: ReadonlyArray<[id: string, prefix: string, name: string, rule: string]> = [
  ['gitlab-deploy-token', 'gldt-', 'a GitLab deploy token', 'gitlab-deploy-token'],
  ['gitlab-cicd-job-token', 'glcbt-', 'a GitLab CI/CD job token', 'gitlab-cicd-job-token'],
  ['gitlab-runner-token', 'glrt-', 'a GitLab runner authentication token', 'gitlab-runner-authentication-token'],
  ['gitlab-runner-registration-token', 'GR1348941', 'a GitLab runner registration token', 'gitlab-rrt'],
  ['gitlab-feed-token', 'glft-', 'a GitLab feed token', 'gitlab-feed-token'],
  ['gitlab-incoming-mail-token', 'glimt-', 'a GitLab incoming mail token', 'gitlab-incoming-mail-token'],
  ['gitlab-agent-token', 'glagent-', 'a GitLab Kubernetes agent token', 'gitlab-kubernetes-agent-token'],
  ['gitlab-scim-token', 'glsoat-', 'a GitLab SCIM token', 'gitlab-scim-token'],
  ['gitlab-oauth-app-secret', 'gloas-', 'a GitLab OAuth application secret', 'gitlab-oauth-app-secret'],
  ['gitlab-trigger-token', 'glptt-', 'a GitLab pipeline trigger token', 'gitlab-ptt'],
  ['gitlab-feature-flag-token', 'glffct-', 'a GitLab feature flag client token', 'gitlab-feature-flag-client-token'],
]

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

export const KEY_SHAPES: readonly KeyShape[] = [
  // --- Anthropic
  {
    id: 'anthropic-admin-key',
    name: 'an Anthropic Admin API key',
    provider: 'anthropic',
    prefix: 'sk-ant-admin01-',
    test: re(/^sk-ant-admin01-[A-Za-z0-9_-]+$/),
    source: 'gitleaks: anthropic-admin-api-key',
  },
  {
    id: 'anthropic-api-key',
    name: 'an Anthropic API key',
    provider: 'anthropic',
    prefix: 'sk-ant-api03-',
    // Fixed format: 93 characters of [A-Za-z0-9_-] and the suffix AA (108 in all).
    test: re(/^sk-ant-api03-[A-Za-z0-9_-]{93}AA$/),
    source: 'gitleaks: anthropic-api-key',
  },
  {
    id: 'anthropic-malformed-api-key',
    name: 'a malformed Anthropic API key (wrong length or ending)',
    provider: 'anthropic',
    prefix: 'sk-ant-api03-',
    test: re(/^sk-ant-api03-/),
    source: 'gitleaks: anthropic-api-key (its false positives: too short, wrong suffix)',
  },
  {
    id: 'anthropic-oauth-token',
    name: 'a Claude Code OAuth token',
    provider: 'anthropic',
    prefix: 'sk-ant-oat01-',
    test: re(/^sk-ant-oat01-[A-Za-z0-9_-]{40,}$/),
    source: 'gitleaks: anthropic-oauth-token',
  },
  {
    id: 'anthropic-other-key',
    name: 'an Anthropic key of an unknown kind',
    provider: 'anthropic',
    prefix: 'sk-ant-',
    test: re(/^sk-ant-[a-z]+[0-9]*-[A-Za-z0-9_-]{20,}$/),
    source: 'gitleaks: anthropic-api-key (sk-ant- prefix)',
  },
  // --- OpenAI (gitleaks: openai-api-key covers sk-proj-, sk-svcacct-, sk-admin- and the legacy sk-…T3BlbkFJ…)
  {
    id: 'openai-admin-key',
    name: 'an OpenAI Admin API key',
    provider: 'openai',
    prefix: 'sk-admin-',
    test: re(/^sk-admin-[A-Za-z0-9_-]+$/),
    source: 'gitleaks: openai-api-key (sk-admin-); OpenAI API reference: Administration, admin API keys',
  },
  {
    id: 'openai-service-account-key',
    name: 'an OpenAI service account key',
    provider: 'openai',
    prefix: 'sk-svcacct-',
    test: re(/^sk-svcacct-[A-Za-z0-9_-]{20,}$/),
    source: 'gitleaks: openai-api-key (sk-svcacct-)',
  },
  {
    id: 'openai-project-key',
    name: 'an OpenAI project API key',
    provider: 'openai',
    prefix: 'sk-proj-',
    test: re(/^sk-proj-[A-Za-z0-9_-]{20,}$/),
    source: 'gitleaks: openai-api-key (sk-proj-)',
  },
  {
    // Service-account keys issued in 2024 before the sk-svcacct- prefix carried the project slot "None".
    id: 'openai-service-account-key-2024',
    name: 'an OpenAI service account key (older format)',
    provider: 'openai',
    prefix: 'sk-None-',
    test: re(/^sk-None-[A-Za-z0-9_-]{20,}$/),
    source: 'gitleaks: openai-api-key (the T3BlbkFJ marker); OpenAI Help Center: Managing projects in the API platform (service accounts)',
  },
  {
    id: 'openai-legacy-key',
    name: 'an OpenAI user API key (legacy, no project)',
    provider: 'openai',
    prefix: 'sk-',
    test: re(/^sk-(?!ant-|admin-|proj-|svcacct-|None-)[A-Za-z0-9_-]{20,}$/),
    source: 'gitleaks: openai-api-key (legacy sk-…T3BlbkFJ…)',
  },
  // --- AWS (gitleaks: aws-access-token; prefixes from the IAM User Guide, "IAM identifiers", unique ID prefixes)
  {
    id: 'aws-long-term-access-key',
    name: 'an AWS long-term access key ID',
    provider: 'aws',
    prefix: 'AKIA',
    test: re(/^AKIA[A-Z2-7]{16}$/),
    source: 'gitleaks: aws-access-token (AKIA); AWS IAM User Guide: IAM identifiers, unique ID prefixes',
  },
  {
    id: 'aws-temporary-access-key',
    name: 'an AWS temporary (STS) access key ID',
    provider: 'aws',
    prefix: 'ASIA',
    test: re(/^ASIA[A-Z2-7]{16}$/),
    source: 'gitleaks: aws-access-token (ASIA); AWS IAM User Guide: IAM identifiers, unique ID prefixes',
  },
  {
    id: 'aws-other-access-key',
    name: 'an AWS key ID that is not an IAM access key (ABIA/ACCA)',
    provider: 'aws',
    prefix: '',
    test: re(/^(?:ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}$/),
    source: 'gitleaks: aws-access-token (ABIA, ACCA, A3T); AWS IAM User Guide: IAM identifiers, unique ID prefixes',
  },
  {
    id: 'bedrock-long-term-api-key',
    name: 'an Amazon Bedrock long-term API key',
    provider: 'bedrock',
    prefix: 'ABSK',
    test: re(/^ABSK[A-Za-z0-9+/]{109,269}={0,2}$/),
    source: 'gitleaks: aws-amazon-bedrock-api-key-long-lived; Amazon Bedrock User Guide: API keys',
  },
  {
    id: 'bedrock-short-term-api-key',
    name: 'an Amazon Bedrock short-term API key',
    provider: 'bedrock',
    prefix: 'bedrock-api-key-',
    test: re(/^bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=%_.-]*$/),
    source: 'gitleaks: aws-amazon-bedrock-api-key-short-lived; Amazon Bedrock User Guide: API keys',
  },
  // --- Google
  {
    id: 'google-api-key',
    name: 'a Google API key',
    provider: 'gemini',
    prefix: 'AIza',
    test: re(/^AIza[\w-]{35}$/),
    source: 'gitleaks: gcp-api-key',
  },
  {
    id: 'gcp-service-account-json',
    name: 'a Google Cloud service-account JSON key',
    provider: 'gcp',
    prefix: '',
    test: (value) => value.startsWith('{') && /"type"\s*:\s*"service_account"/.test(value),
    source: 'gitleaks: gcp-service-account',
  },
  // --- GitHub (gitleaks cmd/generate/config/rules/github.go)
  {
    id: 'github-fine-grained-pat',
    name: 'a GitHub fine-grained personal access token',
    provider: 'github',
    prefix: 'github_pat_',
    test: re(/^github_pat_\w{20,}$/),
    minEntropy: 3,
    source: 'gitleaks: github-fine-grained-pat',
  },
  {
    id: 'github-classic-pat',
    name: 'a GitHub personal access token (classic)',
    provider: 'github',
    prefix: 'ghp_',
    test: re(/^ghp_[0-9A-Za-z]{20,}$/),
    minEntropy: 3,
    source: 'gitleaks: github-pat',
  },
  {
    id: 'github-oauth-token',
    name: 'a GitHub OAuth access token',
    provider: 'github',
    prefix: 'gho_',
    test: re(/^gho_[0-9A-Za-z]{20,}$/),
    minEntropy: 3,
    source: 'gitleaks: github-oauth',
  },
  {
    id: 'github-app-user-token',
    name: 'a GitHub App user access token',
    provider: 'github',
    prefix: 'ghu_',
    // Short-lived: any length and GitHub's token alphabet, so a future longer format is still refused.
    test: re(/^ghu_[A-Za-z0-9._-]+$/),
    source: 'gitleaks: github-app-token (ghu_)',
  },
  {
    id: 'github-app-installation-token',
    name: 'a GitHub App installation access token',
    provider: 'github',
    prefix: 'ghs_',
    // Two formats: ghs_ + 36 characters, and since 2026 ghs_<app id>_<JWT> (~520 characters, '.' and '_' inside).
    // Both expire after an hour; matched at any length so no format of it can be registered.
    test: re(/^ghs_[A-Za-z0-9._-]+$/),
    source:
      'gitleaks: github-app-token (ghs_); GitHub Changelog 2026-04-24: Notice about upcoming new format for GitHub App installation tokens (ghs_APPID_JWT)',
  },
  {
    id: 'github-refresh-token',
    name: 'a GitHub refresh token',
    provider: 'github',
    prefix: 'ghr_',
    test: re(/^ghr_[A-Za-z0-9._-]+$/),
    source: 'gitleaks: github-refresh-token',
  },
  // --- GitLab
  {
    id: 'gitlab-access-token',
    name: 'a GitLab personal, project or group access token',
    provider: 'gitlab',
    prefix: 'glpat-',
    test: re(/^glpat-[\w.-]{20,}$/),
    minEntropy: 3,
    source: 'gitleaks: gitlab-pat, gitlab-pat-routable',
  },
  {
    id: 'gitlab-session-cookie',
    name: 'a GitLab browser session cookie',
    provider: 'gitlab',
    prefix: '_gitlab_session=',
    test: re(/^_gitlab_session=[\x21-\x7e]{20,}$/),
    source: 'gitleaks: gitlab-session-cookie',
  },
  ...GITLAB_OTHER_TOKENS.map(
    ([id, prefix, name, rule]): KeyShape => ({
      id,
      name,
      provider: 'gitlab',
      prefix,
      test: re(new RegExp(`^${escapeRegExp(prefix)}[\\w.-]{20,}$`)),
      source: `gitleaks: ${rule}`,
    }),
  ),
  // --- Microsoft
  {
    id: 'azure-client-secret',
    name: 'a Microsoft Entra client secret',
    provider: 'azure',
    prefix: '',
    test: re(/^[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}$/),
    source: 'gitleaks: azure-ad-client-secret',
  },
  {
    id: 'azure-devops-pat',
    name: 'an Azure DevOps personal access token',
    provider: 'azure-devops',
    prefix: '',
    test: re(/^[A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4}$/),
    source: 'Microsoft Purview sensitive information type: Azure DevOps personal access token (84 characters, AZDO at 77–80)',
  },
  {
    id: 'teams-connector-webhook',
    name: 'a Microsoft Teams Office 365 connector webhook URL',
    provider: 'teams',
    prefix: 'https://',
    hintPrefix: (value) => /^https:\/\/[^/]+\//.exec(value)?.[0] ?? 'https://',
    test: re(/^https:\/\/(?:[a-z0-9-]+\.webhook\.office\.com\/webhookb2|outlook\.office(?:365)?\.com\/webhook)\/[\x21-\x7e]{20,}$/),
    source: 'gitleaks: microsoft-teams-webhook',
  },
  {
    id: 'teams-workflow-webhook',
    name: 'a Microsoft Teams Workflows webhook URL',
    provider: 'teams',
    prefix: 'https://',
    hintPrefix: (value) => /^https:\/\/[^/]+\//.exec(value)?.[0] ?? 'https://',
    test: re(
      /^https:\/\/(?:[a-z0-9-]+\.[a-z0-9-]+\.logic\.azure\.com(?::443)?\/workflows\/|[a-z0-9.-]+\.api\.powerplatform\.com(?::443)?\/powerautomate\/)[\x21-\x7e]{20,}$/,
    ),
    source: 'Microsoft Learn: Create incoming webhooks with Workflows for Microsoft Teams',
  },
  // --- Slack (gitleaks cmd/generate/config/rules/slack.go)
  {
    id: 'slack-webhook-url',
    name: 'a Slack incoming-webhook URL',
    provider: 'slack',
    prefix: 'https://hooks.slack.com/',
    test: re(/^https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/_-]{20,}$/),
    source: 'gitleaks: slack-webhook-url',
  },
  {
    id: 'slack-bot-token',
    name: 'a Slack bot token',
    provider: 'slack',
    prefix: 'xoxb-',
    test: re(/^xoxb-[0-9A-Za-z-]{10,}$/),
    source: 'gitleaks: slack-bot-token, slack-legacy-bot-token',
  },
  {
    id: 'slack-user-token',
    name: 'a Slack user token',
    provider: 'slack',
    prefix: 'xoxp-',
    test: re(/^xoxp-[0-9A-Za-z-]{10,}$/),
    source: 'gitleaks: slack-user-token',
  },
  {
    id: 'slack-config-token',
    name: 'a Slack configuration token',
    provider: 'slack',
    prefix: 'xoxe',
    test: re(/^xoxe(?:\.xox[bp])?-[0-9A-Za-z-]{10,}$/),
    source: 'gitleaks: slack-config-access-token, slack-config-refresh-token',
  },
  {
    id: 'slack-app-token',
    name: 'a Slack app-level token',
    provider: 'slack',
    prefix: 'xapp-',
    test: re(/^xapp-[0-9A-Za-z-]{10,}$/),
    source: 'gitleaks: slack-app-token',
  },
  {
    id: 'slack-legacy-token',
    name: 'a Slack legacy token',
    provider: 'slack',
    prefix: 'xox',
    test: re(/^xox[aors]-[0-9A-Za-z-]{8,}$/),
    source: 'gitleaks: slack-legacy-workspace-token, slack-legacy-token',
  },
  // --- PagerDuty
  {
    id: 'pagerduty-rest-api-key',
    name: 'a PagerDuty REST API key',
    provider: 'pagerduty',
    prefix: 'u+',
    // A user API key: u+ and 18 characters (20 in all).
    test: re(/^u\+[A-Za-z0-9_+-]{18}$/),
    source: 'trufflehog: pkg/detectors/pagerdutyapikey (u+ and 18 characters)',
  },
  // --- Telegram
  {
    id: 'telegram-bot-token',
    name: 'a Telegram bot token',
    provider: 'telegram',
    prefix: '',
    hintPrefix: (value) => /^\d+:/.exec(value)?.[0] ?? '',
    test: re(/^\d{5,16}:A[A-Za-z0-9_-]{34}$/),
    source: 'gitleaks: telegram-bot-api-token',
  },
  // --- Private and public keys
  {
    id: 'private-key',
    name: 'a PEM private key',
    prefix: '',
    test: re(/^-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/),
    source: 'gitleaks: private-key',
  },
  {
    id: 'putty-private-key',
    name: 'a PuTTY private key (.ppk)',
    prefix: 'PuTTY-User-Key-File-',
    test: re(/^PuTTY-User-Key-File-\d+: /),
    source: 'PuTTY User Manual, appendix C: PPK file format',
  },
  {
    id: 'ssh-public-key',
    name: 'an SSH public key',
    prefix: '',
    test: re(/^(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp\d+|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) AAAA/),
    source: 'RFC 4253 §6.6 and OpenSSH sshd(8) AUTHORIZED_KEYS FILE FORMAT',
  },
]

/** The shape of a secret value, or undefined when it is not one we know. Never throws. */
export function classifyKey(value: string): KeyShape | undefined {
  if (typeof value !== 'string' || value.length > MAX_CLASSIFIED) return undefined
  const trimmed = value.trim()
  if (trimmed === '') return undefined
  return KEY_SHAPES.find((shape) => shape.test(trimmed))
}

/** Shannon entropy of a string, in bits per character (0 for ''). */
export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>()
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1)
  let bits = 0
  for (const count of counts.values()) {
    const p = count / text.length
    bits -= p * Math.log2(p)
  }
  return bits
}

/** True when a value of this shape is a placeholder: its body after the prefix is below the shape's entropy floor. */
export function isPlaceholder(shape: KeyShape, value: string): boolean {
  if (shape.minEntropy === undefined) return false
  const trimmed = value.trim()
  return shannonEntropy(trimmed.startsWith(shape.prefix) ? trimmed.slice(shape.prefix.length) : trimmed) < shape.minEntropy
}

export function findShape(id: string): KeyShape | undefined {
  return KEY_SHAPES.find((shape) => shape.id === id)
}

/** For messages: 'an OpenAI Admin API key (sk-admin-…)'. Uses only the static prefix, never the value. */
export function describeShape(shape: KeyShape): string {
  return shape.prefix ? `${shape.name} (${shape.prefix}…)` : shape.name
}

/** For hints: the public part at the start of a value of this shape. */
export function publicPrefix(shape: KeyShape, value: string): string {
  const prefix = shape.hintPrefix ? shape.hintPrefix(value) : shape.prefix
  return value.startsWith(prefix) ? prefix : ''
}
