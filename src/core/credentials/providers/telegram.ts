// Telegram through a bot that posts to one chat (and optionally one forum topic).
import { z } from 'zod'
import { type Finding, joinHint, judgeShape, maskSecret, type Provider, tokenSchema, shownValue, valueOf } from '../provider.js'

const BOT_API = 'Telegram Bot API: sendMessage (chat_id, message_thread_id)'

function check(values: Parameters<Provider['check']>[0]): Finding[] {
  const findings: Finding[] = []
  const token = valueOf(values, 'bot_token')?.trim()
  if (token !== undefined) {
    const judged = judgeShape({ provider: 'telegram', field: 'bot_token', expected: 'a Telegram bot token' }, token, {
      'telegram-bot-token': 'ok',
    })
    findings.push(...judged.findings)
    if (!judged.shape) {
      findings.push({
        rule: 'telegram.not-bot-token',
        severity: 'error',
        field: 'bot_token',
        message: 'bot_token is not a Telegram bot token (BOT_ID:SECRET, as @BotFather gives it).',
        fix: 'Create a bot with @BotFather (/newbot) and give the token it prints.',
        source: 'gitleaks: telegram-bot-api-token; Telegram Bot API: Authorizing your bot',
      })
    }
  }
  const chat = valueOf(values, 'chat_id')
  if (valueOf(values, 'thread_id') !== undefined && chat !== undefined && !chat.startsWith('-100')) {
    findings.push({
      rule: 'telegram.thread-needs-forum',
      severity: 'warning',
      field: 'thread_id',
      message: 'thread_id is set but chat_id is not a supergroup (-100…): topics exist only in forum supergroups, so messages may fail.',
      fix: 'Give the forum supergroup\'s chat id (-100…), or leave thread_id out.',
      source: BOT_API,
    })
  }
  return findings
}

export const telegram: Provider = {
  id: 'telegram',
  kind: 'notification',
  title: 'Telegram (bot)',
  fields: [
    { name: 'bot_token', secret: true, required: true, description: 'the bot token from @BotFather', schema: tokenSchema(256) },
    {
      name: 'chat_id',
      secret: false,
      required: true,
      description: 'the chat the bot posts to: a numeric id or @channelusername',
      schema: z.string().regex(/^-?\d{1,20}$|^@[A-Za-z][A-Za-z0-9_]{4,31}$/, 'must be a numeric chat id or @channelusername'),
      example: '-1001234567890',
    },
    {
      name: 'thread_id',
      secret: false,
      required: false,
      description: 'the forum topic (message_thread_id) to post in',
      schema: z.string().regex(/^\d{1,12}$/, 'must be a numeric topic id'),
      example: '42',
    },
  ],
  check,
  hint: (values) => {
    const thread = shownValue(values, 'thread_id')
    const chat = shownValue(values, 'chat_id')
    return joinHint(`bot ${maskSecret(valueOf(values, 'bot_token'))}`, chat && `chat ${chat}${thread ? ` topic ${thread}` : ''}`)
  },
}
