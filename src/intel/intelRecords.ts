import type { Store } from '../store/openStore.js'
import type { RejectedEntry } from './readFeed.js'
import type { IntelMatch } from './matchAdvisories.js'

export type FeedScanRecord = { id: number; feedHash: string; locations: string[]; advisoryCount: number; rejected: RejectedEntry[]; matchCount: number; scannedAt: Date }

/** The most recent scan, to tell whether the feed changed since. */
export async function getLastFeedScan(store: Pick<Store, 'query'>): Promise<FeedScanRecord | undefined> {
  const [row] = await store.query<{ id: number; feed_hash: string; locations: string[]; advisory_count: number; rejected: unknown; match_count: number; scanned_at: Date | string }>(
    'SELECT id, feed_hash, locations, advisory_count, rejected, match_count, scanned_at FROM intel_feed_scans ORDER BY id DESC LIMIT 1',
  )
  if (!row) return undefined
  return {
    id: Number(row.id),
    feedHash: row.feed_hash,
    locations: row.locations,
    advisoryCount: Number(row.advisory_count),
    rejected: (typeof row.rejected === 'string' ? JSON.parse(row.rejected) : row.rejected) as RejectedEntry[],
    matchCount: Number(row.match_count),
    scannedAt: new Date(row.scanned_at),
  }
}

export type RecordedMatch = IntelMatch & { new: boolean; lifecycleAdvisoryId: string | null; firstSeenAt: Date }

/**
 * Records a scan and its matches in one transaction. A match already recorded (same advisory,
 * chain and implementation) is updated and marked `new: false`, so it is never reported twice.
 */
export async function recordScan(
  store: Pick<Store, 'transaction'>,
  { feedHash, locations, advisoryCount, rejected, matches }: { feedHash: string; locations: readonly string[]; advisoryCount: number; rejected: readonly RejectedEntry[]; matches: readonly IntelMatch[] },
): Promise<RecordedMatch[]> {
  return store.transaction(async (tx) => {
    const recorded: RecordedMatch[] = []
    for (const match of matches) {
      const [row] = await tx.query<{ inserted: boolean; lifecycle_advisory_id: string | null; first_seen_at: Date | string }>(
        `INSERT INTO intel_matches (advisory_id, chain, implementation, proxy, severity, evidence)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (advisory_id, chain, implementation)
         DO UPDATE SET proxy = EXCLUDED.proxy, severity = EXCLUDED.severity, evidence = EXCLUDED.evidence, last_seen_at = now()
         RETURNING (xmax = 0) AS inserted, lifecycle_advisory_id, first_seen_at`,
        [match.advisoryId, match.chain, match.address, match.proxy ?? null, match.severity, JSON.stringify(match.evidence)],
      )
      recorded.push({ ...match, new: Boolean(row?.inserted), lifecycleAdvisoryId: row?.lifecycle_advisory_id ?? null, firstSeenAt: new Date(row?.first_seen_at ?? Date.now()) })
    }
    await tx.query('INSERT INTO intel_feed_scans (feed_hash, locations, advisory_count, rejected, match_count) VALUES ($1, $2, $3, $4, $5)', [
      feedHash,
      [...locations],
      advisoryCount,
      JSON.stringify(rejected),
      matches.length,
    ])
    return recorded
  })
}

/** Remembers which lifecycle advisory a match opened, so the next scan updates it instead of opening another. */
export async function linkMatchToLifecycle(
  store: Pick<Store, 'query'>,
  { advisoryId, chain, implementation, lifecycleAdvisoryId }: { advisoryId: string; chain: string; implementation: string; lifecycleAdvisoryId: string },
): Promise<void> {
  await store.query('UPDATE intel_matches SET lifecycle_advisory_id = $4 WHERE advisory_id = $1 AND chain = $2 AND implementation = $3', [
    advisoryId,
    chain,
    implementation,
    lifecycleAdvisoryId,
  ])
}
