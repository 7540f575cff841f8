// Recipes for the providers that have no IAM documents: the exact steps (console path or CLI) and the narrowest
// role, scope or key type that does the job. AWS and Bedrock recipes, which come with documents, are in index.ts.
import type { RecipeRole, RecipeSpec } from './index.js'

type Built = ReturnType<RecipeSpec['build']>
const step = (title: string, detail?: string, ...commands: string[]) => ({ title, ...(detail ? { detail } : {}), commands })

/** A recipe whose roles map to a few named roles or scopes. */
function byRole(roles: Partial<Record<RecipeRole, string[]>>, build: (grants: string[], role: RecipeRole) => Built): RecipeSpec {
  return {
    roles: (Object.keys(roles) as RecipeRole[]),
    build: (role) => build(roles[role] ?? [], role),
  }
}

const keychain = (provider: string, field: string) => `clowdops keychain set clowdops/${provider}-${field.replace(/_/g, '-')}`

const gcp = byRole(
  {
    'read-only': ['roles/viewer'],
    cost: ['roles/billing.viewer (on the billing account)', 'roles/recommender.viewer'],
    security: ['roles/iam.securityReviewer', 'roles/cloudasset.viewer', 'roles/securitycenter.findingsViewer'],
  },
  (grants, role) => {
    const sa = `clowdops-${role}@<PROJECT_ID>.iam.gserviceaccount.com`
    const projectRoles = grants.filter((g) => g.startsWith('roles/') && !g.includes('billing'))
    return {
      title: `Google Cloud service account clowdops-${role} (${grants.join(', ')})`,
      identity: `service account ${sa}, no other roles`,
      grants,
      avoid: [
        'roles/owner or roles/editor: write access to everything.',
        'Long-lived service-account keys when you can avoid them: grant impersonation (roles/iam.serviceAccountTokenCreator on this one account) instead, when your ClowdOps deployment supports it; the gcp provider warns on keys.',
      ],
      steps: [
        step(`Create the service account`, undefined, `gcloud iam service-accounts create clowdops-${role} --project <PROJECT_ID> --display-name "ClowdOps (${role})"`),
        step(
          'Grant the roles',
          grants.some((g) => g.includes('billing')) ? 'roles/billing.viewer is granted on the billing account, the others on the project.' : 'On the project only; grant on a folder or the organization only if ClowdOps must see all of it.',
          ...projectRoles.map((r) => `gcloud projects add-iam-policy-binding <PROJECT_ID> --member serviceAccount:${sa} --role ${r} --condition None`),
          ...(grants.some((g) => g.includes('billing'))
            ? [`gcloud billing accounts add-iam-policy-binding <BILLING_ACCOUNT_ID> --member serviceAccount:${sa} --role roles/billing.viewer`]
            : []),
        ),
        step(
          'Prefer impersonation; otherwise create one key and put it in the keychain',
          'If keys are allowed (the constraints/iam.disableServiceAccountKeyCreation org policy is off), create one key, store it, delete the file. Rotate it every 90 days.',
          `gcloud iam service-accounts keys create clowdops-key.json --iam-account ${sa}`,
          `${keychain('gcp', 'service_account_json')} < clowdops-key.json && shred -u clowdops-key.json`,
        ),
      ],
      references: ['https://cloud.google.com/iam/docs/understanding-roles', 'https://cloud.google.com/iam/docs/service-account-impersonation', 'https://cloud.google.com/iam/docs/best-practices-for-managing-service-account-keys'],
    }
  },
)

const azure = byRole(
  { 'read-only': ['Reader'], cost: ['Cost Management Reader'], security: ['Security Reader'] },
  ([azureRole = 'Reader'], role) => ({
    title: `Azure service principal clowdops-${role} with ${azureRole} on one subscription`,
    identity: `Microsoft Entra app registration and service principal clowdops-${role}`,
    grants: [`${azureRole} on /subscriptions/<SUBSCRIPTION_ID>`],
    avoid: ['Owner, Contributor or User Access Administrator.', 'Tenant-wide or management-group scope unless ClowdOps must see all of it.', 'Secrets that never expire.'],
    steps: [
      step(
        'Create the service principal with the role, scoped to the subscription',
        'The output has appId (client_id), password (client_secret) and tenant (tenant_id); the secret is shown once and expires after one year.',
        `az ad sp create-for-rbac --name clowdops-${role} --role "${azureRole}" --scopes /subscriptions/<SUBSCRIPTION_ID> --years 1`,
      ),
      step('Put the client secret in the keychain', 'Paste the password at the hidden prompt.', keychain('azure', 'client_secret')),
    ],
    references: ['https://learn.microsoft.com/azure/role-based-access-control/built-in-roles', 'https://learn.microsoft.com/cli/azure/azure-cli-sp-tutorial-1'],
  }),
)

