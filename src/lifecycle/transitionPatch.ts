import { z } from 'zod'
import type { LifecycleContext } from './context.js'
import { ConflictError, TransitionIllegalError } from './errors.js'
import { evidenceSchema, parseInput } from './input.js'
import { runChange, type Change } from './ledger.js'
import { loadPatch } from './loadRecords.js'
import { assertCan } from './permissions.js'
import { advisoryColumns, toAdvisory, type AdvisoryRow } from './rows.js'
import { assertPatchTransition, overridablePatchStatuses } from './stateMachine.js'
import { patchStatuses, type Actor, type Advisory, type AdvisoryStatus, type Evidence, type Patch, type PatchStatus, type Transition } from './types.js'

export const transitionPatchInputSchema = z
  .object({
    id: z.string().min(1),
    to: z.enum(patchStatuses),
    evidence: evidenceSchema,
    /** Optimistic concurrency: fail with BW_CONFLICT unless the patch is still in this status. */
    expectedStatus: z.enum(patchStatuses).optional(),
    /**
     * An admin forcing a move that needs evidence (validated, approved, scheduled, released,
     * verified) without it: the reason is stored with the transition and audited as an override.
     */
    override: z.strictObject({ reason: z.string().trim().min(10).max(2000) }).optional(),
  })
  .strict()

export type TransitionPatchInput = z.input<typeof transitionPatchInputSchema>
export type TransitionPatchReturnType = { patch: Patch; advisory: Advisory; transitions: Transition[] }

/** The advisory move a patch move carries with it (both land in the same transaction). */
const advisoryFollows: Partial<Record<PatchStatus, { from: AdvisoryStatus; to: AdvisoryStatus }>> = {
  released: { from: 'patching', to: 'released' },
  verified: { from: 'released', to: 'verified' },
}

/**
 * Moves a patch along the manual edges of its machine (validating, awaiting_approval, rejected,
 * withdrawn). Moves that need evidence are made by the operations that check it
 * (`recordValidationRun`, `recordApproval`, `recordReleaseStep`, `recordVerification`), or by an
 * admin's explicit `override` with a reason. Releasing a patch releases its advisory; verifying
 * it verifies the advisory.
 */
export async function transitionPatch(context: LifecycleContext, input: TransitionPatchInput, actor: Actor): Promise<TransitionPatchReturnType> {
  assertCan(actor, 'patch:transition')
  const { id, to, evidence, expectedStatus, override } = parseInput(transitionPatchInputSchema, input)
  if (override) assertCan(actor, 'patch:override')
  return runChange(context, actor, async (change) => {
    const { patch, advisory } = await loadPatch(change.tx, id, actor, { forUpdate: true })
    if (expectedStatus !== undefined && patch.status !== expectedStatus) {
      throw new ConflictError({ message: `Patch ${id} is ${patch.status}, not ${expectedStatus} as expected: another change came first.` })
    }
    const approvalHint =
      to === 'approved' && patch.status === 'awaiting_approval'
        ? `A patch enters "approved" when ${patch.requiredApprovals} distinct signer(s) approve it; it has ${patch.approvals.length}.`
        : undefined
    if (override) {
      const allowed = overridablePatchStatuses(patch.status)
      if (!(allowed as readonly string[]).includes(to)) throw new TransitionIllegalError({ subject: `Patch ${id}`, current: patch.status, requested: to, allowed, hint: 'An override forces one step of the machine; it does not jump.' })
    } else {
      assertPatchTransition(id, patch.status, to, approvalHint)
    }
    await change.tx.query('UPDATE patches SET status = $2, updated_at = $3 WHERE id = $1', [id, to, change.at])
    const transitions = [
      await change.recordTransition({ machine: 'patch', subjectId: id, advisoryId: advisory.id, from: patch.status, to, evidence, ...(override ? { override: override.reason } : {}) }),
    ]
    let current = advisory
    const follow = advisoryFollows[to]
    if (follow && advisory.status === follow.from) {
      const [row] = await change.tx.query<AdvisoryRow>(`UPDATE advisories SET status = $2, updated_at = $3 WHERE id = $1 RETURNING ${advisoryColumns}`, [
        advisory.id,
        follow.to,
        change.at,
      ])
      current = toAdvisory(row!)
      transitions.push(
        await change.recordTransition({ machine: 'advisory', subjectId: advisory.id, advisoryId: advisory.id, from: follow.from, to: follow.to, evidence: { note: `patch ${id} ${to}${override ? ' (override)' : ''}` } }),
      )
    }
    return { patch: { ...patch, status: to, updatedAt: change.at }, advisory: current, transitions }
  })
}

/**
 * The patch move an evidence-checking operation makes, inside its own change: the same
 * bookkeeping as `transitionPatch` (the advisory follows on release and verification).
 */
export async function movePatch(
  change: Change,
  { patch, advisory, to, evidence, extra }: { patch: Patch; advisory: Advisory; to: PatchStatus; evidence: Evidence; extra?: Record<string, unknown> },
): Promise<TransitionPatchReturnType> {
  await change.tx.query('UPDATE patches SET status = $2, updated_at = $3 WHERE id = $1', [patch.id, to, change.at])
  const transitions = [await change.recordTransition({ machine: 'patch', subjectId: patch.id, advisoryId: advisory.id, from: patch.status, to, evidence, ...(extra ? { extra } : {}) })]
  let current = advisory
  const follow = advisoryFollows[to]
  if (follow && advisory.status === follow.from) {
    const [row] = await change.tx.query<AdvisoryRow>(`UPDATE advisories SET status = $2, updated_at = $3 WHERE id = $1 RETURNING ${advisoryColumns}`, [advisory.id, follow.to, change.at])
    current = toAdvisory(row!)
    transitions.push(await change.recordTransition({ machine: 'advisory', subjectId: advisory.id, advisoryId: advisory.id, from: follow.from, to: follow.to, evidence: { note: `patch ${patch.id} ${to}` } }))
  }
  return { patch: { ...patch, status: to, updatedAt: change.at }, advisory: current, transitions }
}
