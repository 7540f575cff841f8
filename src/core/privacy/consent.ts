// Consent for the non-essential purposes: what is stored, and grants and withdrawals recorded with when they were made.
import { z } from 'zod'
import { Consent, ConsentEvent, type ConsentPurpose, type ConsentWrite, endpoints } from '../contract/index.js'
import { collectPages, type Listed } from '../pagination.js'
import type { Deps } from '../ports.js'

/** `privacy consent list`: the stored choice for each purpose. */
export const Consents = z.array(Consent)
/** `privacy consent history`: every write for a purpose, newest first. */
export const ConsentHistory = z.array(ConsentEvent)
export type ConsentHistory = z.infer<typeof ConsentHistory>

export async function listConsents(deps: Pick<Deps, 'api'>): Promise<Consent[]> {
  return (await deps.api.call(endpoints.listConsents)).data
}

/**
 * Grant and withdraw are the same call with the other state: withdrawing is exactly as easy as granting. The choice is
 * stamped with the time it was made here, so a retry that arrives after a newer choice from elsewhere is not applied.
 */
export async function setConsent(
  purpose: ConsentPurpose,
  state: 'granted' | 'withdrawn',
  deps: Pick<Deps, 'api' | 'clock'>,
): Promise<ConsentWrite> {
  return deps.api.call(endpoints.putConsent, {
    params: { purpose },
    body: { state, collected_at: deps.clock.now().toISOString(), method: 'cli' },
  })
}

export async function consentHistory(purpose: ConsentPurpose, limit: number, deps: Pick<Deps, 'api'>): Promise<Listed<ConsentEvent>> {
  return collectPages((query) => deps.api.call(endpoints.consentHistory, { params: { purpose }, query }), limit)
}
