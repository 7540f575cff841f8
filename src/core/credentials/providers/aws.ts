// AWS with an IAM access key pair. Works, but the key is long-lived and usually belongs to a user: aws-role (a role
// the platform assumes with an external ID) is the path we recommend. The helpers here are shared with aws-role
// and bedrock, which take the same keys, regions and role ARNs.
import { z } from 'zod'
import {
  type CredentialValues,
  type FieldSpec,
  type Finding,
  joinHint,
  maskSecret,
  type Provider,
  judgeShape,
  tokenSchema,
  shownValue,
  valueOf,
} from '../provider.js'

const IAM_IDS = 'AWS IAM User Guide: IAM identifiers, unique ID prefixes'

/** aws-partition region names: us-east-1, eu-central-2, us-gov-west-1, cn-north-1, ap-southeast-5, il-central-1… */
export const AWS_REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/
export const awsRegionSchema = z.string().regex(AWS_REGION, 'must be an AWS region name such as us-east-1')

export const ROLE_ARN = /^arn:aws(?:-cn|-us-gov|-iso|-iso-b|-iso-e|-iso-f|-eusc)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/
export const roleArnSchema = z
  .string()
  .max(2048, 'is longer than 2048 characters')
  .regex(/^arn:[\x21-\x7e]+$/, 'must be an ARN (arn:aws:iam::123456789012:role/NAME)')

/** The key-pair fields, for providers that take an AWS access key (aws, bedrock). */
export function awsKeyFields(required: boolean): FieldSpec[] {
  return [
    {
      name: 'access_key_id',
      secret: true,
      required,
      description: 'the access key ID (AKIA… or ASIA…, 20 characters); secret here because it names the account',
      schema: tokenSchema(128),
    },
    {
      name: 'secret_access_key',
      secret: true,
      required,
      description: 'the secret access key (40 characters)',
      schema: tokenSchema(128),
    },
    {
      name: 'session_token',
      secret: true,
      required: false,
      description: 'the session token that comes with a temporary (ASIA…) key',
      schema: tokenSchema(4096),
    },
  ]
}

/** Checks an access key pair under the rule prefix of `provider` (aws.*, bedrock.*). */
export function checkAwsKeyPair(provider: string, values: CredentialValues): Finding[] {
  const findings: Finding[] = []
  const keyId = valueOf(values, 'access_key_id')?.trim()
  const secretKey = valueOf(values, 'secret_access_key')?.trim()
  const sessionToken = valueOf(values, 'session_token')
  if (keyId !== undefined) {
    const judged = judgeShape({ provider, field: 'access_key_id', expected: 'an AWS access key ID' }, keyId, {
      'aws-long-term-access-key': {
        rule: `${provider}.long-term-key`,
        severity: 'warning',
        message:
          'access_key_id is a long-term access key (AKIA…): it does not expire and usually belongs to an IAM user, often a person.',
        fix: 'Prefer the aws-role provider: a role the platform assumes with an external ID, no static key. Otherwise use a dedicated IAM user with read-only permissions and rotate its key.',
      },
      'aws-temporary-access-key': {
        rule: `${provider}.temporary-key`,
        severity: 'warning',
        message: 'access_key_id is a temporary STS key (ASIA…): it stops working when its session expires (15 minutes to 36 hours).',
        fix: 'For a lasting credential use the aws-role provider; the platform then requests its own short-lived keys.',
      },
      'aws-other-access-key': {
        rule: `${provider}.unsupported-key-type`,
        severity: 'error',
        message: 'access_key_id is an AWS key ID of a kind that cannot sign API requests as an IAM principal (not AKIA… or ASIA…).',
        fix: 'Give the access key ID of an IAM user (AKIA…) or, better, use the aws-role provider.',
        source: IAM_IDS,
      },
    })
    findings.push(...judged.findings)
    if (!judged.shape) {
      findings.push({
        rule: `${provider}.invalid-access-key-id`,
        severity: 'error',
        field: 'access_key_id',
        message: 'access_key_id is not an AWS access key ID (AKIA… or ASIA… followed by 16 characters).',
        fix: 'Copy the "Access key ID" column of the IAM console, or AWS_ACCESS_KEY_ID.',
        source: IAM_IDS,
      })
    }
    if (judged.shape?.id === 'aws-temporary-access-key' && sessionToken === undefined) {
      findings.push({
        rule: `${provider}.session-token-missing`,
        severity: 'error',
        field: 'session_token',
        message: 'A temporary key (ASIA…) works only with the session token issued with it, and none was given.',
        fix: 'Give session_token (AWS_SESSION_TOKEN), or use the aws-role provider.',
        source: 'AWS IAM User Guide: Use temporary credentials with AWS resources',
      })
    }
  }
  if (secretKey !== undefined) {
    const judged = judgeShape({ provider, field: 'secret_access_key', expected: 'an AWS secret access key' }, secretKey, {
      'aws-long-term-access-key': swapped(provider),
      'aws-temporary-access-key': swapped(provider),
      'aws-other-access-key': swapped(provider),
    })
    findings.push(...judged.findings)
    if (!judged.shape && !/^[A-Za-z0-9/+]{40}$/.test(secretKey)) {
      findings.push({
        rule: `${provider}.invalid-secret-access-key`,
        severity: 'error',
        field: 'secret_access_key',
        message: 'secret_access_key is not an AWS secret access key (40 characters of letters, digits, / and +).',
        fix: 'Copy the secret access key shown once when the key was created, or AWS_SECRET_ACCESS_KEY.',
        source: 'AWS IAM User Guide: Manage access keys for IAM users',
      })
    }
  }
  return findings
}

