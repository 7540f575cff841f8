// Google Cloud with a service-account JSON key. A key file is long-lived; service-account impersonation (or
// workload identity federation) is better, so a valid key is accepted with a warning. Person-bound credentials
// (gcloud's authorized_user file) and the default service accounts, which hold Editor by default, are refused.
import {
  documentSchema,
  type Finding,
  joinHint,
  judgeShape,
  maskSecret,
  type Provider,
  valueOf,
} from '../provider.js'

const KEY_BEST_PRACTICES = 'Google Cloud IAM: Best practices for managing service account keys'

interface ServiceAccountKey {
  type?: unknown
  client_email?: unknown
  private_key?: unknown
  private_key_id?: unknown
  project_id?: unknown
}

function parseJsonObject(text: string): ServiceAccountKey | undefined {
  try {
    const parsed: unknown = JSON.parse(text)
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as ServiceAccountKey) : undefined
  } catch {
    return undefined
  }
}

const TYPES: Readonly<Record<string, string>> = {
  authorized_user: "a user's own credentials (gcloud auth application-default login), bound to a person",
  external_account: 'a workload identity federation configuration, which this provider does not take',
  impersonated_service_account: 'an impersonation configuration that rests on a user credential',
}

function check(values: Parameters<Provider['check']>[0]): Finding[] {
  const text = valueOf(values, 'service_account_json')?.trim()
  if (text === undefined) return []
  const field = 'service_account_json'
  const judged = judgeShape({ provider: 'gcp', field, expected: 'a Google Cloud service-account JSON key' }, text, {
    'gcp-service-account-json': 'ok',
  })
  if (judged.findings.length > 0) return judged.findings
  const key = parseJsonObject(text)
  if (!key) {
    return [
      {
        rule: 'gcp.not-json',
        severity: 'error',
        field,
        message: 'service_account_json is not a JSON object.',
        fix: 'Give the JSON key file downloaded for the service account (gcloud iam service-accounts keys create KEY.json --iam-account=…).',
        source: 'Google Cloud IAM: Create and delete service account keys',
      },
    ]
  }
  if (key.type !== 'service_account') {
    const type = typeof key.type === 'string' ? key.type : undefined
    const what = (type && TYPES[type]) ?? 'not a service-account key'
    return [
      {
        rule: 'gcp.not-service-account',
        severity: 'error',
        field,
        message: `service_account_json is ${what} (its "type" is not "service_account").`,
        fix: 'Create a dedicated service account with roles/viewer and give its JSON key.',
        source: 'Google Cloud: Application Default Credentials, credential file types; gitleaks: gcp-service-account',
      },
    ]
  }
  const findings: Finding[] = []
  const email = typeof key.client_email === 'string' ? key.client_email : ''
  if (typeof key.private_key !== 'string' || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key.private_key) || email === '') {
    findings.push({
      rule: 'gcp.incomplete-key',
      severity: 'error',
      field,
      message: 'service_account_json has no private_key or no client_email: it is not a usable key file.',
      fix: 'Download a new JSON key for the service account; the file is complete as Google issues it.',
      source: 'Google Cloud IAM: Create and delete service account keys',
    })
    return findings
  }
  if (/-compute@developer\.gserviceaccount\.com$|@appspot\.gserviceaccount\.com$/.test(email)) {
    findings.push({
      rule: 'gcp.default-service-account',
      severity: 'error',
      field,
      message: 'The key belongs to a default service account (Compute Engine or App Engine), which is granted Editor on its project by default.',
      fix: 'Create a dedicated service account with roles/viewer and give its key.',
      source: 'Google Cloud IAM: Default service accounts (automatic Editor grant)',
    })
  }
  findings.push({
    rule: 'gcp.service-account-key',
    severity: 'warning',
    field,
    message: 'A service-account key is a long-lived secret: anyone who holds the file can act as the service account until the key is deleted.',
    fix: 'Prefer service-account impersonation (grant the ClowdOps principal roles/iam.serviceAccountTokenCreator on a read-only service account); if you keep the key, set an expiry with the iam.serviceAccountKeyExpiryHours policy.',
    source: `gitleaks: gcp-service-account; ${KEY_BEST_PRACTICES}`,
  })
  return findings
}

export const gcp: Provider = {
  id: 'gcp',
  kind: 'cloud',
  title: 'Google Cloud (service-account key)',
  fields: [
    {
      name: 'service_account_json',
      secret: true,
      required: true,
      description: 'the JSON key file of a service account with read-only roles',
      schema: documentSchema(32_768),
    },
  ],
  check,
  hint: (values) => {
    const text = valueOf(values, 'service_account_json')
    const key = text === undefined ? undefined : parseJsonObject(text.trim())
    if (!key) return maskSecret(undefined)
    const email = typeof key.client_email === 'string' && /^[\w.+-]+@[\w.-]+$/.test(key.client_email) ? key.client_email : undefined
    const keyId = typeof key.private_key_id === 'string' && /^[0-9a-f]{20,}$/.test(key.private_key_id) ? `key …${key.private_key_id.slice(-4)}` : undefined
    return joinHint(email ?? 'service account', keyId)
  },
}
