// The privacy laws a request can be made under, as data: one row per law, the one place to change when a law does.
// The contract's REGULATIONS enum, which rights each law grants (regulationsFor), the platform's deadlines, discovery
// and the CLI's validation all derive from this table.
//
// Sources: each row cites its statute (or, where the section was not checked, the act as a whole) and the date it
// took effect. Checked against the text of the law: Cal. Code Regs. tit. 11 §§7022 and 7026, ORS 646A.576 (Oregon)
// and N.J. Stat. §56:8-166.7 (New Jersey). The other rows are the statutes as known to their author and are to be
// reviewed against a maintained tracker, e.g. the IAPP US State Privacy Legislation Tracker
// (https://iapp.org/resources/article/us-state-privacy-legislation-tracker/). Periods are counted as the statutes say
// ("within 45 days after receipt").
import type { RequestType } from './privacy.js'

/** A period of time as a law states it: calendar days, business days (Monday to Friday) or calendar months. */
export interface LawPeriod {
  amount: number
  unit: 'days' | 'business_days' | 'months'
}

export interface PrivacyLaw {
  name: string
  jurisdiction: string
  /** The date (UTC, YYYY-MM-DD) the law took effect: a request cannot have been received under it before then. */
  effective: string
  /** The request types it grants, in the order shown. */
  rights: readonly RequestType[]
  /** Time to respond, from receipt of the request. */
  response: LawPeriod
  /** Rights answered faster than `response` (California opt-outs), with their own period. */
  faster?: { types: readonly RequestType[]; response: LawPeriod; source: string }
  /** The longest extension the law allows, and when; null: none. */
  extension: { max: LawPeriod; when: string } | null
  /**
   * An appeal of a refusal, where the law grants one: the time to decide it (and any extension of that), and the time
   * the person has to file it. Most statutes say "a reasonable period" to file: null there, and the platform's policy
   * applies.
   */
  appeal: { answer: LawPeriod; extension: LawPeriod | null; fileWithin: LawPeriod | null } | null
  /** What stops the clock while the organisation waits for the person (identity, a needed clarification). */
  pauses: readonly ('identity' | 'clarification')[]
  /** From when the person may complain to the organisation about the handling of a request; null: no such right. */
  complaintsFrom: string | null
  source: string
}

const days = (amount: number): LawPeriod => ({ amount, unit: 'days' })
const months = (amount: number): LawPeriod => ({ amount, unit: 'months' })

/** The rights most US state laws grant: confirm/access, correct, delete, portable copy, opt out of sale/targeted ads/profiling. */
const US_RIGHTS = ['access', 'rectification', 'erasure', 'portability', 'opt_out'] as const satisfies readonly RequestType[]
/** Utah and Iowa grant no right to correct. */
const US_RIGHTS_NO_CORRECTION = ['access', 'erasure', 'portability', 'opt_out'] as const satisfies readonly RequestType[]
const US_EXTENSION = { max: days(45), when: 'when reasonably necessary (complexity and number of requests), told to the person within the first 45 days' }

/** The common shape of a US state law: 45 days, one 45-day extension, an appeal decided in `appealDays`. */
function usState(
  name: string,
  jurisdiction: string,
  effective: string,
  source: string,
  appealDays: number,
  options: { rights?: readonly RequestType[]; response?: LawPeriod; appealExtension?: LawPeriod; noAppeal?: true } = {},
): PrivacyLaw {
  return {
    name,
    jurisdiction,
    effective,
    rights: options.rights ?? US_RIGHTS,
    response: options.response ?? days(45),
    extension: US_EXTENSION,
    appeal: options.noAppeal ? null : { answer: days(appealDays), extension: options.appealExtension ?? null, fileWithin: null },
    pauses: [],
    complaintsFrom: null,
    source,
  }
}

/**
 * Every law, keyed by the regulation id requests carry. GDPR rows come first: the first law granting a right is the
 * default regulation for it, and existing ids (gdpr, uk_gdpr, ccpa) must keep their meaning.
 */