function swapped(provider: string) {
  return {
    rule: `${provider}.fields-swapped`,
    severity: 'error' as const,
    message: 'secret_access_key holds an access key ID: the two fields look swapped.',
    fix: 'Give the 40-character secret access key as secret_access_key and the AKIA…/ASIA… ID as access_key_id.',
  }
}

/**
 * Checks a role ARN under the rule prefix of `provider` (aws-role.*, bedrock.*). A user, root or assumed-role ARN
 * in its place is refused; a role whose name says it is an administrator is warned about.
 */
export function checkRoleArn(provider: string, arn: string | undefined): Finding[] {
  if (arn === undefined) return []
  const text = arn.trim()
  // A secret pasted where the ARN belongs (an access key, say): say what it is rather than "not an ARN".
  const pasted = judgeShape({ provider, field: 'role_arn', expected: 'an IAM role ARN' }, text, {}).findings
  if (pasted.length > 0) return pasted
  if (!ROLE_ARN.test(text)) {
    const what = /:iam::\d{12}:user\//.test(text)
      ? 'an IAM user ARN'
      : /:iam::\d{12}:root$/.test(text)
        ? "the account's root user ARN"
        : /:sts::\d{12}:assumed-role\//.test(text)
          ? 'an assumed-role session ARN'
          : /:iam::\d{12}:group\//.test(text)
            ? 'an IAM group ARN'
            : 'not an IAM role ARN'
    return [
      {
        rule: `${provider}.not-a-role`,
        severity: 'error',
        field: 'role_arn',
        message: `role_arn is ${what}; it must name an IAM role (arn:aws:iam::ACCOUNT:role/NAME).`,
        fix: 'Create a dedicated IAM role that trusts the ClowdOps role with an external ID, and give its ARN.',
        source: 'AWS IAM User Guide: IAM identifiers, IAM ARNs',
      },
    ]
  }
  const name = text.slice(text.lastIndexOf('/') + 1)
  if (/admin|poweruser|OrganizationAccountAccessRole|FullAccess/i.test(name)) {
    return [
      {
        rule: `${provider}.admin-role-name`,
        severity: 'warning',
        field: 'role_arn',
        message: `The role's name (${name}) suggests administrator rights; ClowdOps needs read-only access.`,
        fix: 'Create a dedicated role with ViewOnlyAccess plus explicit denies on data reads.',
        source: 'AWS Organizations User Guide: OrganizationAccountAccessRole (AdministratorAccess by default)',
      },
    ]
  }
  return []
}

export const aws: Provider = {
  id: 'aws',
  kind: 'cloud',
  title: 'Amazon Web Services (access key)',
  fields: [
    ...awsKeyFields(true),
    { name: 'region', secret: false, required: true, description: 'the default AWS region', schema: awsRegionSchema, example: 'us-east-1' },
  ],
  check: (values) => checkAwsKeyPair('aws', values),
  hint: (values) => joinHint(maskSecret(valueOf(values, 'access_key_id')), shownValue(values, 'region')),
}
