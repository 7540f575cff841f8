// Slack through an incoming webhook: it can post to one channel and do nothing else. Tokens (bot, user, app,
// configuration) can read and act across the workspace, and are refused here.
import { z } from 'zod'
import {
  type Finding,
  joinHint,
  judgeShape,
  maskSecret,
  type Provider,
  type ShapeVerdict,
  tokenSchema,
  shownValue,
  valueOf,
} from '../provider.js'

const WEBHOOK_DOCS = 'Slack API docs: Sending messages using incoming webhooks'
const FIX = 'Create an incoming webhook for the channel (a Slack app with only the incoming-webhook feature) and give its URL (https://hooks.slack.com/services/…).'

function token(rule: string, what: string): ShapeVerdict {
  return {
    rule: `slack.${rule}`,
    severity: 'error',
    message: `webhook_url holds ${what}, which can act across the workspace; a webhook URL, which can only post to one channel, belongs here.`,
    fix: FIX,
  }
}

function check(values: Parameters<Provider['check']>[0]): Finding[] {
  const url = valueOf(values, 'webhook_url')?.trim()
  if (url === undefined) return []
  return judgeShape({ provider: 'slack', field: 'webhook_url', expected: 'a Slack incoming-webhook URL' }, url, {
    'slack-webhook-url': 'ok',
    'slack-user-token': token('user-token', "a user token (xoxp-…) that acts as a person, with that person's access"),
    'slack-config-token': token('config-token', 'an app configuration token (xoxe…) that creates and changes apps'),
    'slack-app-token': token('app-token', 'an app-level token (xapp-…)'),
    'slack-bot-token': token('bot-token', 'a bot token (xoxb-…)'),
    'slack-legacy-token': token('legacy-token', 'a legacy token (xoxa-/xoxo-/xoxr-/xoxs-…)'),
  },
  {
    rule: 'slack.not-webhook',
    severity: 'error',
    message: 'webhook_url is not a Slack incoming-webhook URL (https://hooks.slack.com/services/…).',
    fix: FIX,
    source: `gitleaks: slack-webhook-url; ${WEBHOOK_DOCS}`,
  },
).findings
}

export const slack: Provider = {
  id: 'slack',
  kind: 'notification',
  title: 'Slack (incoming webhook)',
  fields: [
    { name: 'webhook_url', secret: true, required: true, description: 'an incoming-webhook URL (https://hooks.slack.com/services/…)', schema: tokenSchema(1024) },
    {
      name: 'channel_hint',
      secret: false,
      required: false,
      description: 'the channel the webhook posts to, for display only',
      schema: z.string().regex(/^#?[a-z0-9][a-z0-9._-]{0,79}$|^[CG][A-Z0-9]{8,}$/, 'must be a channel name (#alerts) or id'),
      example: '#ops-alerts',
    },
  ],
  check,
  hint: (values) => {
    const channel = shownValue(values, 'channel_hint')
    return joinHint(maskSecret(valueOf(values, 'webhook_url')), channel && (channel.startsWith('#') || /^[CG]/.test(channel) ? channel : `#${channel}`))
  },
}
