// Google Gemini (Generative Language API) with an API key. Every Google API key has the same shape (AIza…), so a
// Gemini key cannot be told offline from a Maps or Firebase key, nor its restrictions seen: always a warning.
import { type Finding, joinHint, judgeShape, maskSecret, type Provider, tokenSchema, valueOf } from '../provider.js'

const FIX = 'Use a key from a dedicated project, restricted to the Generative Language API (API restrictions).'

function check(values: Parameters<Provider['check']>[0]): Finding[] {
  const key = valueOf(values, 'api_key')?.trim()
  if (key === undefined) return []
  return judgeShape({ provider: 'gemini', field: 'api_key', expected: 'a Gemini API key' }, key, {
    'google-api-key': {
      rule: 'gemini.google-api-key',
      severity: 'warning',
      message: 'api_key is a Google API key (AIza…): offline it cannot be told from a Maps or Firebase key, nor can its API restrictions be seen.',
      fix: FIX,
      source: 'gitleaks: gcp-api-key; Google Cloud: Manage API keys, Add API restrictions',
    },
  },
  {
    rule: 'gemini.unrecognised-key',
    severity: 'warning',
    message: 'api_key does not look like a Google API key (AIza…), so what it may do cannot be judged offline.',
    fix: FIX,
    source: 'gitleaks: gcp-api-key',
  },
).findings
}

export const gemini: Provider = {
  id: 'gemini',
  kind: 'ai',
  title: 'Google Gemini (API key)',
  fields: [{ name: 'api_key', secret: true, required: true, description: 'a Gemini API key restricted to the Generative Language API', schema: tokenSchema(512) }],
  check,
  hint: (values) => joinHint(maskSecret(valueOf(values, 'api_key'))),
}
