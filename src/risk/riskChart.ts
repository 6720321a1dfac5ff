import { latencyQuantile, zQuantiles } from './fitLatency.js'
import type { LatencyDistribution } from './model.js'
import type { RouteSimulation } from './simulateRoute.js'

export type RiskChartSeries = {
  /** Route option id (`emergency+pause`). */
  id: string
  /** P(exploited by `hours` from now, before the release): rises while exposed, flattens once released. */
  points: { hours: number; probability: number }[]
  /** The release time of this option (hours from now), to draw as a marker with its 80 % band. */
  release: { p10Hours: number; medianHours: number; p90Hours: number }
}

export type RiskChart = {
  /** The x axis: hours from `startsAt` (the decision time). */
  unit: 'hours'
  startsAt: string
  /** Hours between discovery and `startsAt`, to shift the axis to "since discovery". */
  hoursSinceDiscovery: number
  series: RiskChartSeries[]
}

/**
 * Chart data for the dashboard: for each route option, the cumulative probability of an exploit
 * over time (from the same Monte Carlo samples as the numbers), with the option's release time
 * marked. The x range covers the slowest option's 90th-percentile release.
 */
export function riskChart(
  series: readonly { id: string; simulation: RouteSimulation; latency: LatencyDistribution }[],
  { now, elapsedHours, points }: { now: number; elapsedHours: number; points: number },
): RiskChart {
  const releases = series.map(({ latency }) => ({
    p10Hours: latencyQuantile(latency, zQuantiles.p10),
    medianHours: latencyQuantile(latency, zQuantiles.p50),
    p90Hours: latencyQuantile(latency, zQuantiles.p90),
  }))
  const end = Math.max(1, ...releases.map((release) => release.p90Hours)) * 1.1
  const grid = Array.from({ length: points }, (_, index) => (end * index) / (points - 1))
  return {
    unit: 'hours',
    startsAt: new Date(now).toISOString(),
    hoursSinceDiscovery: elapsedHours,
    series: series.map(({ id, simulation }, index) => {
      const times = simulation.exploitHours
      let seen = 0
      return {
        id,
        points: grid.map((hours) => {
          while (seen < times.length && times[seen]! <= hours) seen += 1
          return { hours: round(hours, 4), probability: round(seen / simulation.samples, 6) }
        }),
        release: releases[index]!,
      }
    }),
  }
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits
  return Math.round(value * scale) / scale
}
