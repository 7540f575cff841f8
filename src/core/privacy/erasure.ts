// Erasure of the signed-in account: what the person must know and confirm before a request that cannot be undone.
import { endpoints, type Regulation } from '../contract/index.js'
import type { Deps } from '../ports.js'
import { type Created, createRequest } from './requests.js'

export interface ErasurePlan {
  account: { id: string; email: string; org: string }
  regulation: Regulation
  type: 'erasure' | 'ccpa_delete'
  grace_period_days: number
}

export async function planErasure(regulation: Regulation, deps: Pick<Deps, 'api'>): Promise<ErasurePlan> {
  const [me, discovery] = await Promise.all([deps.api.call(endpoints.me), deps.api.call(endpoints.privacyDiscovery)])
  return {
    account: { id: me.id, email: me.email, org: me.org.name },
    regulation,
    type: regulation === 'ccpa' ? 'ccpa_delete' : 'erasure',
    grace_period_days: discovery.erasure_grace_period_days,
  }
}

/** What is lost, in the words shown before the person types their email. */
export function erasureWarning(plan: ErasurePlan): string[] {
  return [
    `This asks the platform to erase the account ${plan.account.email} (${plan.account.id}) in ${plan.account.org}:`,
    '  · the account and its sign-ins, including every token on every machine',
    '  · its projects, sandboxes and registered credentials',
    '  · its consent records and privacy request history, except what the law requires the platform to keep',
    `After the identity is verified, a grace period of ${plan.grace_period_days} days starts; until it ends,`,
    '`clowdops privacy cancel ID` stops the erasure. After it, nothing can be recovered.',
  ]
}

/** The typed address must be the account's, ignoring surrounding spaces and case. */
export function confirmsErasure(typed: string, plan: ErasurePlan): boolean {
  return typed.trim().toLowerCase() === plan.account.email.toLowerCase()
}

export function requestErasure(plan: ErasurePlan, deps: Pick<Deps, 'api' | 'context' | 'pending'>): Promise<Created> {
  return createRequest({ type: plan.type, regulation: plan.regulation }, deps)
}
