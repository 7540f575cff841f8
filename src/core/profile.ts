// The local configuration file's shape: named profiles of non-secret facts. Secrets never live here.
import { z } from 'zod'

export const DEFAULT_PROFILE = 'default'

export const ProfileName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, 'letters, digits, - and _, up to 40 characters')

/** How a sign-in was obtained: shown by `auth status`, so a person can tell a browser sign-in from a pasted token. */
export const SignInMethod = z.enum(['browser', 'device', 'token', 'ci'])
export type SignInMethod = z.infer<typeof SignInMethod>

export const Profile = z
  .object({
    api_url: z.url().optional(),
    account: z.string().optional(),
    org: z.string().optional(),
    default_project: z.string().regex(/^prj_/, 'a project id (prj_...)').optional(),
    default_sandbox: z.string().regex(/^sbx_/, 'a sandbox id (sbx_...)').optional(),
    // Written by sign-in: where the token lives and what it can do. Never the token itself.
    token_storage: z.enum(['keychain', 'file']).optional(),
    token_kind: z.enum(['personal_access_token', 'oauth']).optional(),
    token_expires_at: z.iso.datetime().optional(),
    signed_in_with: SignInMethod.optional(),
    scopes: z.array(z.string()).optional(),
  })
  .strict()
export type Profile = z.infer<typeof Profile>

export const ConfigFile = z
  .object({
    active_profile: ProfileName.optional(),
    profiles: z.record(ProfileName, Profile).default({}),
  })
  .strict()
export type ConfigFile = z.infer<typeof ConfigFile>

/** The keys `clowdops config set` accepts; `account` and `org` are written by sign-in. */
export const SETTABLE_KEYS = ['api_url', 'default_project', 'default_sandbox'] as const
