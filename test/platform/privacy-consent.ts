// Consent records of the local platform: the latest choice per purpose and every write, applied or not.
import { CONSENT_PURPOSES, type Consent, type ConsentPurpose, type ConsentWrite, type PutConsent } from '../../src/core/contract/privacy.js'
import { randomBase62 } from './store.js'

export interface ConsentEvent {
  id: string
  purpose: ConsentPurpose
  state: PutConsent['state']
  collected_at: string
  method: PutConsent['method']
  outcome: ConsentWrite['outcome']
  created_at: string
}

export class ConsentBook {
  private readonly current = new Map<ConsentPurpose, Consent>()
  private readonly events: ConsentEvent[] = []
  /** Written into event ids so that writes recorded in the same millisecond still list newest first. */
  private sequence = 0

  constructor(private readonly now: () => number) {
    for (const purpose of CONSENT_PURPOSES) {
      this.current.set(purpose, { purpose, state: null, collected_at: null, method: null, version: 0 })
    }
  }

  list(): Consent[] {
    return CONSENT_PURPOSES.map((purpose) => this.get(purpose))
  }

  /**
   * A choice made earlier than the stored one loses (the person has changed their mind since); the same state again
   * changes nothing. Either way the write is recorded, so the history shows what arrived and what came of it.
   */
  write(purpose: ConsentPurpose, choice: PutConsent): ConsentWrite {
    const stored = this.get(purpose)
    let outcome: ConsentWrite['outcome']
    if (stored.collected_at !== null && Date.parse(choice.collected_at) < Date.parse(stored.collected_at)) outcome = 'stale'
    else if (stored.state === choice.state) outcome = 'unchanged'
    else outcome = 'applied'
    if (outcome === 'applied') {
      this.current.set(purpose, {
        purpose,
        state: choice.state,
        collected_at: new Date(choice.collected_at).toISOString(),
        method: choice.method,
        version: stored.version + 1,
      })
    }
    this.sequence += 1
    this.events.push({
      id: `cev_${this.sequence.toString().padStart(10, '0')}${randomBase62(8)}`,
      purpose,
      state: choice.state,
      collected_at: new Date(choice.collected_at).toISOString(),
      method: choice.method,
      outcome,
      created_at: new Date(this.now()).toISOString(),
    })
    return { consent: this.get(purpose), outcome }
  }

  history(purpose: ConsentPurpose): ConsentEvent[] {
    return this.events.filter((event) => event.purpose === purpose)
  }

  snapshot() {
    return structuredClone({ current: this.list(), events: this.events })
  }

  private get(purpose: ConsentPurpose): Consent {
    const consent = this.current.get(purpose)
    if (!consent) throw new Error(`no consent record for ${purpose}`)
    return { ...consent }
  }
}