export const PRIVACY_LAWS = {
  gdpr: {
    name: 'GDPR',
    jurisdiction: 'European Union / EEA',
    effective: '2018-05-25',
    rights: ['access', 'portability', 'erasure', 'rectification', 'restriction', 'objection'],
    response: months(1),
    extension: { max: months(2), when: 'where necessary (complexity and number of requests), told to the person within the first month' },
    // No appeal to the controller: the person may complain to a supervisory authority (Art. 77).
    appeal: null,
    pauses: [],
    complaintsFrom: null,
    source: 'Regulation (EU) 2016/679 Art. 12(3); periods counted per Regulation 1182/71',
  },
  uk_gdpr: {
    name: 'UK GDPR',
    jurisdiction: 'United Kingdom',
    effective: '2021-01-01',
    rights: ['access', 'portability', 'erasure', 'rectification', 'restriction', 'objection'],
    response: months(1),
    extension: { max: months(2), when: 'where necessary (complexity and number of requests), told to the person within the first month' },
    appeal: null,
    // Art. 12A UK GDPR (inserted by the Data (Use and Access) Act 2025): the period starts once identity is confirmed,
    // and stops while the controller waits for information it reasonably needs to clarify the request.
    pauses: ['identity', 'clarification'],
    // Data Protection Act 2018 s.164A (inserted by DUAA 2025 s.103): complaints to controllers, from 19 June 2026.
    complaintsFrom: '2026-06-19',
    source: 'UK GDPR Art. 12(3) and 12A; Data Protection Act 2018 s.164A (Data (Use and Access) Act 2025)',
  },
  ccpa: {
    name: 'CCPA',
    jurisdiction: 'California, US',
    effective: '2020-01-01',
    rights: ['ccpa_know', 'ccpa_delete', 'ccpa_opt_out'],
    response: days(45),
    // Opt-outs of sale/sharing: as soon as feasibly possible, at the latest 15 business days from receipt.
    faster: { types: ['ccpa_opt_out'], response: { amount: 15, unit: 'business_days' }, source: 'Cal. Code Regs. tit. 11 §7026(f)' },
    extension: { max: days(45), when: 'once, when reasonably necessary, told to the person within the first 45 days' },
    appeal: null,
    pauses: [],
    complaintsFrom: null,
    source: 'Cal. Civ. Code §1798.130(a)(2); Cal. Code Regs. tit. 11 §§7021, 7022, 7026',
  },
  us_va: usState('Virginia CDPA', 'Virginia, US', '2023-01-01', 'Va. Code §59.1-577', 60),
  us_co: usState('Colorado Privacy Act', 'Colorado, US', '2023-07-01', 'C.R.S. §6-1-1306', 45, { appealExtension: days(60) }),
  us_ct: usState('Connecticut DPA', 'Connecticut, US', '2023-07-01', 'Conn. Gen. Stat. §42-518', 60),
  // Utah grants no appeal of a refusal.
  us_ut: usState('Utah CPA', 'Utah, US', '2023-12-31', 'Utah Code §§13-61-201 (rights), 13-61-203 (responses)', 0, { rights: US_RIGHTS_NO_CORRECTION, noAppeal: true }),
  us_tx: usState('Texas DPSA', 'Texas, US', '2024-07-01', 'Tex. Bus. & Com. Code §§541.052, 541.053', 60),
  us_or: usState('Oregon CPA', 'Oregon, US', '2024-07-01', 'ORS 646A.576', 45),
  us_mt: usState('Montana CDPA', 'Montana, US', '2024-10-01', 'Mont. Code Ann. Title 30, ch. 14, part 28 (MCDPA)', 60),
  us_ia: usState('Iowa CDPA', 'Iowa, US', '2025-01-01', 'Iowa Code §715D.4', 60, { rights: US_RIGHTS_NO_CORRECTION, response: days(90) }),
  us_de: usState('Delaware PDPA', 'Delaware, US', '2025-01-01', 'Del. Code tit. 6, ch. 12D (DPDPA)', 60),
  us_ne: usState('Nebraska DPA', 'Nebraska, US', '2025-01-01', 'Neb. Rev. Stat. §87-1101 et seq. (Nebraska Data Privacy Act)', 60),
  us_nh: usState('New Hampshire privacy law', 'New Hampshire, US', '2025-01-01', 'N.H. RSA ch. 507-H', 60),
  us_nj: usState('New Jersey DPA', 'New Jersey, US', '2025-01-15', 'N.J. Stat. §56:8-166.7 (response), §56:8-166.4 et seq.', 45),
  us_tn: usState('Tennessee IPA', 'Tennessee, US', '2025-07-01', 'Tenn. Code Ann. §47-18-3301 et seq. (TIPA)', 60),
  us_mn: usState('Minnesota CDPA', 'Minnesota, US', '2025-07-31', 'Minn. Stat. ch. 325M (§325M.14 consumer rights)', 45, { appealExtension: days(60) }),
  us_md: usState('Maryland ODPA', 'Maryland, US', '2025-10-01', 'Md. Code Com. Law §14-4701 et seq. (MODPA)', 60),
  us_in: usState('Indiana CDPA', 'Indiana, US', '2026-01-01', 'Ind. Code art. 24-15 (ch. 3 rights, ch. 4 responses)', 60),
  us_ky: usState('Kentucky CDPA', 'Kentucky, US', '2026-01-01', 'KRS 367.3611 et seq. (KCDPA)', 60),
  us_ri: usState('Rhode Island DTPPA', 'Rhode Island, US', '2026-01-01', 'R.I. Gen. Laws ch. 6-48.1 (RIDTPPA)', 60),
} satisfies Record<string, PrivacyLaw>

export type Regulation = keyof typeof PRIVACY_LAWS

/** Every regulation id, in the table's order. */
export const REGULATIONS = Object.keys(PRIVACY_LAWS) as [Regulation, ...Regulation[]]

export function lawOf(regulation: Regulation): PrivacyLaw {
  return PRIVACY_LAWS[regulation]
}
