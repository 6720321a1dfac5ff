import type { LifecycleContext } from './context.js'
import { loadAdvisory } from './loadRecords.js'
import { assertCan } from './permissions.js'
import type { Actor, Advisory } from './types.js'

/** One advisory; BW_ADVISORY_NOT_FOUND when absent or embargoed from this actor (the same answer, on purpose). */
export async function getAdvisory(context: Pick<LifecycleContext, 'store'>, id: string, actor: Actor): Promise<Advisory> {
  assertCan(actor, 'advisory:read')
  return loadAdvisory(context.store, id, actor)
}
