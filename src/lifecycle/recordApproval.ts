import { getAddress, recoverTypedDataAddress, type Address, type Hex } from 'viem'
import { z } from 'zod'
import type { LifecycleContext } from './context.js'
import { ApprovalSignatureInvalidError, ConflictError, TransitionIllegalError } from './errors.js'
import { hexSchema, parseInput } from './input.js'
import { runChange, type Change } from './ledger.js'
import { loadPatch } from './loadRecords.js'
import { patchApprovalDigest, patchApprovalTypedData } from './patchApprovalTypedData.js'
import { assertCan } from './permissions.js'
import { approvalColumns, toApproval, type ApprovalRow } from './rows.js'
import { nextPatchStatuses } from './stateMachine.js'
import type { Actor, Advisory, Approval, ApprovalKind, Patch, Transition } from './types.js'

export const recordApprovalInputSchema = z
  .object({
    patchId: z.string().min(1),
    /**
     * The signer's EIP-712 PatchApproval signature over { patchId, reportHash } in the domain
     * { name: "Bulwark", version: "1", chainId } (see `patchApprovalTypedData`).
     */
    signature: hexSchema.optional(),
    /** Optional: the digest the signer saw; when given it must be the PatchApproval digest. */
    digest: hexSchema.optional(),
    note: z.string().max(10_000).optional(),
  })
  .strict()

export type RecordApprovalInput = z.input<typeof recordApprovalInputSchema>
export type RecordApprovalReturnType = { patch: Patch; approval: Approval; transition?: Transition }

/**
 * Records one approval of a patch that is awaiting approval, only from a verified signature: the
 * EIP-712 PatchApproval over the patch id, its validated report hash and the report's chain id,
 * recovering to a registered, unrevoked signer address (`registerApprovalSigner`). A missing or
 * bad signature is BW_APPROVAL_SIGNATURE_INVALID; each address approves once (BW_CONFLICT); the
 * approval that reaches the patch's threshold moves it to `approved` in the same transaction.
 */
export async function recordApproval(context: LifecycleContext, input: RecordApprovalInput, actor: Actor): Promise<RecordApprovalReturnType> {
  assertCan(actor, 'patch:approve')
  const { patchId, digest, signature, note } = parseInput(recordApprovalInputSchema, input)
  return runChange(context, actor, async (change) => {
    const { patch, advisory } = await loadPatch(change.tx, patchId, actor, { forUpdate: true })
    if (patch.status !== 'awaiting_approval' && (signature === undefined || patch.reportHash === null)) assertAwaitingApproval(patch)
    if (signature === undefined) throw new ApprovalSignatureInvalidError({ patchId, reason: 'no signature was given; an approval is a signature, not a click.' })
    if (patch.reportHash === null || patch.chainId === null) {
      throw new ApprovalSignatureInvalidError({ patchId, reason: 'the patch has no validated report hash to approve (it was moved past validation by an override).' })
    }
    const message = { patchId, reportHash: patch.reportHash, chainId: patch.chainId }
    const expected = patchApprovalDigest(message)
    if (digest !== undefined && digest !== expected.toLowerCase()) {
      throw new ApprovalSignatureInvalidError({ patchId, reason: `the digest ${digest} is not the PatchApproval digest ${expected} of report ${patch.reportHash} on chain ${patch.chainId}.` })
    }
    let signer: Address
    try {
      signer = await recoverTypedDataAddress({ ...patchApprovalTypedData(message), signature })
    } catch {
      throw new ApprovalSignatureInvalidError({ patchId, reason: 'the signature is malformed (65 bytes r ‖ s ‖ v expected).' })
    }
    const [registered] = await change.tx.query<{ label: string }>('SELECT label FROM approval_signers WHERE address = $1 AND revoked_at IS NULL', [signer])
    if (!registered) {
      throw new ApprovalSignatureInvalidError({ patchId, reason: `the signature recovers to ${signer}, which is not a registered approval signer (wrong key, or signed over another patch, report or chain).` })
    }
    if (patch.approvals.some((approval) => approval.signer === signer)) throw new ConflictError({ message: `${signer} has already approved patch ${patchId}.` })
    assertAwaitingApproval(patch)
    return addApproval(change, { patch, advisory, kind: 'eip712', signer, digest: expected, signature, note: note ?? `${registered.label} (${signer})` })
  })
}

export function assertAwaitingApproval(patch: Patch): void {
  if (patch.status !== 'awaiting_approval') {
    throw new TransitionIllegalError({
      subject: `Patch ${patch.id}`,
      current: patch.status,
      requested: 'approved',
      allowed: nextPatchStatuses(patch.status),
      hint: 'Approvals are accepted only while a patch is awaiting_approval.',
    })
  }
}

/** Stores one verified approval (unique per signer) and moves the patch to `approved` when it reaches the threshold. */
export async function addApproval(
  change: Change,
  { patch, advisory, kind, signer, digest, signature, note }: { patch: Patch; advisory: Advisory; kind: ApprovalKind; signer: string; digest: Hex; signature: Hex | null; note: string },
): Promise<RecordApprovalReturnType> {
  const sameSigner = (other: string) => (signer.startsWith('0x') && other.startsWith('0x') ? getAddress(other) === getAddress(signer) : other === signer)
  if (patch.approvals.some((approval) => sameSigner(approval.signer))) throw new ConflictError({ message: `${signer} has already approved patch ${patch.id}.` })
  const entry = await change.audit('patch.approved', { patchId: patch.id, advisoryId: advisory.id, signer, kind, reportHash: patch.reportHash, digest, signature, note })
  const [row] = await change.tx.query<ApprovalRow>(
    `INSERT INTO patch_approvals (patch_id, signer, kind, at, digest, signature, note, report_hash, audit_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${approvalColumns}`,
    [patch.id, signer, kind, change.at, digest, signature, note, patch.reportHash, entry.seq],
  )
  const approval = toApproval(row!)
  const approvals = [...patch.approvals, approval]
  if (approvals.length < patch.requiredApprovals) return { patch: { ...patch, approvals }, approval }
  await change.tx.query("UPDATE patches SET status = 'approved', updated_at = $2 WHERE id = $1", [patch.id, change.at])
  const transition = await change.recordTransition({
    machine: 'patch',
    subjectId: patch.id,
    advisoryId: advisory.id,
    from: 'awaiting_approval',
    to: 'approved',
    evidence: {
      note: `${approvals.length} of ${patch.requiredApprovals} verified approvals of report ${patch.reportHash}`,
      data: { reportHash: patch.reportHash, signers: approvals.map((a) => a.signer), kinds: approvals.map((a) => a.kind) },
    },
  })
  return { patch: { ...patch, status: 'approved', approvals, updatedAt: change.at }, approval, transition }
}
