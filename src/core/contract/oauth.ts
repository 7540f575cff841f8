// OAuth 2.0 wire shapes the CLI relies on: discovery (RFC 8414), authorization code with PKCE (RFC 6749, RFC 7636),
// device grant (RFC 8628), tokens (RFC 6749), token exchange (RFC 8693).
// The standards own these; the schemas only keep the client honest about them.
import { z } from 'zod'

export const CLIENT_ID = 'clowdops-cli'
export const AUTHORIZATION_CODE_GRANT = 'authorization_code'
export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token'
export const DEFAULT_SCOPES = ['openid', 'offline_access', 'projects:read', 'projects:write', 'credentials:read', 'credentials:write', 'privacy:read', 'privacy:write']

export const AuthServerMetadata = z.object({
  issuer: z.string(),
  token_endpoint: z.url(),
  /** Absent on a platform that offers only the device and exchange grants: the browser sign-in then says so. */
  authorization_endpoint: z.url().optional(),
  code_challenge_methods_supported: z.array(z.string()).optional(),
  device_authorization_endpoint: z.url(),
  revocation_endpoint: z.url().optional(),
  grant_types_supported: z.array(z.string()).optional(),
})
export type AuthServerMetadata = z.infer<typeof AuthServerMetadata>

export const DeviceAuthorization = z.object({
  device_code: z.string().min(1),
  user_code: z.string().min(1),
  verification_uri: z.url(),
  verification_uri_complete: z.url().optional(),
  expires_in: z.number().int().positive(),
  interval: z.number().int().positive().optional(),
})
export type DeviceAuthorization = z.infer<typeof DeviceAuthorization>

export const TokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().int().positive().optional(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
})
export type TokenResponse = z.infer<typeof TokenResponse>

export const OAuthError = z.object({ error: z.string(), error_description: z.string().optional() })
export type OAuthError = z.infer<typeof OAuthError>
