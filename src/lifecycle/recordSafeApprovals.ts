import type { Hex } from 'viem'
import { getConfirmations } from '../authorize/getConfirmations.js'
import type { ChainReader } from '../authorize/readSafeState.js'
import type { LifecycleContext } from './context.js'
import { ApprovalSignatureInvalidError } from './errors.js'
import { runChange } from './ledger.js'
import { loadPatch } from './loadRecords.js'
import { patchReportHash } from './patchReportHash.js'
import { assertCan, can } from './permissions.js'
import { addApproval, assertAwaitingApproval, type RecordApprovalReturnType } from './recordApproval.js'
import type { Actor, Patch } from './types.js'

export type RecordSafeApprovalsReturnType = { patch: Patch; recorded: RecordApprovalReturnType[]; rejected: { owner: string; reason: string }[] }

/**
 * Turns the Safe owners' confirmations of a release transaction into approvals, each verified
 * now against the live Safe (owner set, nonce, the safeTxHash the stored transaction hashes to)
 * and bound to the patch's validated report hash. Confirmations that do not verify are returned
 * in `rejected`, never recorded. Owners who already approved are skipped.
 *
 * @throws {ApprovalSignatureInvalidError} the Safe transaction belongs to another patch.
 * @throws the binding errors of `getConfirmations` (report hash changed, stale nonce, wrong chain).
 */
export async function recordSafeApprovals(
  context: LifecycleContext,
  { patchId, safeTxHash }: { patchId: string; safeTxHash: Hex },
  actor: Actor,
  { client }: { client: ChainReader },
): Promise<RecordSafeApprovalsReturnType> {
  // The operator executing the release, or the signer whose confirmation was just stored: the signatures are the proof.
  if (!can(actor, 'patch:approve')) assertCan(actor, 'patch:transition')
  const checked = await getConfirmations(client, context.store, { safeTxHash, currentReportHash: patchReportHash(context.store) })
  if (checked.record.patchId !== patchId) throw new ApprovalSignatureInvalidError({ patchId, reason: `Safe transaction ${safeTxHash} was proposed for patch ${checked.record.patchId}.` })
  const rejected = checked.confirmations.filter((confirmation) => !confirmation.valid).map((confirmation) => ({ owner: confirmation.owner, reason: confirmation.reason ?? 'invalid' }))
  return runChange(context, actor, async (change) => {
    const loaded = await loadPatch(change.tx, patchId, actor, { forUpdate: true })
    const advisory = loaded.advisory
    let patch = loaded.patch
    const recorded: RecordApprovalReturnType[] = []
    if (patch.status !== 'awaiting_approval') return { patch, recorded, rejected }
    assertAwaitingApproval(patch)
    for (const confirmation of checked.confirmations.filter((c) => c.valid)) {
      if (patch.status !== 'awaiting_approval') break
      if (patch.approvals.some((approval) => approval.signer.toLowerCase() === confirmation.owner.toLowerCase())) continue
      const result = await addApproval(change, {
        patch,
        advisory,
        kind: 'safe-confirmation',
        signer: confirmation.owner,
        digest: checked.hashes.safeTxHash,
        signature: confirmation.signature,
        note: `Safe ${checked.record.safe} owner confirmation of ${checked.hashes.safeTxHash} (nonce ${checked.record.transaction.nonce})`,
      })
      recorded.push(result)
      patch = result.patch
    }
    return { patch, recorded, rejected }
  })
}
