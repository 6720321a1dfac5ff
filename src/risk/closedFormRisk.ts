import { cumulativeHazard } from './hazard.js'
import { scenarioTimeline, type RouteScenario } from './routeScenario.js'

export type ClosedFormRisk = { pExploit: number; expectedLossUsd: number; releaseHours: number; pauseHours: number }

/**
 * The exact answer when nothing is random but the exploit time: deterministic latencies
 * (sigma = 0) and known hazard rates (hazardLogSigma = 0). With H(t) the piecewise-linear
 * cumulative hazard, release at L and pause at P:
 *   P(exploit before release) = 1 − e^{−H(L)}
 *   E[loss] = V · (1 − e^{−H(min(P, L))}) + V · u · (e^{−H(min(P, L))} − e^{−H(L)})
 * Returns undefined when no closed form applies (Monte Carlo is then the answer).
 */
export function closedFormRisk(scenario: RouteScenario): ClosedFormRisk | undefined {
  const { latency, pause } = scenario
  if (latency.sigma !== 0 || scenario.hazardLogSigma !== 0) return undefined
  if (pause.kind === 'pause-first' && pause.latency.sigma !== 0) return undefined
  const releaseHours = latency.fixedHours + Math.exp(latency.mu)
  const pauseHours = pause.kind === 'contained' ? 0 : pause.kind === 'none' ? Infinity : pause.latency.fixedHours + Math.exp(pause.latency.mu)
  const timeline = scenarioTimeline(scenario, releaseHours)
  const survivesRelease = Math.exp(-cumulativeHazard(timeline, releaseHours))
  const survivesPause = Math.exp(-cumulativeHazard(timeline, Math.min(pauseHours, releaseHours)))
  const value = scenario.valueAtRiskUsd
  return {
    pExploit: 1 - survivesRelease,
    expectedLossUsd: value * (1 - survivesPause) + value * scenario.unpausableShare * (survivesPause - survivesRelease),
    releaseHours,
    pauseHours,
  }
}
