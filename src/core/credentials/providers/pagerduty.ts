// PagerDuty through an Events API v2 integration's routing key: it can open and resolve incidents on one service
// and nothing else. A REST API key (account- or user-wide) is refused.
import { type Finding, joinHint, judgeShape, maskSecret, type Provider, tokenSchema, valueOf } from '../provider.js'

const EVENTS_DOCS = 'PagerDuty Developer Docs: Events API v2 Overview (routing_key, the 32-character integration key)'
const FIX = 'Add an "Events API v2" integration to the service ClowdOps should page and give its Integration Key.'
const ROUTING_KEY = /^[A-Za-z0-9]{32}$/
// REST API keys are 20 characters (account keys) — user keys start u+.
const REST_KEY = /^[A-Za-z0-9_+-]{20}$/

function check(values: Parameters<Provider['check']>[0]): Finding[] {
  const key = valueOf(values, 'routing_key')?.trim()
  if (key === undefined) return []
  const restKey = {
    rule: 'pagerduty.rest-api-key',
    severity: 'error' as const,
    message: 'routing_key is a REST API key (20 characters): it can read and change the whole account, not just send events to one service.',
    fix: FIX,
    source: `trufflehog: pkg/detectors/pagerdutyapikey (user keys u+…); PagerDuty Knowledge Base: API Access Keys; ${EVENTS_DOCS}`,
  }
  const judged = judgeShape({ provider: 'pagerduty', field: 'routing_key', expected: 'a PagerDuty Events API v2 routing key' }, key, {
    'pagerduty-rest-api-key': restKey,
  })
  if (judged.shape) return judged.findings
  if (ROUTING_KEY.test(key)) return []
  if (REST_KEY.test(key)) return [{ ...restKey, field: 'routing_key' }]
  return [
    {
      rule: 'pagerduty.not-routing-key',
      severity: 'error',
      field: 'routing_key',
      message: 'routing_key is not an Events API v2 routing key (32 letters and digits).',
      fix: FIX,
      source: EVENTS_DOCS,
    },
  ]
}

export const pagerduty: Provider = {
  id: 'pagerduty',
  kind: 'notification',
  title: 'PagerDuty (Events API v2)',
  fields: [{ name: 'routing_key', secret: true, required: true, description: "an Events API v2 integration's routing key (32 characters)", schema: tokenSchema(256) }],
  check,
  hint: (values) => joinHint(maskSecret(valueOf(values, 'routing_key'))),
}
