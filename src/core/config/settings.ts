// `clowdops config`: read and change the selected profile's settings, and say where each effective value comes from.
import { z } from 'zod'
import { normaliseApiUrl } from '../api-url.js'
import { NotFoundError, UsageError } from '../errors.js'
import type { Deps } from '../ports.js'
import { Profile, SETTABLE_KEYS } from '../profile.js'
import { didYouMean } from '../suggest.js'

const READABLE_KEYS = [...SETTABLE_KEYS, 'account', 'org'] as const

export const Setting = z.object({
  key: z.enum(READABLE_KEYS),
  value: z.string().nullable(),
  source: z.enum(['flag', 'env', 'profile', 'default', 'unset']),
})
export type Setting = z.infer<typeof Setting>

export const SettingsReport = z.object({
  profile: z.string(),
  path: z.string(),
  settings: z.array(Setting),
})
export type SettingsReport = z.infer<typeof SettingsReport>

type SettingsDeps = Pick<Deps, 'config' | 'context'>

/** Effective values: api_url as resolved for this run (flag, env, profile, default), the rest from the profile. */
export async function listSettings(deps: SettingsDeps): Promise<SettingsReport> {
  const { profile, profileName, apiUrl } = deps.context
  const settings = READABLE_KEYS.map((key): Setting => {
    if (key === 'api_url') return { key, value: apiUrl.url, source: apiUrl.source }
    const value = profile[key]
    return { key, value: value ?? null, source: value === undefined ? 'unset' : 'profile' }
  })
  return { profile: profileName, path: deps.config.path, settings }
}

export async function getSetting(key: string, deps: SettingsDeps): Promise<Setting> {
  const readable = checkKey(key, READABLE_KEYS)
  const report = await listSettings(deps)
  const setting = report.settings.find((s) => s.key === readable)
  if (!setting || setting.value === null) {
    throw new NotFoundError(`${key} is not set in profile ${deps.context.profileName}.`, {
      hint: `Set it with: clowdops config set ${key} VALUE`,
    })
  }
  return setting
}

export async function setSetting(key: string, value: string, deps: SettingsDeps): Promise<Setting> {
  const settable = checkKey(key, SETTABLE_KEYS)
  const stored = settable === 'api_url' ? normaliseApiUrl(value, 'flag') : value
  const parsed = Profile.shape[settable].safeParse(stored)
  if (!parsed.success) {
    throw new UsageError(`Invalid value for ${key}: ${parsed.error.issues[0]?.message ?? 'rejected'}.`)
  }
  await updateProfile(deps, (profile) => ({ ...profile, [settable]: stored }))
  return { key: settable, value: stored, source: 'profile' }
}

/** The setting as it now is (unset), and whether the profile had it: unsetting a key it lacks changes nothing. */
export async function unsetSetting(key: string, deps: SettingsDeps): Promise<{ setting: Setting; removed: boolean }> {
  const settable = checkKey(key, SETTABLE_KEYS)
  let removed = false
  await updateProfile(deps, ({ [settable]: old, ...rest }) => {
    removed = old !== undefined
    return rest
  })
  return { setting: { key: settable, value: null, source: 'unset' }, removed }
}

async function updateProfile(deps: SettingsDeps, change: (profile: Profile) => Profile): Promise<void> {
  const name = deps.context.profileName
  await deps.config.update((file) => ({ ...file, profiles: { ...file.profiles, [name]: change(file.profiles[name] ?? {}) } }))
}

function checkKey<K extends string>(key: string, allowed: readonly K[]): K {
  if ((allowed as readonly string[]).includes(key)) return key as K
  throw new UsageError(`Unknown config key ${JSON.stringify(key)}.`, { hint: `${didYouMean(key, allowed)}Known keys: ${allowed.join(', ')}.` })
}

