import { keccak256, toHex, type Hash } from 'viem'
import type { Store, Transaction } from '../store/openStore.js'
import type { Alert, DetectorFinding, Severity } from './types.js'

const severityScore: Record<Severity, number> = { info: 5, low: 20, medium: 45, high: 70, critical: 90 }

/**
 * The alert for a finding before any risk roll-up or response: a stable id derived from where it
 * was found (chain, block hash or 'pending', tx, detector, ordinal), so re-processing a block after
 * a crash yields the same ids and inserts nothing twice.
 */
export function alertOfFinding(finding: DetectorFinding, ordinal: number, raisedAt = new Date()): Alert {
  const where = `${finding.chain}:${finding.block?.hash ?? 'pending'}:${finding.tx ?? '-'}:${finding.detector}:${ordinal}`
  return {
    id: keccak256(toHex(where)).slice(0, 34),
    detector: finding.detector,
    severity: finding.severity,
    chain: finding.chain,
    block: finding.block ? { number: finding.block.number.toString(), hash: finding.block.hash } : null,
    tx: finding.tx ?? null,
    addresses: finding.addresses,
    summary: finding.summary,
    evidence: finding.evidence,
    pending: finding.pending,
    riskScore: severityScore[finding.severity],
    response: { kind: 'none' },
    raisedAt: raisedAt.toISOString(),
  }
}

/** Inserts alerts; an alert whose id is already stored is left as it is. Returns those newly stored. */
export async function saveAlerts(db: Pick<Store, 'query'> | Transaction, alerts: readonly Alert[]): Promise<Alert[]> {
  const saved: Alert[] = []
  for (const alert of alerts) {
    const rows = await db.query(
      `INSERT INTO monitor_alerts (id, chain_id, detector, severity, block_number, block_hash, tx_hash, pending, alert, raised_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [alert.id, alert.chain, alert.detector, alert.severity, alert.block?.number ?? null, alert.block?.hash ?? null, alert.tx, alert.pending, JSON.stringify(alert), alert.raisedAt],
    )
    if (rows.length > 0) saved.push(alert)
  }
  return saved
}

/** Marks every live alert of the chain found in a block above `aboveBlock` as retracted (a reorg dropped the block). */
export async function retractAlerts(db: Pick<Store, 'query'> | Transaction, { chainId, aboveBlock, reason }: { chainId: number; aboveBlock: bigint; reason: string }): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `UPDATE monitor_alerts SET retracted_at = now(), retracted_reason = $3
     WHERE chain_id = $1 AND block_number > $2 AND retracted_at IS NULL RETURNING id`,
    [chainId, aboveBlock.toString(), reason],
  )
  return rows.map((row) => row.id)
}

export type StoredAlert = Alert & { retracted: boolean; blockHash: Hash | null }

/** Alerts of a chain in raising order (live ones only unless `includeRetracted`). */
export async function listAlerts(store: Pick<Store, 'query'>, { chainId, includeRetracted = false }: { chainId: number; includeRetracted?: boolean }): Promise<StoredAlert[]> {
  const rows = await store.query<{ alert: Alert | string; retracted_at: unknown; block_hash: Hash | null }>(
    `SELECT alert, retracted_at, block_hash FROM monitor_alerts WHERE chain_id = $1 ${includeRetracted ? '' : 'AND retracted_at IS NULL'}
     ORDER BY block_number NULLS LAST, raised_at, id`,
    [chainId],
  )
  return rows.map((row) => ({ ...(typeof row.alert === 'string' ? (JSON.parse(row.alert) as Alert) : row.alert), retracted: row.retracted_at !== null, blockHash: row.block_hash }))
}
