import { RiskInputInvalidError } from './errors.js'
import type { LatencyDistribution } from './model.js'
import { lognormalFromQuantiles, type LatencyPrior } from './priors.js'

/** Durations shorter than this are floored: a log-normal needs a positive value, and a minute is below any real release. */
const minimumHours = 1 / 60

export type FitLatencyParameters = {
  /** The project's recorded durations, in hours (for the standard route: including the governance delay). */
  samples: readonly number[] | undefined
  prior: LatencyPrior
  /** The deterministic part (the standard route's governance delay); the log-normal is fitted to what is above it. */
  fixedHours: number
  /** Below this many samples the prior is used. */
  minSamples: number
  /** Where the samples come from, for error messages (`history.standard`). */
  path: string
}

/**
 * A route's latency distribution: the maximum-likelihood log-normal of the project's own history
 * when it has at least `minSamples` durations, else the documented prior.
 */
export function fitLatency({ samples, prior, fixedHours, minSamples, path }: FitLatencyParameters): LatencyDistribution {
  const bad = (samples ?? []).findIndex((value) => !Number.isFinite(value) || value < 0)
  if (bad >= 0) throw new RiskInputInvalidError({ issues: [{ path: `${path}[${bad}]`, message: 'must be a non-negative number of hours' }] })
  if (samples === undefined || samples.length < minSamples || samples.length < 2) {
    return { fixedHours, ...lognormalFromQuantiles(prior.medianHours, prior.p90Hours), source: { kind: 'prior', prior: prior.source.incident } }
  }
  const logs = samples.map((value) => Math.log(Math.max(minimumHours, value - fixedHours)))
  const mu = logs.reduce((sum, value) => sum + value, 0) / logs.length
  const variance = logs.reduce((sum, value) => sum + (value - mu) ** 2, 0) / (logs.length - 1)
  return { fixedHours, mu, sigma: Math.sqrt(variance), source: { kind: 'history', samples: samples.length } }
}

/** The q-quantile of a latency distribution, from the normal quantile z_q. */
export function latencyQuantile(distribution: LatencyDistribution, z: number): number {
  return distribution.fixedHours + Math.exp(distribution.mu + distribution.sigma * z)
}

export const zQuantiles = { p10: -1.2815515655446004, p50: 0, p90: 1.2815515655446004 } as const