const oci = byRole(
  {
    'read-only': ['inspect all-resources in tenancy', 'read metrics in tenancy', 'read audit-events in tenancy'],
    cost: ['read usage-reports in tenancy', 'read usage-budgets in tenancy', 'inspect compartments in tenancy'],
    security: ['inspect all-resources in tenancy', 'read cloud-guard-family in tenancy', 'read audit-events in tenancy'],
  },
  (grants, role) => {
    const group = `ClowdOps-${role}`
    const statements = grants.map((g) => `Allow group ${group} to ${g}`)
    return {
      title: `OCI user clowdops-${role} in group ${group}, API signing key`,
      identity: `IAM user clowdops-${role}, member of ${group} only`,
      grants: statements,
      avoid: ['The Administrators group or "manage all-resources".', '"read all-resources": for objects, read includes downloading their contents.'],
      steps: [
        step('Create the group and its policy', undefined, `oci iam group create --name ${group} --description "ClowdOps (${role})"`, `oci iam policy create --compartment-id <TENANCY_OCID> --name ${group} --description "ClowdOps (${role})" --statements '${JSON.stringify(statements)}'`),
        step('Create the user and add it to the group', undefined, `oci iam user create --name clowdops-${role} --description "ClowdOps (${role})"`, `oci iam group add-user --group-id <GROUP_OCID> --user-id <USER_OCID>`),
        step(
          'Create an API signing key (RSA 4096, no passphrase) and upload the public half',
          'The upload prints the fingerprint. Store the private key, then delete the file.',
          'openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out clowdops-oci.pem',
          'openssl rsa -pubout -in clowdops-oci.pem -out clowdops-oci.pub.pem',
          'oci iam user api-key upload --user-id <USER_OCID> --key-file clowdops-oci.pub.pem',
          `${keychain('oci', 'private_key')} < clowdops-oci.pem && shred -u clowdops-oci.pem`,
        ),
      ],
      references: ['https://docs.oracle.com/iaas/Content/Identity/policyreference/policyreference.htm', 'https://docs.oracle.com/iaas/Content/API/Concepts/apisigningkey.htm'],
    }
  },
)

const ssh: RecipeSpec = {
  roles: ['read-only'],
  build: () => ({
    title: 'SSH: an ed25519 key for a dedicated, unprivileged user',
    identity: 'user clowdops on the host, no sudo, no password, key-only login',
    grants: ['membership of adm and systemd-journal (read logs), nothing else'],
    avoid: ['root or a personal account.', 'RSA keys under 3072 bits and DSA keys.', 'Passphrase-protected keys (the agent cannot unlock them): protect the key in the keychain instead.', 'sudo rights.'],
    steps: [
      step('Generate the key pair', 'No passphrase: the private key goes straight into the keychain.', "ssh-keygen -t ed25519 -N '' -C clowdops -f clowdops_ed25519"),
      step(
        'On the host: create the user and authorize the key',
        'restrict turns off port, agent and X11 forwarding.',
        'sudo useradd --create-home --shell /bin/bash --groups adm,systemd-journal clowdops',
        'sudo passwd --lock clowdops',
        'sudo install -d -m 700 -o clowdops -g clowdops ~clowdops/.ssh',
        `echo "restrict $(cat clowdops_ed25519.pub)" | sudo tee ~clowdops/.ssh/authorized_keys >/dev/null && sudo chown clowdops: ~clowdops/.ssh/authorized_keys && sudo chmod 600 ~clowdops/.ssh/authorized_keys`,
      ),
      step('Put the private key in the keychain and delete the file', undefined, `${keychain('ssh', 'private_key')} < clowdops_ed25519 && shred -u clowdops_ed25519`),
    ],
    references: ['https://man.openbsd.org/sshd#AUTHORIZED_KEYS_FILE_FORMAT', 'https://man.openbsd.org/ssh-keygen'],
  }),
}

