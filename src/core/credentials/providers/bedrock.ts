// Amazon Bedrock, authenticated one way out of three — an IAM role the platform assumes (recommended), an access
// key pair, or a Bedrock API key — and limited to an explicit list of model ids.
import { z } from 'zod'
import {
  type Finding,
  joinHint,
  judgeShape,
  maskSecret,
  type Provider,
  tokenSchema,
  shownValue,
  valueOf,
} from '../provider.js'
import { awsKeyFields, awsRegionSchema, checkAwsKeyPair, checkRoleArn, roleArnSchema } from './aws.js'

const API_KEYS = 'Amazon Bedrock User Guide: Use an Amazon Bedrock API key'

/** The model ids, from the comma-separated field. */
export function modelIds(text: string | undefined): string[] {
  return (text ?? '').split(',').map((id) => id.trim()).filter((id) => id !== '')
}

function check(values: Parameters<Provider['check']>[0]): Finding[] {
  const findings: Finding[] = []
  const hasKeyId = valueOf(values, 'access_key_id') !== undefined
  const hasSecret = valueOf(values, 'secret_access_key') !== undefined
  const roleArn = valueOf(values, 'role_arn')
  const apiKey = valueOf(values, 'api_key')?.trim()
  const methods = [hasKeyId || hasSecret ? 'an access key' : '', roleArn ? 'role_arn' : '', apiKey ? 'api_key' : ''].filter(Boolean)
  const authMethod = (message: string): Finding => ({
    rule: 'bedrock.auth-method',
    severity: 'error',
    message,
    fix: 'Give exactly one of: role_arn (recommended), access_key_id with secret_access_key, or api_key.',
    source: 'Amazon Bedrock User Guide: Identity and access management for Amazon Bedrock',
  })
  if (methods.length === 0) findings.push(authMethod('No credential given: bedrock needs role_arn, an access key pair, or api_key.'))
  if (methods.length > 1) findings.push(authMethod(`Several credentials given (${methods.join(', ')}); give exactly one.`))
  if (hasKeyId !== hasSecret) findings.push(authMethod('An access key needs both access_key_id and secret_access_key.'))

  findings.push(...checkAwsKeyPair('bedrock', values), ...checkRoleArn('bedrock', roleArn))
  if (apiKey !== undefined) {
    const judged = judgeShape({ provider: 'bedrock', field: 'api_key', expected: 'an Amazon Bedrock API key' }, apiKey, {
      'bedrock-long-term-api-key': {
        rule: 'bedrock.long-term-api-key',
        severity: 'warning',
        message: 'api_key is a long-term Bedrock API key (ABSK…): it belongs to an IAM user and lasts until it expires or is deleted.',
        fix: 'Prefer role_arn; if you keep the key, give it a short expiry.',
        source: `gitleaks: aws-amazon-bedrock-api-key-long-lived; ${API_KEYS}`,
      },
      'bedrock-short-term-api-key': {
        rule: 'bedrock.short-term-api-key',
        severity: 'warning',
        message: 'api_key is a short-term Bedrock API key: it stops working within 12 hours.',
        fix: 'For a lasting credential give role_arn instead.',
        source: `gitleaks: aws-amazon-bedrock-api-key-short-lived; ${API_KEYS}`,
      },
    })
    findings.push(...judged.findings)
    if (!judged.shape) {
      findings.push({
        rule: 'bedrock.invalid-api-key',
        severity: 'error',
        field: 'api_key',
        message: 'api_key is not an Amazon Bedrock API key (ABSK… or bedrock-api-key-…).',
        fix: 'Give a Bedrock API key, or role_arn instead.',
        source: API_KEYS,
      })
    }
  }
  const models = modelIds(valueOf(values, 'allowed_model_ids'))
  if (models.some((id) => id.includes('*'))) {
    findings.push({
      rule: 'bedrock.all-models',
      severity: 'error',
      field: 'allowed_model_ids',
      message: 'allowed_model_ids uses a wildcard: the agent could invoke any model, including the most expensive.',
      fix: 'List the model or inference-profile ids ClowdOps may invoke (e.g. anthropic.claude-sonnet-4-20250514-v1:0).',
      source: 'Amazon Bedrock User Guide: Identity-based policy examples (allow bedrock:InvokeModel on specific model ARNs)',
    })
  }
  return findings
}

export const bedrock: Provider = {
  id: 'bedrock',
  kind: 'ai',
  title: 'Amazon Bedrock',
  fields: [
    {
      name: 'role_arn',
      secret: false,
      required: false,
      description: 'the ARN of a role ClowdOps assumes (recommended; the platform issues the external ID)',
      schema: roleArnSchema,
      example: 'arn:aws:iam::123456789012:role/ClowdOpsBedrock',
    },
    ...awsKeyFields(false),
    { name: 'api_key', secret: true, required: false, description: 'an Amazon Bedrock API key (ABSK…)', schema: tokenSchema(4096) },
    { name: 'region', secret: false, required: true, description: 'the AWS region where the models are invoked', schema: awsRegionSchema, example: 'us-east-1' },
    {
      name: 'allowed_model_ids',
      secret: false,
      required: true,
      description: 'the model or inference-profile ids ClowdOps may invoke, comma-separated',
      schema: z
        .string()
        .max(4096, 'is longer than 4096 characters')
        .refine((text) => modelIds(text).length > 0, 'must list at least one model id')
        .refine((text) => modelIds(text).every((id) => /^[A-Za-z0-9*][A-Za-z0-9._:/*-]{0,2047}$/.test(id)), 'must be model ids separated by commas'),
      example: 'anthropic.claude-sonnet-4-20250514-v1:0,amazon.titan-embed-text-v2:0',
    },
  ],
  check,
  hint: (values) => {
    const roleArn = shownValue(values, 'role_arn')
    const apiKey = valueOf(values, 'api_key')
    const who = roleArn ?? (apiKey !== undefined ? maskSecret(apiKey) : maskSecret(valueOf(values, 'access_key_id')))
    const count = modelIds(shownValue(values, 'allowed_model_ids')).length
    return joinHint(who, shownValue(values, 'region'), `${count} model${count === 1 ? '' : 's'}`)
  },
}
