// The platform's resources so far: health, the signed-in user, projects and sandboxes.
import { z } from 'zod'

export const Health = z
  .object({
    status: z.enum(['ok', 'degraded']),
    version: z.string(),
    time: z.iso.datetime(),
  })
  .meta({ id: 'Health' })
export type Health = z.infer<typeof Health>

export const Me = z
  .object({
    id: z.string().regex(/^usr_/),
    email: z.email(),
    name: z.string(),
    org: z.object({ id: z.string().regex(/^org_/), name: z.string() }),
    scopes: z.array(z.string()),
    token_type: z.enum(['personal_access_token', 'oauth']),
  })
  .meta({ id: 'Me' })
export type Me = z.infer<typeof Me>

export const Project = z
  .object({
    id: z.string().regex(/^prj_/),
    name: z.string().min(1).max(100),
    created_at: z.iso.datetime(),
  })
  .meta({ id: 'Project' })
export type Project = z.infer<typeof Project>

export const CreateProject = z
  .object({ name: z.string().min(1).max(100) })
  .meta({ id: 'CreateProject' })
export type CreateProject = z.infer<typeof CreateProject>

export const Sandbox = z
  .object({
    id: z.string().regex(/^sbx_/),
    project_id: z.string().regex(/^prj_/),
    name: z.string(),
    status: z.enum(['provisioning', 'ready', 'stopped']),
    created_at: z.iso.datetime(),
  })
  .meta({ id: 'Sandbox' })
export type Sandbox = z.infer<typeof Sandbox>
