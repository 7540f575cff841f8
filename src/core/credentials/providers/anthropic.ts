// Anthropic with an API key (sk-ant-api03-…), ideally from a workspace dedicated to ClowdOps. Admin keys and
// Claude subscription (OAuth) tokens are refused.
import { type Finding, joinHint, judgeShape, maskSecret, type Provider, tokenSchema, valueOf } from '../provider.js'

const FIX = 'Create an API key in a workspace dedicated to ClowdOps (Console → Settings → API keys) with a spend limit, and give it (sk-ant-api03-…).'

function check(values: Parameters<Provider['check']>[0]): Finding[] {
  const key = valueOf(values, 'api_key')?.trim()
  if (key === undefined) return []
  return judgeShape({ provider: 'anthropic', field: 'api_key', expected: 'an Anthropic API key' }, key, {
    'anthropic-api-key': 'ok',
    'anthropic-admin-key': {
      rule: 'anthropic.admin-key',
      severity: 'error',
      message: 'api_key is an Admin API key (sk-ant-admin01-…): it manages the organisation (members, workspaces, keys) and is no key for an agent.',
      fix: FIX,
      source: 'gitleaks: anthropic-admin-api-key; Anthropic API docs: Admin API',
    },
    'anthropic-malformed-api-key': {
      rule: 'anthropic.malformed-key',
      severity: 'error',
      message: 'api_key starts like an API key (sk-ant-api03-…) but its length or ending is wrong: Anthropic API keys are 108 characters ending in AA, so this one is truncated, edited or a placeholder.',
      fix: 'Copy the whole key again from Console → Settings → API keys (it is shown once; create a new one if it is lost).',
    },
    'anthropic-oauth-token': {
      rule: 'anthropic.oauth-token',
      severity: 'error',
      message: "api_key is a Claude subscription OAuth token (sk-ant-oat01-…): it is bound to a person's Claude account, not an API key.",
      fix: FIX,
    },
    'anthropic-other-key': {
      rule: 'anthropic.unrecognised-key',
      severity: 'warning',
      message: 'api_key is an Anthropic key of a kind we do not know, so what it may do cannot be judged offline.',
      fix: FIX,
    },
  },
  {
    rule: 'anthropic.unrecognised-key',
    severity: 'warning',
    message: 'api_key does not look like an Anthropic API key (sk-ant-api03-…), so what it may do cannot be judged offline.',
    fix: FIX,
    source: 'gitleaks: anthropic-api-key',
  },
).findings
}

export const anthropic: Provider = {
  id: 'anthropic',
  kind: 'ai',
  title: 'Anthropic (API key)',
  fields: [{ name: 'api_key', secret: true, required: true, description: 'an API key (sk-ant-api03-…) from a dedicated workspace', schema: tokenSchema(512) }],
  check,
  hint: (values) => joinHint(maskSecret(valueOf(values, 'api_key'))),
}
