import type { LifecycleContext } from './context.js'
import { loadPatch } from './loadRecords.js'
import { assertCan } from './permissions.js'
import type { Actor, Patch } from './types.js'

/** One patch with its approvals; BW_PATCH_NOT_FOUND when absent or its advisory is embargoed from this actor. */
export async function getPatch(context: Pick<LifecycleContext, 'store'>, id: string, actor: Actor): Promise<Patch> {
  assertCan(actor, 'advisory:read')
  return (await loadPatch(context.store, id, actor)).patch
}
