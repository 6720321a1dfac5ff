import type { Hash } from 'viem'
import type { Store } from '../../store/openStore.js'
import type { Incident } from '../risk.js'

/**
 * The store side of responses: incidents and one row per (incident, response). A response is
 * *claimed* (row inserted) before its transaction is signed, and *signed* (the signed transactions
 * stored) before the first broadcast; a monitor killed at any point and restarted finds the row and
 * finishes it without responding twice: a `signed` row is finished by re-sending exactly the stored
 * transactions (their nonces make a second copy impossible); a `claimed` row (killed before
 * signing: nothing left the process) is taken over once and sent after the on-chain re-check.
 */
export type ResponseStatus = 'claimed' | 'signed' | 'broadcast' | 'mined' | 'reverted' | 'failed' | 'skipped'

export type ResponseRecord = {
  incidentKey: string
  response: string
  kind: string
  chainId: number
  status: ResponseStatus
  score: number
  txHashes: Hash[]
  detail: Record<string, unknown>
  seenAt: Date
  decidedAt: Date
  broadcastAt: Date | null
  minedAt: Date | null
}

/**
 * Inserts the claim; false when this (incident, response) was claimed before (by us before a
 * restart, or by another monitor) and has not failed. A response that ended `failed` or `reverted`
 * (every attempt spent) is claimed again: a failure never blocks a later finding's response.
 */
export async function claimResponse(
  store: Store,
  claim: { incidentKey: string; response: string; kind: string; chainId: number; score: number; seenAt: Date; decidedAt: Date; detail: Record<string, unknown> },
): Promise<boolean> {
  const rows = await store.query<{ incident_key: string }>(
    `INSERT INTO monitor_responses (incident_key, response, kind, chain_id, status, score, detail, seen_at, decided_at)
     VALUES ($1, $2, $3, $4, 'claimed', $5, $6, $7, $8)
     ON CONFLICT (incident_key, response) DO UPDATE SET status = 'claimed', score = EXCLUDED.score, seen_at = EXCLUDED.seen_at,
       decided_at = EXCLUDED.decided_at, tx_hash = NULL, broadcast_at = NULL, mined_at = NULL,
       detail = (monitor_responses.detail - 'raw' - 'resumedBy') || jsonb_build_object('previousFailure', monitor_responses.detail->'error',
         'reclaims', COALESCE((monitor_responses.detail->>'reclaims')::int, 0) + 1) || EXCLUDED.detail
     WHERE monitor_responses.status IN ('failed', 'reverted')
     RETURNING incident_key`,
    [claim.incidentKey, claim.response, claim.kind, claim.chainId, claim.score, JSON.stringify(claim.detail), claim.seenAt, claim.decidedAt],
  )
  return rows.length === 1
}

/** Marks a dead process's `claimed` row as taken over; false when another monitor took it first or it moved on. */
export async function takeOverClaim(store: Store, key: { incidentKey: string; response: string }, by: string): Promise<boolean> {
  const rows = await store.query<{ incident_key: string }>(
    `UPDATE monitor_responses SET detail = detail || $3::jsonb
     WHERE incident_key = $1 AND response = $2 AND status = 'claimed' AND NOT (detail ? 'resumedBy') RETURNING incident_key`,
    [key.incidentKey, key.response, JSON.stringify({ resumedBy: by })],
  )
  return rows.length === 1
}

export async function updateResponse(
  store: Store,
  key: { incidentKey: string; response: string },
  update: { status: ResponseStatus; txHashes?: readonly Hash[] | undefined; broadcastAt?: Date | undefined; minedAt?: Date | undefined; detail?: Record<string, unknown> | undefined },
): Promise<void> {
  await store.query(
    `UPDATE monitor_responses SET status = $3,
       tx_hash = COALESCE($4, tx_hash), broadcast_at = COALESCE($5, broadcast_at), mined_at = COALESCE($6, mined_at),
       detail = detail || $7::jsonb
     WHERE incident_key = $1 AND response = $2`,
    [
      key.incidentKey,
      key.response,
      update.status,
      update.txHashes && update.txHashes.length > 0 ? update.txHashes.join(',') : null,
      update.broadcastAt ?? null,
      update.minedAt ?? null,
      JSON.stringify(update.detail ?? {}),
    ],
  )
}

type ResponseRow = {
  incident_key: string
  response: string
  kind: string
  chain_id: string | number
  status: ResponseStatus
  score: number
  tx_hash: string | null
  detail: unknown
  seen_at: Date | string
  decided_at: Date | string
  broadcast_at: Date | string | null
  mined_at: Date | string | null
}

export async function listResponses(store: Store, filter: { chainId?: number | undefined; incidentKey?: string | undefined } = {}): Promise<ResponseRecord[]> {
  const rows = await store.query<ResponseRow>(
    `SELECT * FROM monitor_responses WHERE ($1::bigint IS NULL OR chain_id = $1) AND ($2::text IS NULL OR incident_key = $2) ORDER BY decided_at, incident_key, response`,
    [filter.chainId ?? null, filter.incidentKey ?? null],
  )
  return rows.map((row) => ({
    incidentKey: row.incident_key,
    response: row.response,
    kind: row.kind,
    chainId: Number(row.chain_id),
    status: row.status,
    score: row.score,
    txHashes: row.tx_hash ? (row.tx_hash.split(',') as Hash[]) : [],
    detail: (typeof row.detail === 'string' ? JSON.parse(row.detail) : row.detail) as Record<string, unknown>,
    seenAt: new Date(row.seen_at),
    decidedAt: new Date(row.decided_at),
    broadcastAt: row.broadcast_at ? new Date(row.broadcast_at) : null,
    minedAt: row.mined_at ? new Date(row.mined_at) : null,
  }))
}

export async function saveIncident(store: Store, incident: Incident): Promise<void> {
  await store.query(
    `INSERT INTO monitor_incidents (key, chain_id, target, first_seen, last_seen, score, detectors, alert_ids, advisory_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (key) DO UPDATE SET last_seen = GREATEST(monitor_incidents.last_seen, EXCLUDED.last_seen),
       score = GREATEST(monitor_incidents.score, EXCLUDED.score), detectors = EXCLUDED.detectors, alert_ids = EXCLUDED.alert_ids,
       advisory_id = COALESCE(monitor_incidents.advisory_id, EXCLUDED.advisory_id), updated_at = now()`,
    [incident.key, incident.chain, incident.target, incident.firstSeen, incident.lastSeen, incident.score, JSON.stringify(incident.detectors), JSON.stringify(incident.alertIds.slice(-500)), incident.advisoryId],
  )
}

type IncidentRow = { key: string; chain_id: string | number; target: string; first_seen: string | number; last_seen: string | number; score: number; detectors: unknown; alert_ids: unknown; advisory_id: string | null }

/** The chain's most recently updated incidents (what a restarted monitor's roll-up continues from). */
export async function loadIncidents(store: Store, chainId: number, { limit = 1000 }: { limit?: number } = {}): Promise<Incident[]> {
  const rows = await store.query<IncidentRow>(`SELECT * FROM monitor_incidents WHERE chain_id = $1 ORDER BY updated_at DESC LIMIT $2`, [chainId, limit])
  const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value) as string[]
  return rows.map((row) => ({
    key: row.key,
    chain: Number(row.chain_id),
    target: row.target,
    firstSeen: Number(row.first_seen),
    lastSeen: Number(row.last_seen),
    score: row.score,
    detectors: json(row.detectors),
    alertIds: json(row.alert_ids),
    pending: false,
    advisoryId: row.advisory_id,
  }))
}
