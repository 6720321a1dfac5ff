import { cumulativeHazard, hoursAtCumulativeHazard } from './hazard.js'
import { createPrng } from './prng.js'
import { scenarioTimeline, type RouteScenario } from './routeScenario.js'

export type RouteSimulation = {
  samples: number
  /** P(exploit before release). */
  pExploit: number
  pExploitStdErr: number
  /** Wilson 95 % interval of pExploit. */
  pExploitInterval95: readonly [number, number]
  expectedLossUsd: number
  expectedLossStdErr: number
  /** Expected cost of being paused until release (0 unless a pause cost per hour is given). */
  expectedPauseCostUsd: number
  /** Hours from now of each exploit that happened before release, ascending (for the chart). */
  exploitHours: Float64Array
}

/**
 * Monte Carlo over one route option. Each sample draws, always in the same order and number
 * (so options compared under one seed share their random numbers): the release latency, the
 * pause latency, a unit-exponential exploit threshold E, and the hazard multiplier m. The flaw is
 * exploited before release iff E < m·H(L), and before the pause iff E < m·H(min(P, L)); the
 * loss is then the whole value at risk, or only the unpausable share once paused.
 * Because an outcome only ever compares E with a cumulative hazard, a longer latency, more
 * exposure or a later pause can never turn an exploit into none for the same draws.
 */
export function simulateRoute(scenario: RouteScenario, { samples, seed }: { samples: number; seed: number }): RouteSimulation {
  const prng = createPrng(seed)
  const { latency, pause } = scenario
  const value = scenario.valueAtRiskUsd
  const unpausableValue = value * scenario.unpausableShare
  const exploitHours = new Float64Array(samples)
  let exploits = 0
  let lossSum = 0
  let lossSquares = 0
  let pauseCostSum = 0
  for (let i = 0; i < samples; i += 1) {
    const zRelease = prng.normal()
    const zPause = prng.normal()
    const threshold = -Math.log(prng.uniform())
    const zHazard = prng.normal()
    prng.normal() // keeps four normals per sample, so the Box–Muller pairs never straddle samples
    const releaseHours = latency.fixedHours + Math.exp(latency.mu + latency.sigma * zRelease)
    const pauseHours =
      pause.kind === 'contained' ? 0 : pause.kind === 'none' ? Infinity : pause.latency.fixedHours + Math.exp(pause.latency.mu + pause.latency.sigma * zPause)
    const multiplier = scenario.hazardLogSigma === 0 ? 1 : Math.exp(scenario.hazardLogSigma * zHazard)
    const timeline = scenarioTimeline(scenario, releaseHours, multiplier)
    let loss = 0
    if (threshold < cumulativeHazard(timeline, releaseHours)) {
      loss = threshold < cumulativeHazard(timeline, Math.min(pauseHours, releaseHours)) ? value : unpausableValue
      exploitHours[exploits] = hoursAtCumulativeHazard(timeline, threshold)
      exploits += 1
    }
    lossSum += loss
    lossSquares += loss * loss
    if (pauseHours < releaseHours) pauseCostSum += scenario.pauseCostUsdPerHour * (releaseHours - pauseHours)
  }
  const p = exploits / samples
  const mean = lossSum / samples
  const variance = samples > 1 ? Math.max(0, (lossSquares - samples * mean * mean) / (samples - 1)) : 0
  const sorted = exploitHours.slice(0, exploits).sort()
  return {
    samples,
    pExploit: p,
    pExploitStdErr: Math.sqrt((p * (1 - p)) / samples),
    pExploitInterval95: wilsonInterval(exploits, samples),
    expectedLossUsd: mean,
    expectedLossStdErr: Math.sqrt(variance / samples),
    expectedPauseCostUsd: pauseCostSum / samples,
    exploitHours: sorted,
  }
}

function wilsonInterval(successes: number, trials: number): readonly [number, number] {
  const z = 1.959963984540054
  const p = successes / trials
  const denominator = 1 + (z * z) / trials
  const centre = (p + (z * z) / (2 * trials)) / denominator
  const half = (z * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials))) / denominator
  return [Math.max(0, centre - half), Math.min(1, centre + half)]
}
