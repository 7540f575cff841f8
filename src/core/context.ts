// Resolves, once per run, which profile is in use and which API URL it talks to.
import { resolveApiUrl } from './api-url.js'
import { UsageError } from './errors.js'
import type { ConfigStore, Context } from './ports.js'
import { DEFAULT_PROFILE, ProfileName } from './profile.js'

export interface ContextFlags {
  apiUrl?: string | undefined
  profile?: string | undefined
}

/** `--profile` > `CLOWDOPS_PROFILE` > the file's active profile > `default`. */
export async function resolveContext(
  flags: ContextFlags,
  env: Readonly<Record<string, string | undefined>>,
  config: Pick<ConfigStore, 'read'>,
): Promise<Context> {
  const file = await config.read()
  const profileName = flags.profile ?? env.CLOWDOPS_PROFILE ?? file.active_profile ?? DEFAULT_PROFILE
  if (!ProfileName.safeParse(profileName).success) {
    throw new UsageError(`Invalid profile name ${JSON.stringify(profileName)}: use letters, digits, - and _.`, {
      hint: 'Pass --profile NAME or set CLOWDOPS_PROFILE.',
    })
  }
  const profile = file.profiles[profileName] ?? {}
  return {
    profileName,
    profile,
    apiUrl: resolveApiUrl({ flag: flags.apiUrl, env: env.CLOWDOPS_API_URL, profile: profile.api_url }),
  }
}
