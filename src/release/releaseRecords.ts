import type { Hash, Hex } from 'viem'
import type { Store, Transaction } from '../store/openStore.js'
import { StoreError } from '../store/errors.js'
import { ReleaseAlreadyExecutedError, ReleaseNotFoundError, ReleasePlanInvalidError } from './errors.js'
import type { PlannedSafeTransaction, ReleaseRouteName, SignedReleasePlan } from './plan.js'

/**
 * The `releases` table (migration 20): one stored plan per patch and its progress
 * `planned → scheduled → released → verified`, with the transaction of every executed step in
 * `release_executions` (primary key patch × step: a step is recorded once, never twice).
 */
export const releaseStatuses = ['planned', 'scheduled', 'released', 'verified'] as const
export type ReleaseStatus = (typeof releaseStatuses)[number]

export type ReleaseExecution = { step: number; purpose: PlannedSafeTransaction['purpose']; safeTxHash: Hex; transactionHash: Hash; blockNumber: bigint; executedAt: Date }

export type ReleaseRecord = {
  patchId: string
  route: ReleaseRouteName
  chainId: number
  plan: SignedReleasePlan
  planHash: Hex
  reportHash: Hex
  /** The public validation report (`{ hash, ...document }`) the plan was built from. */
  report: Record<string, unknown> & { hash: Hex }
  status: ReleaseStatus
  executions: ReleaseExecution[]
  createdAt: Date
  scheduledAt: Date | null
  releasedAt: Date | null
  verifiedAt: Date | null
}

type Query = Pick<Store, 'query'> | Pick<Transaction, 'query'>

type ReleaseRow = {
  patch_id: string
  route: ReleaseRouteName
  chain_id: string | number
  plan: SignedReleasePlan
  plan_hash: string
  report_hash: string
  report: Record<string, unknown> & { hash: Hex }
  status: ReleaseStatus
  created_at: Date | string
  scheduled_at: Date | string | null
  released_at: Date | string | null
  verified_at: Date | string | null
}

type ExecutionRow = { step: number; purpose: PlannedSafeTransaction['purpose']; safe_tx_hash: string; tx_hash: string; block_number: string | number; executed_at: Date | string }

const date = (value: Date | string | null): Date | null => (value === null ? null : new Date(value))

/**
 * Stores the plan of a patch. A patch has one release: planning again is refused unless `replace`
 * is set and nothing of the stored plan has executed yet.
 * @throws {ReleasePlanInvalidError} a plan is stored already (without `replace`).
 * @throws {ReleaseAlreadyExecutedError} the stored plan has executed a step.
 */
export async function saveReleasePlan(store: Pick<Store, 'transaction'>, { plan, report, replace = false }: { plan: SignedReleasePlan; report: Record<string, unknown> & { hash: Hex }; replace?: boolean }): Promise<ReleaseRecord> {
  return store.transaction(async (tx) => {
    const existing = await loadReleaseRow(tx, plan.patchId, { forUpdate: true })
    if (existing) {
      const executed = await tx.query<{ n: string | number }>('SELECT count(*) AS n FROM release_executions WHERE patch_id = $1', [plan.patchId])
      if (existing.status !== 'planned' || Number(executed[0]?.n ?? 0) > 0) throw new ReleaseAlreadyExecutedError({ patchId: plan.patchId, where: `the store records its release as ${existing.status}` })
      if (!replace) throw new ReleasePlanInvalidError({ reason: `patch ${plan.patchId} already has a stored plan (${existing.plan_hash}); pass --replace to build a new one.` })
      await tx.query('DELETE FROM releases WHERE patch_id = $1', [plan.patchId])
    }
    await tx.query(
      `INSERT INTO releases (patch_id, route, chain_id, plan, plan_hash, report_hash, report, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'planned', $8, $8)`,
      [plan.patchId, plan.route.name, plan.chain.chainId, JSON.stringify(plan), plan.hash, plan.reportHash.toLowerCase(), JSON.stringify(report), new Date(plan.createdAt)],
    )
    return (await loadReleaseIn(tx, plan.patchId))!
  })
}

/** @throws {ReleaseNotFoundError} no plan is stored for the patch. */
export async function loadRelease(store: Query, patchId: string): Promise<ReleaseRecord> {
  const record = await loadReleaseIn(store, patchId)
  if (!record) throw new ReleaseNotFoundError({ patchId })
  return record
}

/** The step of the plan to execute next (undefined: every step has executed). */
export function nextReleaseStep(record: ReleaseRecord): number | undefined {
  const done = new Set(record.executions.map((execution) => execution.step))
  const next = record.plan.safeTransactions.findIndex((_, index) => !done.has(index))
  return next === -1 ? undefined : next
}

