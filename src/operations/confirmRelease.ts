import type { Hex } from 'viem'
import { confirmSafeTransaction, type ConfirmSafeTransactionReturnType } from '../authorize/confirmSafeTransaction.js'
import type { ChainReader } from '../authorize/readSafeState.js'
import { loadSafeTransaction } from '../authorize/safeTransactionRecords.js'
import type { LifecycleContext } from '../lifecycle/context.js'
import { recordSafeApprovals } from '../lifecycle/recordSafeApprovals.js'
import type { Actor, Patch } from '../lifecycle/types.js'
import { releaseReportHash } from './releaseReportHash.js'

export type ConfirmReleaseReturnType = ConfirmSafeTransactionReturnType & { patch: Patch | null }

/**
 * A Safe owner confirms a release transaction: the signature is verified against the live owner
 * set, nonce and the release's validated report hash (a multi-chain patch's chain report for
 * `PATCH-3@10`: `releaseReportHash`) and stored (`confirmSafeTransaction`); the
 * confirmations of the patch's first release step then count as its approvals
 * (`recordSafeApprovals`), so the patch reaches `approved` with the Safe's owners.
 */
export async function confirmRelease(
  context: LifecycleContext,
  { client, safeTxHash, signature, actor }: { client: ChainReader; safeTxHash: Hex; signature: Hex; actor: Actor },
): Promise<ConfirmReleaseReturnType> {
  const confirmed = await confirmSafeTransaction(client, context.store, { safeTxHash, signature, currentReportHash: releaseReportHash(context), submittedBy: actor.id })
  const record = await loadSafeTransaction(context.store, safeTxHash)
  const [status] = record ? await context.store.query<{ status: string }>('SELECT status FROM patches WHERE id = $1', [record.patchId]) : []
  if (!record || status?.status !== 'awaiting_approval') return { ...confirmed, patch: null }
  const { patch } = await recordSafeApprovals(context, { patchId: record.patchId, safeTxHash }, actor, { client })
  return { ...confirmed, patch }
}