const GITHUB_READ = ['Metadata: Read', 'Actions: Read', 'Checks: Read', 'Commit statuses: Read', 'Deployments: Read', 'Issues: Read', 'Pull requests: Read']
const github = byRole(
  { 'read-only': GITHUB_READ, security: [...GITHUB_READ, 'Dependabot alerts: Read', 'Code scanning alerts: Read', 'Secret scanning alerts: Read'] },
  (grants) => ({
    title: 'GitHub fine-grained personal access token, read-only, selected repositories',
    identity: 'fine-grained token (github_pat_…) owned by the organization, expiring in 90 days',
    grants: grants.map((g) => `repository permission ${g}`),
    avoid: ['Classic tokens (ghp_…): all-or-nothing scopes across every repository you can see.', 'Any Write or Admin permission.', 'Contents: Read unless ClowdOps must read the code.'],
    steps: [
      step(
        'Generate the token',
        `github.com → Settings → Developer settings → Personal access tokens → Fine-grained tokens → Generate new token. Resource owner: your organization (it may need an admin's approval). Expiration: 90 days. Repository access: Only select repositories. Repository permissions: ${grants.join(', ')}; everything else No access. Organization permissions: none.`,
      ),
      step('Put the token in the keychain', 'Paste it at the hidden prompt.', keychain('github', 'token')),
    ],
    references: ['https://docs.github.com/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens#creating-a-fine-grained-personal-access-token'],
  }),
)

const gitlab: RecipeSpec = {
  roles: ['read-only'],
  build: () => ({
    title: 'GitLab group or project access token: Reporter, read_api',
    identity: 'group (or project) access token, a bot user of its own, expiring in 90 days',
    grants: ['role Reporter', 'scope read_api'],
    avoid: ['Personal access tokens: they act as you, on everything you can reach.', 'Scopes api, write_repository, sudo; roles Maintainer or Owner.'],
    steps: [
      step('Create the token', 'Group (or project) → Settings → Access tokens → Add new token. Role: Reporter. Scopes: read_api only. Expiration: 90 days.'),
      step('Put the token in the keychain', 'Paste it at the hidden prompt.', keychain('gitlab', 'token')),
    ],
    references: ['https://docs.gitlab.com/user/group/settings/group_access_tokens/', 'https://docs.gitlab.com/user/profile/personal_access_tokens/#personal-access-token-scopes'],
  }),
}

const azureDevops: RecipeSpec = {
  roles: ['read-only'],
  build: () => ({
    title: 'Azure DevOps personal access token, one organization, read scopes',
    identity: 'PAT for a single organization, expiring in 90 days',
    grants: ['Build: Read', 'Release: Read', 'Work Items: Read', 'Project and Team: Read', 'Code: Read (only if ClowdOps must read repositories)'],
    avoid: ['Full access tokens.', '"All accessible organizations".', 'Any Read & write, Manage or Execute scope.'],
    steps: [
      step('Create the token', 'dev.azure.com/<ORG> → User settings → Personal access tokens → New Token. Organization: this one only. Expiration: 90 days. Scopes: Custom defined → Build: Read, Release: Read, Work Items: Read, Project and Team: Read.'),
      step('Put the token in the keychain', 'Paste it at the hidden prompt.', keychain('azure-devops', 'token')),
    ],
    references: ['https://learn.microsoft.com/azure/devops/organizations/accounts/use-personal-access-tokens-to-authenticate', 'https://learn.microsoft.com/azure/devops/integrate/get-started/authentication/oauth#scopes'],
  }),
}

const openai: RecipeSpec = {
  roles: ['read-only'],
  build: () => ({
    title: 'OpenAI project service-account key, restricted',
    identity: 'service account "clowdops" in a dedicated project with a budget',
    grants: ['key permissions Restricted: Model capabilities Write (to call models), Models Read; everything else None'],
    avoid: ['Admin keys (sk-admin-…): ClowdOps refuses them.', 'User keys (sk-proj-… of a person, legacy sk-…): they leave with the person.'],
    steps: [
      step('Create a project for ClowdOps', 'platform.openai.com → Settings → Projects → Create project "ClowdOps". Project → Limits: set a monthly budget and allow only the models it needs.'),
      step('Create a service account and its key', 'Project → Service accounts → Create. Permissions: Restricted → Model capabilities: Write, Models: Read, the rest None. Copy the key (sk-svcacct-…), shown once.'),
      step('Put the key in the keychain', 'Paste it at the hidden prompt.', keychain('openai', 'api_key')),
    ],
    references: ['https://platform.openai.com/docs/api-reference/project-service-accounts', 'https://help.openai.com/en/articles/8867743-assign-api-key-permissions'],
  }),
}

