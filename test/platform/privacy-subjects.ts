// The people privacy requests can be about: the seeded account, accounts a test adds, and people first named by email
// in a batch. Each has an account id, since a request's subject always carries one.
import { randomBase62 } from './store.js'

export interface Subject {
  account_id: string
  email: string
}

/** How a batch item names its person, resolved: who it is, or why it names no one (or two different people). */
export type SubjectLookup =
  | { found: Subject }
  | { unknownEmail: string }
  | { error: 'subject_not_found' | 'subject_mismatch'; field: string; message: string }

/** Trimmed, domain lowercased: the local part may be case-sensitive (RFC 5321), the domain never is. */
export function normaliseEmail(email: string): string {
  const trimmed = email.trim()
  const at = trimmed.lastIndexOf('@')
  return at === -1 ? trimmed : `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`
}

export class SubjectRegistry {
  private readonly byId = new Map<string, Subject>()
  private readonly byEmail = new Map<string, Subject>()

  constructor(seeded: Subject) {
    this.register(seeded)
  }

  /** The person with this email, added if the platform has not seen it yet. */
  ensure(email: string): Subject {
    const normalised = normaliseEmail(email)
    const known = this.byEmail.get(normalised)
    if (known) return known
    const subject = { account_id: `usr_${randomBase62(16)}`, email: normalised }
    this.register(subject)
    return subject
  }

  /**
   * Who an item is for, without adding anyone: an account id must be known, and an email next to it must be that
   * account's. An email alone that no one has yet is `unknownEmail`, which `ensure` turns into a new person.
   */
  lookup(named: { email?: string | undefined; account_id?: string | undefined }): SubjectLookup {
    const email = named.email === undefined ? undefined : normaliseEmail(named.email)
    if (named.account_id !== undefined) {
      const account = this.byId.get(named.account_id)
      if (!account) return { error: 'subject_not_found', field: 'subject.account_id', message: `No account ${named.account_id}.` }
      if (email !== undefined && email !== account.email) {
        return { error: 'subject_mismatch', field: 'subject.email', message: `${email} is not the email of account ${named.account_id}.` }
      }
      return { found: account }
    }
    // The contract requires an email or an account id; this only keeps the lookup total.
    if (email === undefined) return { error: 'subject_not_found', field: 'subject', message: 'The item names no one.' }
    const known = this.byEmail.get(email)
    return known ? { found: known } : { unknownEmail: email }
  }

  private register(subject: Subject): void {
    const stored = { account_id: subject.account_id, email: normaliseEmail(subject.email) }
    this.byId.set(stored.account_id, stored)
    this.byEmail.set(stored.email, stored)
  }
}
