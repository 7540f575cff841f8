// Microsoft Azure with a service principal (an app registration's client secret), scoped to one subscription.
import {
  type Finding,
  joinHint,
  judgeShape,
  maskSecret,
  passwordSchema,
  type Provider,
  UUID,
  uuidSchema,
  shownValue,
  valueOf,
} from '../provider.js'

function check(values: Parameters<Provider['check']>[0]): Finding[] {
  const secret = valueOf(values, 'client_secret')?.trim()
  if (secret === undefined) return []
  const judged = judgeShape(
    { provider: 'azure', field: 'client_secret', expected: "a Microsoft Entra client secret (the secret's Value)" },
    secret,
    { 'azure-client-secret': 'ok' },
  )
  if (judged.shape) return judged.findings
  if (UUID.test(secret)) {
    // The portal shows a secret's Value once and its Secret ID always; the ID is a GUID and authenticates nothing.
    return [
      {
        rule: 'azure.secret-id-not-value',
        severity: 'error',
        field: 'client_secret',
        message: "client_secret is a GUID: that is the secret's ID (or an app/tenant ID), not its value.",
        fix: "Copy the secret's Value column right after creating it (Certificates & secrets); if it is no longer shown, create a new secret.",
        source: 'Microsoft Learn: Register a Microsoft Entra app and create a service principal, Create a new client secret',
      },
    ]
  }
  return []
}

const idField = (name: string, description: string) => ({
  name,
  secret: false,
  required: true,
  description,
  schema: uuidSchema,
  example: '00000000-0000-0000-0000-000000000000',
})

export const azure: Provider = {
  id: 'azure',
  kind: 'cloud',
  title: 'Microsoft Azure (service principal)',
  fields: [
    idField('tenant_id', 'the Microsoft Entra tenant (directory) ID'),
    idField('client_id', "the app registration's application (client) ID"),
    { name: 'client_secret', secret: true, required: true, description: "a client secret's value", schema: passwordSchema(256) },
    idField('subscription_id', 'the subscription ClowdOps reads, where the service principal holds Reader'),
  ],
  check,
  hint: (values) =>
    joinHint(
      `app ${shownValue(values, 'client_id') ?? '?'}`,
      `subscription ${shownValue(values, 'subscription_id') ?? '?'}`,
      `secret ${maskSecret(valueOf(values, 'client_secret'))}`,
    ),
}
