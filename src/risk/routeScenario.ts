import type { HazardTimeline } from './hazard.js'
import type { LatencyDistribution, RouteOption } from './model.js'

/**
 * One route option reduced to numbers: what `simulateRoute` and `closedFormRisk` evaluate.
 * Built by `assessRisk` from a `RiskInput`, the priors and the project's history.
 */
export type RouteScenario = {
  option: RouteOption
  /** Hours from now until the release is live. */
  latency: LatencyDistribution
  /** The fix is readable during the last `visibleHours` before release (timelock delay, pending Safe transaction). */
  visibleHours: number
  /** Exploit hazard per hour at the current exposure. */
  baseRate: number
  /** Exploit hazard per hour while the fix is readable (≥ baseRate). */
  visibleRate: number
  /** `contained`: paused already; `pause-first`: paused after a latency; `none`: never paused before release. */
  pause: { kind: 'none' } | { kind: 'contained' } | { kind: 'pause-first'; latency: LatencyDistribution }
  valueAtRiskUsd: number
  unpausableShare: number
  pauseCostUsdPerHour: number
  /** Log-sd of the hazard multiplier drawn per sample (epistemic uncertainty); 0 = rates known exactly. */
  hazardLogSigma: number
}

export function scenarioTimeline(scenario: RouteScenario, releaseHours: number, hazardMultiplier = 1): HazardTimeline {
  return {
    baseRate: scenario.baseRate * hazardMultiplier,
    visibleRate: scenario.visibleRate * hazardMultiplier,
    visibleFrom: Math.max(0, releaseHours - scenario.visibleHours),
  }
}