const anthropic: RecipeSpec = {
  roles: ['read-only'],
  build: () => ({
    title: 'Anthropic API key in a dedicated workspace with limits',
    identity: 'API key in workspace "ClowdOps"',
    grants: ['Messages API in that workspace only, within its spend and rate limits'],
    avoid: ['Admin API keys (sk-ant-admin01-…): ClowdOps refuses them.', 'Keys in the Default workspace, shared with everything else.'],
    steps: [
      step('Create the workspace', 'console.anthropic.com → Settings → Workspaces → Create workspace "ClowdOps". Limits: set a monthly spend limit and rate limits.'),
      step('Create the key in that workspace', 'Settings → API keys → Create key, workspace ClowdOps. Copy it (sk-ant-api03-…), shown once.'),
      step('Put the key in the keychain', 'Paste it at the hidden prompt.', keychain('anthropic', 'api_key')),
    ],
    references: ['https://docs.anthropic.com/en/api/administration-api', 'https://support.anthropic.com/en/articles/9796807-creating-and-managing-workspaces'],
  }),
}

const gemini: RecipeSpec = {
  roles: ['read-only'],
  build: () => ({
    title: 'Gemini API key in a dedicated project, restricted to the Generative Language API',
    identity: 'API key in a Google Cloud project used only by ClowdOps',
    grants: ['API restriction: generativelanguage.googleapis.com only'],
    avoid: ['Unrestricted keys: an AIza… key works for every API enabled in its project (Maps included).', 'Keys in a project with billing-heavy APIs enabled.'],
    steps: [
      step(
        'Create the key, restricted to the Gemini API',
        'Or: aistudio.google.com → Get API key → Create API key in a new project, then restrict it in the Cloud console (APIs & Services → Credentials).',
        'gcloud services enable generativelanguage.googleapis.com --project <PROJECT_ID>',
        'gcloud services api-keys create --project <PROJECT_ID> --display-name clowdops --api-target service=generativelanguage.googleapis.com',
      ),
      step('Put the key in the keychain', 'Paste the keyString at the hidden prompt.', keychain('gemini', 'api_key')),
    ],
    references: ['https://ai.google.dev/gemini-api/docs/api-key', 'https://cloud.google.com/docs/authentication/api-keys#api_key_restrictions'],
  }),
}

const slack: RecipeSpec = {
  roles: ['read-only'],
  build: () => ({
    title: 'Slack incoming webhook to one channel',
    identity: 'Slack app "ClowdOps" with only the incoming-webhook feature',
    grants: ['post messages to the one channel chosen at install'],
    avoid: ['User tokens (xoxp-…), configuration tokens (xoxe…), app-level tokens (xapp-…): ClowdOps refuses them.', 'Bot tokens with chat:write to every channel.'],
    steps: [
      step('Create the app', 'api.slack.com/apps → Create New App → From scratch, name "ClowdOps", your workspace.'),
      step('Add the webhook', 'Features → Incoming Webhooks → Activate → Add New Webhook to Workspace → pick the channel → Allow. Copy the URL (https://hooks.slack.com/services/…).'),
      step('Put the URL in the keychain', 'Paste it at the hidden prompt.', keychain('slack', 'webhook_url')),
    ],
    references: ['https://api.slack.com/messaging/webhooks'],
  }),
}

