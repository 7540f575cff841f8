// The human summary of `privacy submit`: the time held back by the rate limit is said only when there was some.
import { Chalk } from 'chalk'
import { describe, expect, it } from 'vitest'
import { renderBulkSummary } from '../../src/cli/render-privacy.js'
import type { BulkSummary } from '../../src/core/bulk/model.js'

const plain = new Chalk({ level: 0 })
const summary: BulkSummary = {
  type: 'summary', rows: 5000, valid: 5000, invalid: 0, in_file_duplicates: 0, accepted: 5000, duplicate: 0, rejected: 0,
  failed: 0, planned: 0, resumed: 0, retried: 10, batches: 502, rate_limited: 2, dry_run: false, batch_id: 'b',
  journal: null, elapsed_ms: 12_400, rate_limit_wait_ms: 9_050, rows_per_second: 403, unread: null,
}

describe('bulk summary', () => {
  it('says how long the run waited on the rate limit, of how long, and how many 429s it got', () => {
    expect(renderBulkSummary(summary, plain).split('\n')).toContain("  waited 9.1 s of 12 s on the platform's rate limit · 2 × 429, sent again")
  })

  it('leaves the 429s out when there were none', () => {
    expect(renderBulkSummary({ ...summary, rate_limited: 0 }, plain).split('\n')).toContain("  waited 9.1 s of 12 s on the platform's rate limit")
  })

  it('says nothing of a rate limit that never held the run back', () => {
    expect(renderBulkSummary({ ...summary, rate_limited: 0, rate_limit_wait_ms: 0 }, plain)).not.toContain('rate limit')
  })
})
