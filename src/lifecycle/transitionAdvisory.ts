import { z } from 'zod'
import type { LifecycleContext } from './context.js'
import { ConflictError } from './errors.js'
import { evidenceSchema, parseInput } from './input.js'
import { runChange } from './ledger.js'
import { loadAdvisory } from './loadRecords.js'
import { assertCan } from './permissions.js'
import { advisoryColumns, patchColumns, toAdvisory, type AdvisoryRow, type PatchRow } from './rows.js'
import { assertAdvisoryTransition, closedPatchStatuses } from './stateMachine.js'
import { advisoryStatuses, type Actor, type Advisory, type Transition } from './types.js'

export const transitionAdvisoryInputSchema = z
  .object({
    id: z.string().min(1),
    to: z.enum(advisoryStatuses),
    evidence: evidenceSchema,
    /** Optimistic concurrency: fail with BW_CONFLICT unless the advisory is still in this status. */
    expectedStatus: z.enum(advisoryStatuses).optional(),
  })
  .strict()

export type TransitionAdvisoryInput = z.input<typeof transitionAdvisoryInputSchema>
export type TransitionAdvisoryReturnType = { advisory: Advisory; transitions: Transition[] }

/**
 * Moves an advisory along its machine (docs/lifecycle.md). Withdrawing an advisory also
 * withdraws its open patch, recorded as its own transition. Illegal moves raise
 * BW_TRANSITION_ILLEGAL naming the current state and the allowed next ones.
 */
export async function transitionAdvisory(context: LifecycleContext, input: TransitionAdvisoryInput, actor: Actor): Promise<TransitionAdvisoryReturnType> {
  assertCan(actor, 'advisory:transition')
  const { id, to, evidence, expectedStatus } = parseInput(transitionAdvisoryInputSchema, input)
  return runChange(context, actor, async (change) => {
    const advisory = await loadAdvisory(change.tx, id, actor, { forUpdate: true })
    if (expectedStatus !== undefined && advisory.status !== expectedStatus) {
      throw new ConflictError({ message: `Advisory ${id} is ${advisory.status}, not ${expectedStatus} as expected: another change came first.` })
    }
    assertAdvisoryTransition(id, advisory.status, to)
    const transitions: Transition[] = []
    if (to === 'withdrawn') {
      const open = await change.tx.query<PatchRow>(
        `SELECT ${patchColumns} FROM patches WHERE advisory_id = $1 AND status <> ALL($2::text[]) FOR UPDATE`,
        [id, closedPatchStatuses],
      )
      for (const patch of open) {
        await change.tx.query('UPDATE patches SET status = $2, updated_at = $3 WHERE id = $1', [patch.id, 'withdrawn', change.at])
        transitions.push(
          await change.recordTransition({ machine: 'patch', subjectId: patch.id, advisoryId: id, from: patch.status, to: 'withdrawn', evidence: { note: `advisory ${id} withdrawn` } }),
        )
      }
    }
    const [row] = await change.tx.query<AdvisoryRow>(`UPDATE advisories SET status = $2, updated_at = $3 WHERE id = $1 RETURNING ${advisoryColumns}`, [id, to, change.at])
    transitions.unshift(await change.recordTransition({ machine: 'advisory', subjectId: id, advisoryId: id, from: advisory.status, to, evidence }))
    return { advisory: toAdvisory(row!), transitions }
  })
}
