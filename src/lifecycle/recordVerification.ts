import type { Hex } from 'viem'
import { markReleaseVerified } from '../release/releaseRecords.js'
import type { VerifyReleaseReturnType } from '../release/verifyRelease.js'
import type { Transaction } from '../store/openStore.js'
import type { LifecycleContext } from './context.js'
import { TransitionIllegalError } from './errors.js'
import { runChange } from './ledger.js'
import { loadPatch } from './loadRecords.js'
import { assertCan } from './permissions.js'
import { movePatch } from './transitionPatch.js'
import type { Actor, Patch, Transition } from './types.js'

export type StoredVerification = { id: number; patchId: string; reportHash: Hex; ok: boolean; result: VerifyReleaseReturnType; actor: string; verifiedAt: Date }
export type RecordVerificationReturnType = { patch: Patch; verification: StoredVerification; transitions: Transition[] }

/**
 * Stores a `verifyRelease` result for a released patch and, when it passed for the patch's
 * validated report hash, moves the patch (and its advisory) to `verified` in the same
 * transaction. A failing result is stored too (the audit log keeps it), and moves nothing.
 */
export async function recordVerification(
  context: LifecycleContext,
  { patchId, result }: { patchId: string; result: VerifyReleaseReturnType },
  actor: Actor,
): Promise<RecordVerificationReturnType> {
  assertCan(actor, 'patch:transition')
  const stored = JSON.parse(JSON.stringify(result, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))) as VerifyReleaseReturnType
  return runChange(context, actor, async (change) => {
    const { patch, advisory } = await loadPatch(change.tx, patchId, actor, { forUpdate: true })
    const bound = patch.reportHash !== null && result.reportHash.toLowerCase() === patch.reportHash.toLowerCase()
    const ok = result.ok && result.checks.length > 0 && result.checks.every((check) => check.ok) && bound
    const [allocated] = await change.tx.query<{ id: string | number }>("SELECT nextval('release_verifications_id_seq') AS id")
    const verification: StoredVerification = { id: Number(allocated!.id), patchId, reportHash: result.reportHash, ok, result: stored, actor: actor.id, verifiedAt: change.at }
    const summary = { id: verification.id, reportHash: result.reportHash, ok, checks: stored.checks }
    const store = (auditSeq: number) =>
      change.tx.query('INSERT INTO release_verifications (id, patch_id, report_hash, ok, result, actor, audit_seq, verified_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
        verification.id,
        patchId,
        result.reportHash.toLowerCase(),
        ok,
        JSON.stringify(stored),
        actor.id,
        auditSeq,
        change.at,
      ])
    if (!ok || patch.status === 'verified') {
      await store((await change.audit('patch.verification-recorded', { patchId, advisoryId: advisory.id, verification: summary })).seq)
      return { patch, verification, transitions: [] }
    }
    if (patch.status !== 'released') {
      throw new TransitionIllegalError({ subject: `Patch ${patchId}`, current: patch.status, requested: 'verified', allowed: [], hint: 'Only a released patch is verified.' })
    }
    await markReleaseVerified({ transaction: (work) => work(change.tx as Transaction) }, { patchId, at: change.at }).catch((error: unknown) => {
      // A patch released by an admin override has no stored release plan: the verification still stands on its own.
      if ((error as { code?: string }).code !== 'BW_RELEASE_NOT_FOUND') throw error
    })
    const executed = await change.tx.query<{ tx_hash: string }>('SELECT tx_hash FROM release_executions WHERE patch_id = $1 ORDER BY step', [patchId])
    const moved = await movePatch(change, {
      patch,
      advisory,
      to: 'verified',
      evidence: {
        note: `verifyRelease passed (${result.checks.length} checks): ${result.targets.map((t) => `${t.name} → ${t.implementation} (${t.match})`).join(', ')}`,
        data: { reportHash: result.reportHash, verificationId: verification.id, txHashes: executed.map((row) => row.tx_hash), gate: result.gate, gatePatchId: result.gatePatchId, codehashes: result.targets.map((t) => t.codehash) },
      },
      extra: { verification: summary },
    })
    await store(moved.transitions[0]!.auditSeq)
    return { patch: moved.patch, verification, transitions: moved.transitions }
  })
}

/** The stored verifications of a patch, newest first. */
export async function listVerifications(context: Pick<LifecycleContext, 'store'>, patchId: string): Promise<StoredVerification[]> {
  const rows = await context.store.query<{ id: string | number; patch_id: string; report_hash: string; ok: boolean; result: unknown; actor: string; verified_at: Date | string }>(
    'SELECT id, patch_id, report_hash, ok, result, actor, verified_at FROM release_verifications WHERE patch_id = $1 ORDER BY id DESC',
    [patchId],
  )
  return rows.map((row) => ({
    id: Number(row.id),
    patchId: row.patch_id,
    reportHash: row.report_hash as Hex,
    ok: row.ok,
    result: (typeof row.result === 'string' ? JSON.parse(row.result) : row.result) as VerifyReleaseReturnType,
    actor: row.actor,
    verifiedAt: new Date(row.verified_at),
  }))
}
