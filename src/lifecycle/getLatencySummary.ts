import { computeLatency, latencyMeasures, latencyStages, summarizeDurations, type AdvisoryLatency, type DurationSummary, type LatencyMeasure, type LatencyStage } from './computeLatency.js'
import { nowOf, type LifecycleContext } from './context.js'
import { loadLatencyInputs } from './loadLatencyInputs.js'
import { assertCan, isClearedFor } from './permissions.js'
import type { Actor } from './types.js'

export type LatencySummary = {
  /** Advisories included (those the actor may see). */
  advisories: number
  /** Per stage: over advisories that completed it. `null` when none has. */
  stages: Record<LatencyStage, DurationSummary | null>
  /** Per whole-incident measure; the exposure window counts closed windows only. */
  measures: Record<LatencyMeasure, DurationSummary | null>
  /** Advisories whose exposure window is still open. */
  openExposures: number
}

/** Median and p90 per stage and measure across the advisories the actor may see. */
export async function getLatencySummary(context: Pick<LifecycleContext, 'store' | 'now'>, actor: Actor): Promise<LatencySummary> {
  assertCan(actor, 'latency:read')
  const now = nowOf(context)
  const latencies = (await loadLatencyInputs(context.store)).filter((input) => isClearedFor(actor, input.advisory)).map((input) => computeLatency({ ...input, now }))
  return summarizeLatencies(latencies)
}

export function summarizeLatencies(latencies: readonly AdvisoryLatency[]): LatencySummary {
  const stages = Object.fromEntries(
    latencyStages.map((stage) => [stage, summarizeDurations(latencies.flatMap((l) => (l.stages[stage] === undefined ? [] : [l.stages[stage]])))]),
  ) as Record<LatencyStage, DurationSummary | null>
  const measures = Object.fromEntries(
    latencyMeasures.map((measure) => [
      measure,
      summarizeDurations(
        latencies.flatMap((l) => {
          if (measure === 'exposureWindow') return l.exposureWindow.open || l.exposureWindow.endedBy === undefined ? [] : [l.exposureWindow.ms]
          const value = l.measures[measure]
          return value === undefined ? [] : [value]
        }),
      ),
    ]),
  ) as Record<LatencyMeasure, DurationSummary | null>
  return { advisories: latencies.length, stages, measures, openExposures: latencies.filter((l) => l.exposureWindow.open).length }
}
