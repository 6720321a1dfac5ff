import { createHash } from 'node:crypto'
import type { Transaction } from '../store/openStore.js'
import { canonicalJson } from '../store/canonicalJson.js'

/**
 * State tables bound to the audit log. A trigger (migration 45) notes every row a transaction
 * inserts, updates or deletes; the audit entry appended in that transaction carries each such row's
 * hash (sha256 of its canonical content), so `audit verify` can tell a row edited outside Bulwark
 * (`UPDATE api_tokens SET roles = '{admin}'`) from one Bulwark wrote. Columns that change without an
 * audited action (a token's last use) are left out of the hash and do not fire the trigger.
 */
export const auditedTables = {
  api_tokens: { key: 'id', unhashed: ['last_used_at'] },
  advisories: { key: 'id', unhashed: [] },
  patches: { key: 'id', unhashed: [] },
} as const satisfies Record<string, { key: string; unhashed: readonly string[] }>

export type AuditedTable = keyof typeof auditedTables

export function isAuditedTable(name: string): name is AuditedTable {
  return Object.hasOwn(auditedTables, name)
}

/** One row an entry binds: its table, key and content hash (`null`: the row was deleted). `legacy`: a row written before binding existed. */
export type StateBinding = { table: AuditedTable; key: string; hash: `0x${string}` | null; legacy?: true }

const timestamp = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}(:?\d{2})?|Z)$/

/**
 * The hash of a row as `to_jsonb(row)` gives it. Timestamps are written in the session's time zone,
 * so they are normalized to UTC milliseconds first: two hosts with different zones hash alike.
 */
export function stateRowHash(table: AuditedTable, row: Record<string, unknown>): `0x${string}` {
  const unhashed: readonly string[] = auditedTables[table].unhashed
  const normalized = Object.fromEntries(
    Object.entries(row)
      .filter(([column]) => !unhashed.includes(column))
      .map(([column, value]) => [column, typeof value === 'string' && timestamp.test(value) ? new Date(value).toISOString() : value]),
  )
  return `0x${createHash('sha256').update(canonicalJson(normalized)).digest('hex')}`
}

/** Current content hashes of the given rows of one table (absent keys: deleted rows). */
export async function readStateHashes(tx: Pick<Transaction, 'query'>, table: AuditedTable, keys?: readonly string[]): Promise<Map<string, `0x${string}`>> {
  const { key } = auditedTables[table]
  // table and key come from the constant list above, never from input
  const rows = await tx.query<{ row_key: string; row: Record<string, unknown> | string }>(
    `SELECT t.${key}::text AS row_key, to_jsonb(t) AS row FROM ${table} t${keys ? ` WHERE t.${key}::text = ANY($1::text[])` : ''}`,
    keys ? [[...keys]] : [],
  )
  return new Map(rows.map((r) => [r.row_key, stateRowHash(table, typeof r.row === 'string' ? (JSON.parse(r.row) as Record<string, unknown>) : r.row)]))
}

/** A statement that claims: its rows carry the claimed pending rows' columns (all null on a row that claimed nothing). */
export type ClaimedRow = { txid: string | number | null; table_name: string | null; row_key: string | null; row: Record<string, unknown> | string | null }

/**
 * The claim in one statement: takes the transaction's pending rows (and the pre-binding ones) off the
 * list and reads each row's content beside it. Table and key names come from `auditedTables`, never
 * from input. `before`: a data-modifying CTE to run in the same statement (one that writes no
 * audited table, e.g. a transition row); its `RETURNING` is read through `(SELECT … FROM <name>)` in
 * `beside`, and one row comes back even when nothing was claimed.
 */
export function claimSql({ before, beside }: { before?: string; beside?: string } = {}): string {
  const rowOf = `CASE c.table_name ${Object.entries(auditedTables)
    .map(([table, { key }]) => `WHEN '${table}' THEN (SELECT to_jsonb(t) FROM ${table} t WHERE t.${key}::text = c.row_key)`)
    .join(' ')} END`
  const claimed = 'claimed AS (DELETE FROM audit_pending_rows WHERE txid = txid_current() OR txid = 0 RETURNING txid, table_name, row_key)'
  if (before === undefined) return `WITH ${claimed} SELECT c.txid, c.table_name, c.row_key, ${rowOf} AS row FROM claimed c`
  return `WITH ${before}, ${claimed} SELECT ${beside ?? 'NULL'} AS beside, c.txid, c.table_name, c.row_key, ${rowOf} AS row FROM (SELECT 1) AS one LEFT JOIN claimed c ON true`
}

/** The bindings a claim's rows give, sorted by table and key. */
export function bindingsOf(claimed: readonly ClaimedRow[]): StateBinding[] {
  const bindings: StateBinding[] = []
  for (const { txid, table_name: table, row_key: key, row } of claimed) {
    if (table === null || key === null || !isAuditedTable(table)) continue
    const hash = row === null ? null : stateRowHash(table, typeof row === 'string' ? (JSON.parse(row) as Record<string, unknown>) : row)
    bindings.push({ table, key, hash, ...(Number(txid) === 0 ? { legacy: true as const } : {}) })
  }
  return bindings.sort((a, b) => (a.table === b.table ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.table < b.table ? -1 : 1))
}

/**
 * Takes the rows this transaction changed (and, once, the rows that existed before binding was
 * introduced) off the pending list and returns their bindings, sorted. One round trip.
 */
export async function claimPendingState(tx: Pick<Transaction, 'query'>): Promise<StateBinding[]> {
  return bindingsOf(await tx.query<ClaimedRow>(claimSql()))
}
