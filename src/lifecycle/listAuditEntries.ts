import { z } from 'zod'
import type { LifecycleContext } from './context.js'
import type { AuditEntry } from './appendAuditEntry.js'
import { parseInput } from './input.js'
import { assertCan } from './permissions.js'
import type { Actor } from './types.js'

export const listAuditEntriesFilterSchema = z
  .object({
    /** First seq to return (default 1). */
    fromSeq: z.number().int().min(1).default(1),
    limit: z.number().int().min(1).max(10_000).default(100),
    action: z.string().min(1).optional(),
  })
  .strict()

export type ListAuditEntriesFilter = z.input<typeof listAuditEntriesFilterSchema>

/** Audit entries in seq order, as stored (admins and auditors only: the log holds embargoed details). */
export async function listAuditEntries(context: Pick<LifecycleContext, 'store'>, filter: ListAuditEntriesFilter, actor: Actor): Promise<AuditEntry[]> {
  assertCan(actor, 'audit:read')
  const { fromSeq, limit, action } = parseInput(listAuditEntriesFilterSchema, filter)
  const rows = await context.store.query<{ seq: string | number; prev_hash: string; hash: string; time: string; actor: string; action: string; payload: string; key_id: string; signature: string }>(
    `SELECT seq, prev_hash, hash, time, actor, action, payload, key_id, signature FROM audit_log
     WHERE seq >= $1 AND ($2::text IS NULL OR action = $2) ORDER BY seq LIMIT $3`,
    [fromSeq, action ?? null, limit],
  )
  return rows.map((row) => ({
    seq: Number(row.seq),
    prevHash: row.prev_hash as `0x${string}`,
    hash: row.hash as `0x${string}`,
    time: row.time,
    actor: safeJson(row.actor) as AuditEntry['actor'],
    action: row.action,
    payload: safeJson(row.payload) as Record<string, unknown>,
    keyId: row.key_id,
    signature: row.signature as `0x${string}`,
  }))
}

/** A tampered row may hold anything; listing it must still work (verify says what is wrong). */
function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return { unparsable: text }
  }
}
