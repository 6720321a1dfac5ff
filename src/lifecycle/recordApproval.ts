import { z } from 'zod'
import type { LifecycleContext } from './context.js'
import { ConflictError, TransitionIllegalError } from './errors.js'
import { hexSchema, parseInput } from './input.js'
import { runChange } from './ledger.js'
import { loadPatch } from './loadRecords.js'
import { assertCan } from './permissions.js'
import { toApproval, type ApprovalRow } from './rows.js'
import { nextPatchStatuses } from './stateMachine.js'
import type { Actor, Approval, Patch, Transition } from './types.js'

export const recordApprovalInputSchema = z
  .object({
    patchId: z.string().min(1),
    /** What the signer approved (validation report hash, upgrade plan hash). */
    digest: hexSchema.optional(),
    /** The signer's signature over `digest`, when approvals are signed off-chain. */
    signature: hexSchema.optional(),
    note: z.string().max(10_000).optional(),
  })
  .strict()

export type RecordApprovalInput = z.input<typeof recordApprovalInputSchema>
export type RecordApprovalReturnType = { patch: Patch; approval: Approval; transition?: Transition }

/**
 * Records one signer's approval of a patch that is awaiting approval. Each signer approves at
 * most once (a second approval is BW_CONFLICT); the approval that reaches the patch's
 * threshold moves it to `approved` in the same transaction.
 */
export async function recordApproval(context: LifecycleContext, input: RecordApprovalInput, actor: Actor): Promise<RecordApprovalReturnType> {
  assertCan(actor, 'patch:approve')
  const { patchId, digest, signature, note } = parseInput(recordApprovalInputSchema, input)
  return runChange(context, actor, async (change) => {
    const { patch, advisory } = await loadPatch(change.tx, patchId, actor, { forUpdate: true })
    if (patch.approvals.some((approval) => approval.signer === actor.id)) {
      throw new ConflictError({ message: `${actor.id} has already approved patch ${patchId}.` })
    }
    if (patch.status !== 'awaiting_approval') {
      throw new TransitionIllegalError({
        subject: `Patch ${patchId}`,
        current: patch.status,
        requested: 'approved',
        allowed: nextPatchStatuses(patch.status),
        hint: 'Approvals are accepted only while a patch is awaiting_approval.',
      })
    }
    const entry = await change.audit('patch.approved', { patchId, advisoryId: advisory.id, signer: actor.id, digest: digest ?? null, signature: signature ?? null, note: note ?? null })
    const [row] = await change.tx.query<ApprovalRow>(
      'INSERT INTO patch_approvals (patch_id, signer, at, digest, signature, note, audit_seq) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING patch_id, signer, at, digest, signature, note, audit_seq',
      [patchId, actor.id, change.at, digest ?? null, signature ?? null, note ?? null, entry.seq],
    )
    const approval = toApproval(row!)
    const approvals = [...patch.approvals, approval]
    if (approvals.length < patch.requiredApprovals) return { patch: { ...patch, approvals }, approval }
    await change.tx.query("UPDATE patches SET status = 'approved', updated_at = $2 WHERE id = $1", [patchId, change.at])
    const transition = await change.recordTransition({
      machine: 'patch',
      subjectId: patchId,
      advisoryId: advisory.id,
      from: 'awaiting_approval',
      to: 'approved',
      evidence: { note: `${approvals.length} of ${patch.requiredApprovals} approvals`, data: { signers: approvals.map((a) => a.signer) } },
    })
    return { patch: { ...patch, status: 'approved', approvals, updatedAt: change.at }, approval, transition }
  })
}
