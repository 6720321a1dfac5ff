import type { LifecycleContext } from './context.js'
import { loadAdvisory } from './loadRecords.js'
import { assertCan } from './permissions.js'
import { toTransition, transitionColumns, type TransitionRow } from './rows.js'
import type { Actor, Transition } from './types.js'

/** The timeline of an advisory: its own, its containment's and its patches' transitions, oldest first. */
export async function listTransitions(context: Pick<LifecycleContext, 'store'>, { advisoryId }: { advisoryId: string }, actor: Actor): Promise<Transition[]> {
  assertCan(actor, 'advisory:read')
  await loadAdvisory(context.store, advisoryId, actor)
  const rows = await context.store.query<TransitionRow>(`SELECT ${transitionColumns} FROM lifecycle_transitions WHERE advisory_id = $1 ORDER BY at, id`, [advisoryId])
  return rows.map(toTransition)
}
