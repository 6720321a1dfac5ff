import { z } from 'zod'
import type { LifecycleContext } from './context.js'
import { ConflictError } from './errors.js'
import { evidenceSchema, parseInput } from './input.js'
import { runChange } from './ledger.js'
import { loadAdvisory } from './loadRecords.js'
import { assertCan } from './permissions.js'
import { advisoryColumns, toAdvisory, type AdvisoryRow } from './rows.js'
import { assertContainmentTransition } from './stateMachine.js'
import { containmentStatuses, type Actor, type Advisory, type Transition } from './types.js'

export const setContainmentInputSchema = z
  .object({
    id: z.string().min(1),
    /** `contained`: pause, partial lockdown or circuit breaker in place; `lifted`: removed again. */
    to: z.enum(['contained', 'lifted']),
    evidence: evidenceSchema,
    expectedContainment: z.enum(containmentStatuses).optional(),
  })
  .strict()

export type SetContainmentInput = z.input<typeof setContainmentInputSchema>
export type SetContainmentReturnType = { advisory: Advisory; transition: Transition }

/**
 * Records that the protocol was contained (or that containment was lifted). Containment may
 * happen in any advisory status before release; the first one ends the exposure window.
 */
export async function setContainment(context: LifecycleContext, input: SetContainmentInput, actor: Actor): Promise<SetContainmentReturnType> {
  assertCan(actor, 'advisory:contain')
  const { id, to, evidence, expectedContainment } = parseInput(setContainmentInputSchema, input)
  return runChange(context, actor, async (change) => {
    const advisory = await loadAdvisory(change.tx, id, actor, { forUpdate: true })
    if (expectedContainment !== undefined && advisory.containment !== expectedContainment) {
      throw new ConflictError({ message: `Containment of advisory ${id} is ${advisory.containment}, not ${expectedContainment} as expected: another change came first.` })
    }
    assertContainmentTransition(id, advisory.containment, to, advisory.status)
    const [row] = await change.tx.query<AdvisoryRow>(`UPDATE advisories SET containment = $2, updated_at = $3 WHERE id = $1 RETURNING ${advisoryColumns}`, [id, to, change.at])
    const transition = await change.recordTransition({ machine: 'containment', subjectId: id, advisoryId: id, from: advisory.containment, to, evidence })
    return { advisory: toAdvisory(row!), transition }
  })
}
