import { computeLatency, type AdvisoryLatency } from './computeLatency.js'
import { nowOf, type LifecycleContext } from './context.js'
import { loadAdvisory } from './loadRecords.js'
import { loadLatencyInputs } from './loadLatencyInputs.js'
import { assertCan } from './permissions.js'
import type { Actor } from './types.js'

/** Time in each stage and state, time to containment and release, and the exposure window of one advisory. */
export async function getAdvisoryLatency(context: Pick<LifecycleContext, 'store' | 'now'>, id: string, actor: Actor): Promise<AdvisoryLatency> {
  assertCan(actor, 'latency:read')
  await loadAdvisory(context.store, id, actor)
  const [input] = await loadLatencyInputs(context.store, { advisoryId: id })
  return computeLatency({ ...input!, now: nowOf(context) })
}