/**
 * Records an executed step and moves the release forward (`scheduled` after a schedule step,
 * `released` after the last one). The primary key (patch, step) and the unique transaction hash
 * make a second record of the same execution fail: `BW_RELEASE_ALREADY_EXECUTED`.
 */
export async function recordReleaseExecution(
  store: Pick<Store, 'transaction'>,
  { patchId, step, purpose, safeTxHash, transactionHash, blockNumber, at = new Date() }: { patchId: string; step: number; purpose: PlannedSafeTransaction['purpose']; safeTxHash: Hex; transactionHash: Hash; blockNumber: bigint; at?: Date },
): Promise<ReleaseRecord> {
  return store.transaction(async (tx) => {
    const row = await loadReleaseRow(tx, patchId, { forUpdate: true })
    if (!row) throw new ReleaseNotFoundError({ patchId })
    const last = step === row.plan.safeTransactions.length - 1
    if (row.status === 'released' || row.status === 'verified') throw new ReleaseAlreadyExecutedError({ patchId, where: `the store records its release as ${row.status}` })
    try {
      await tx.query('INSERT INTO release_executions (patch_id, step, purpose, safe_tx_hash, tx_hash, block_number, executed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        patchId,
        step,
        purpose,
        safeTxHash.toLowerCase(),
        transactionHash.toLowerCase(),
        blockNumber.toString(),
        at,
      ])
    } catch (error) {
      if (error instanceof StoreError && /duplicate key|unique/i.test(String((error.cause as Error | undefined)?.message ?? error.message))) {
        throw new ReleaseAlreadyExecutedError({ patchId, where: `step ${step} (${purpose}) is recorded as executed` })
      }
      throw error
    }
    const status: ReleaseStatus = last ? 'released' : 'scheduled'
    await tx.query(
      `UPDATE releases SET status = $2, tx_hashes = tx_hashes || $3::jsonb, updated_at = $4,
         scheduled_at = CASE WHEN $2 = 'scheduled' THEN $4 ELSE scheduled_at END,
         released_at = CASE WHEN $2 = 'released' THEN $4 ELSE released_at END
       WHERE patch_id = $1`,
      [patchId, status, JSON.stringify([transactionHash.toLowerCase()]), at],
    )
    return (await loadReleaseIn(tx, patchId))!
  })
}

/** Marks a released release verified (idempotent for an already verified one). */
export async function markReleaseVerified(store: Pick<Store, 'transaction'>, { patchId, at = new Date() }: { patchId: string; at?: Date }): Promise<ReleaseRecord> {
  return store.transaction(async (tx) => {
    const row = await loadReleaseRow(tx, patchId, { forUpdate: true })
    if (!row) throw new ReleaseNotFoundError({ patchId })
    if (row.status === 'released') await tx.query("UPDATE releases SET status = 'verified', verified_at = $2, updated_at = $2 WHERE patch_id = $1", [patchId, at])
    return (await loadReleaseIn(tx, patchId))!
  })
}

async function loadReleaseRow(query: Query, patchId: string, { forUpdate = false } = {}): Promise<ReleaseRow | undefined> {
  const rows = await query.query<ReleaseRow>(
    `SELECT patch_id, route, chain_id, plan, plan_hash, report_hash, report, status, created_at, scheduled_at, released_at, verified_at FROM releases WHERE patch_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [patchId],
  )
  return rows[0]
}

async function loadReleaseIn(query: Query, patchId: string): Promise<ReleaseRecord | undefined> {
  const row = await loadReleaseRow(query, patchId)
  if (!row) return undefined
  const executions = await query.query<ExecutionRow>('SELECT step, purpose, safe_tx_hash, tx_hash, block_number, executed_at FROM release_executions WHERE patch_id = $1 ORDER BY step', [patchId])
  return {
    patchId: row.patch_id,
    route: row.route,
    chainId: Number(row.chain_id),
    plan: row.plan,
    planHash: row.plan_hash as Hex,
    reportHash: row.report_hash as Hex,
    report: row.report,
    status: row.status,
    executions: executions.map((execution) => ({
      step: Number(execution.step),
      purpose: execution.purpose,
      safeTxHash: execution.safe_tx_hash as Hex,
      transactionHash: execution.tx_hash as Hash,
      blockNumber: BigInt(execution.block_number),
      executedAt: new Date(execution.executed_at),
    })),
    createdAt: new Date(row.created_at),
    scheduledAt: date(row.scheduled_at),
    releasedAt: date(row.released_at),
    verifiedAt: date(row.verified_at),
  }
}
