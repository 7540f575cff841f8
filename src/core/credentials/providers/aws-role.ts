// AWS through a role the platform assumes (sts:AssumeRole with the external ID the platform issues): no static key
// leaves the customer's account. The path we recommend for AWS.
import { joinHint, type Provider, shownValue, valueOf } from '../provider.js'
import { awsRegionSchema, checkRoleArn, roleArnSchema } from './aws.js'

export const awsRole: Provider = {
  id: 'aws-role',
  kind: 'cloud',
  title: 'Amazon Web Services (IAM role, recommended)',
  fields: [
    {
      name: 'role_arn',
      secret: false,
      required: true,
      description: 'the ARN of the role ClowdOps assumes; its trust policy names the ClowdOps principal and the external ID the platform issues',
      schema: roleArnSchema,
      example: 'arn:aws:iam::123456789012:role/ClowdOpsReadOnly',
    },
    { name: 'region', secret: false, required: false, description: 'the default AWS region', schema: awsRegionSchema, example: 'us-east-1' },
  ],
  check: (values) => checkRoleArn('aws-role', valueOf(values, 'role_arn')),
  hint: (values) => joinHint(shownValue(values, 'role_arn'), shownValue(values, 'region')),
}