const teams: RecipeSpec = {
  roles: ['read-only'],
  build: () => ({
    title: 'Microsoft Teams workflow webhook to one channel',
    identity: 'Workflows (Power Automate) flow "Post to a channel when a webhook request is received"',
    grants: ['post cards to the one channel the flow targets'],
    avoid: ['Office 365 connectors (retired).', 'Graph API app registrations with ChannelMessage.Send or wider.'],
    steps: [
      step('Create the workflow', 'In the channel: ••• → Workflows → "Post to a channel when a webhook request is received" → name "ClowdOps" → pick team and channel → Add workflow. Copy the URL, shown at the end.'),
      step('Put the URL in the keychain', 'Paste it at the hidden prompt.', keychain('teams', 'webhook_url')),
    ],
    references: ['https://support.microsoft.com/office/create-incoming-webhooks-with-workflows-for-microsoft-teams-8ae491c7-0394-4861-ba59-055e33f75498'],
  }),
}

const pagerduty: RecipeSpec = {
  roles: ['read-only'],
  build: () => ({
    title: 'PagerDuty Events API v2 integration key (routing key) on one service',
    identity: 'Events API V2 integration on the service ClowdOps alerts',
    grants: ['send events (trigger, acknowledge, resolve) to that one service'],
    avoid: ['REST API keys (account- or user-level): they read and change the whole account; ClowdOps refuses them where a routing key belongs.'],
    steps: [
      step('Add the integration', 'Services → Service Directory → your service → Integrations → Add an integration → Events API V2 → Add. Copy the Integration Key (32 characters): that is the routing key.'),
      step('Put the key in the keychain', 'Paste it at the hidden prompt.', keychain('pagerduty', 'routing_key')),
    ],
    references: ['https://developer.pagerduty.com/docs/events-api-v2-overview'],
  }),
}

const smtp: RecipeSpec = {
  roles: ['read-only'],
  build: () => ({
    title: 'SMTP submission (port 587 STARTTLS or 465 TLS) with an app password for a dedicated sender',
    identity: 'a dedicated sending mailbox or SMTP user (e.g. clowdops@<DOMAIN>)',
    grants: ['send mail as that one address'],
    avoid: ['Port 25 or plain-text SMTP: ClowdOps refuses it (TLS required).', 'Your own mailbox password.', 'A mailbox that also receives mail ClowdOps should not read.'],
    steps: [
      step(
        'Create an app password for the sending account',
        'Google Workspace: myaccount.google.com/apppasswords (2-Step Verification on), host smtp.gmail.com port 587. Microsoft 365: enable Authenticated SMTP for that mailbox only, host smtp.office365.com port 587. Amazon SES: SES → SMTP settings → Create SMTP credentials (an IAM user allowed only ses:SendRawEmail), host email-smtp.<REGION>.amazonaws.com port 587 or 465.',
      ),
      step('Put the password in the keychain', 'Paste it at the hidden prompt.', keychain('smtp', 'password')),
    ],
    references: ['https://support.google.com/accounts/answer/185833', 'https://learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission', 'https://docs.aws.amazon.com/ses/latest/dg/smtp-credentials.html'],
  }),
}

const telegram: RecipeSpec = {
  roles: ['read-only'],
  build: () => ({
    title: 'Telegram bot that posts to one chat',
    identity: 'a new bot made with @BotFather, privacy mode on, member of one group',
    grants: ['post messages to the chat it was added to'],
    avoid: ['Reusing a bot that serves other chats or has admin rights there.', 'User accounts (MTProto sessions).'],
    steps: [
      step('Create the bot', 'In Telegram, message @BotFather: /newbot (name "ClowdOps"), then /setprivacy → Enable and /setjoingroups → Disable after adding it to your group. Copy the token.'),
      step('Put the token in the keychain', 'Paste it at the hidden prompt.', keychain('telegram', 'bot_token')),
      step(
        'Find the chat id',
        'Add the bot to the group and send a message there; read chat.id (and message_thread_id for a topic) from getUpdates. The token is read at a hidden prompt, not typed on the command line.',
        'read -rs BOT_TOKEN && curl -s "https://api.telegram.org/bot$BOT_TOKEN/getUpdates"; unset BOT_TOKEN',
      ),
    ],
    references: ['https://core.telegram.org/bots/features#botfather', 'https://core.telegram.org/bots/api#getupdates'],
  }),
}

export const OTHER_RECIPES: Readonly<Record<string, RecipeSpec>> = {
  gcp,
  azure,
  oci,
  ssh,
  github,
  gitlab,
  'azure-devops': azureDevops,
  openai,
  anthropic,
  gemini,
  slack,
  teams,
  pagerduty,
  smtp,
  telegram,
}
