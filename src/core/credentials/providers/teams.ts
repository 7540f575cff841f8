// Microsoft Teams through a Workflows (Power Automate) webhook that posts to one channel. Office 365 connector
// webhooks (…webhook.office.com) still work for now but are being retired by Microsoft.
import { type Finding, joinHint, judgeShape, maskSecret, type Provider, tokenSchema, valueOf } from '../provider.js'

const FIX = 'In the channel, add the Workflows template "Post to a channel when a webhook request is received" and give its URL.'

function check(values: Parameters<Provider['check']>[0]): Finding[] {
  const url = valueOf(values, 'webhook_url')?.trim()
  if (url === undefined) return []
  return judgeShape({ provider: 'teams', field: 'webhook_url', expected: 'a Microsoft Teams webhook URL' }, url, {
    'teams-workflow-webhook': 'ok',
    'teams-connector-webhook': {
      rule: 'teams.connector-retiring',
      severity: 'warning',
      message: 'webhook_url is an Office 365 connector webhook, which Microsoft is retiring; alerts will stop when it is switched off.',
      fix: FIX,
      source: 'gitleaks: microsoft-teams-webhook; Microsoft 365 Developer Blog: Retirement of Office 365 connectors within Microsoft Teams',
    },
  },
  {
    rule: 'teams.not-webhook',
    severity: 'error',
    message: 'webhook_url is not a Teams Workflows webhook URL (https://…logic.azure.com/workflows/… or …api.powerplatform.com/powerautomate/…).',
    fix: FIX,
    source: 'Microsoft Learn: Create incoming webhooks with Workflows for Microsoft Teams',
  },
).findings
}

export const teams: Provider = {
  id: 'teams',
  kind: 'notification',
  title: 'Microsoft Teams (Workflows webhook)',
  fields: [{ name: 'webhook_url', secret: true, required: true, description: 'a Workflows webhook URL that posts to one channel', schema: tokenSchema(2048) }],
  check,
  hint: (values) => joinHint(maskSecret(valueOf(values, 'webhook_url'))),
}
