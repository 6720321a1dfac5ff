import { computeLatency, type AdvisoryLatency, type LatencyStage } from './computeLatency.js'
import { summarizeLatencies, type LatencySummary } from './getLatencySummary.js'
import { nowOf, type LifecycleContext } from './context.js'
import { loadLatencyInputs } from './loadLatencyInputs.js'
import { isClearedFor } from './permissions.js'
import { patchRoutes, type Actor, type PatchRoute, type Severity } from './types.js'

export type LatencySample = {
  advisoryId: string
  severity: Severity
  route: PatchRoute
  stages: Partial<Record<LatencyStage, number>>
  timeToRelease: number
  exposureWindowMs: number
}

export type LatencyHistory = {
  /** One sample per released advisory. */
  samples: LatencySample[]
  byRoute: Record<PatchRoute, LatencySummary>
}

/**
 * Past durations per release route, for the risk model's exposure estimate. With an `actor`, an
 * embargoed advisory counts only for those cleared for it (its durations, and even their number,
 * say something about it); without one (the local operator's own store), every advisory counts.
 */
export async function getLatencyHistory(context: Pick<LifecycleContext, 'store' | 'now'>, actor?: Actor): Promise<LatencyHistory> {
  const now = nowOf(context)
  const released = (await loadLatencyInputs(context.store))
    .filter((input) => actor === undefined || isClearedFor(actor, input.advisory))
    .map((input) => computeLatency({ ...input, now }))
    .filter((latency): latency is AdvisoryLatency & { route: PatchRoute } => latency.route !== undefined && latency.measures.timeToRelease !== undefined)
  return {
    samples: released.map((latency) => ({
      advisoryId: latency.advisoryId,
      severity: latency.severity,
      route: latency.route,
      stages: latency.stages,
      timeToRelease: latency.measures.timeToRelease!,
      exposureWindowMs: latency.exposureWindow.ms,
    })),
    byRoute: Object.fromEntries(patchRoutes.map((route) => [route, summarizeLatencies(released.filter((latency) => latency.route === route))])) as Record<PatchRoute, LatencySummary>,
  }
}
