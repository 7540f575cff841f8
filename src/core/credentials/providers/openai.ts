// OpenAI with an API key. A project service account's key (sk-svcacct-…) is the least-privileged, non-personal
// choice; admin keys (sk-admin-…) manage the organisation and are refused.
import { type Finding, joinHint, judgeShape, maskSecret, type Provider, tokenSchema, valueOf } from '../provider.js'

const FIX = 'Create a service account in a dedicated project (Project settings → Service accounts) and give its key (sk-svcacct-…), with permissions restricted to the endpoints ClowdOps uses.'
const DOCS = 'OpenAI Help Center: Managing projects in the API platform (service accounts)'

function check(values: Parameters<Provider['check']>[0]): Finding[] {
  const key = valueOf(values, 'api_key')?.trim()
  if (key === undefined) return []
  return judgeShape({ provider: 'openai', field: 'api_key', expected: 'an OpenAI API key' }, key, {
    'openai-service-account-key': 'ok',
    'openai-service-account-key-2024': 'ok',
    'openai-admin-key': {
      rule: 'openai.admin-key',
      severity: 'error',
      message: 'api_key is an Admin API key (sk-admin-…): it manages the organisation (users, projects, keys) and is no key for an agent.',
      fix: FIX,
    },
    'openai-project-key': {
      rule: 'openai.user-key',
      severity: 'warning',
      message: "api_key is a project key (sk-proj-…), usually a user's: it stops working when that person leaves the organisation.",
      fix: FIX,
      source: `gitleaks: openai-api-key (sk-proj-); ${DOCS}`,
    },
    'openai-legacy-key': {
      rule: 'openai.legacy-key',
      severity: 'warning',
      message: "api_key is a legacy user key (sk-…): it is not scoped to a project and carries its owner's access to the whole organisation.",
      fix: FIX,
      source: `gitleaks: openai-api-key (legacy sk-…T3BlbkFJ…); ${DOCS}`,
    },
  },
  {
    rule: 'openai.unrecognised-key',
    severity: 'warning',
    message: 'api_key does not look like an OpenAI API key (sk-…), so what it may do cannot be judged offline.',
    fix: FIX,
    source: 'gitleaks: openai-api-key',
  },
).findings
}

export const openai: Provider = {
  id: 'openai',
  kind: 'ai',
  title: 'OpenAI (API key)',
  fields: [{ name: 'api_key', secret: true, required: true, description: "a project service account's API key (sk-svcacct-…)", schema: tokenSchema(512) }],
  check,
  hint: (values) => joinHint(maskSecret(valueOf(values, 'api_key'))),
}
