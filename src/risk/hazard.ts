import { exposures, type Exposure, type Severity } from './model.js'
import type { RiskPriors } from './priors.js'

/**
 * Exploit hazard per hour: ln 2 / (median hours to exploit at this exposure) × the severity factor.
 * Non-decreasing in exposure as long as the priors' medians are non-increasing along `exposures`
 * (checked by `checkPriors`).
 */
export function hazardPerHour(severity: Severity, exposure: Exposure, priors: RiskPriors): number {
  return (priors.severityHazardFactor[severity].factor * Math.LN2) / priors.criticalMedianHoursToExploit[exposure].hours
}

/** The more exposed of two exposures. */
export function maxExposure(a: Exposure, b: Exposure): Exposure {
  return exposures.indexOf(a) >= exposures.indexOf(b) ? a : b
}

/**
 * The hazard along one route's timeline: `baseRate` from now until `visibleFrom` hours, then
 * `visibleRate` (the fix can be read: timelock calldata, a pending Safe transaction) until release.
 * Piecewise constant, so the cumulative hazard is piecewise linear and exactly invertible.
 */
export type HazardTimeline = { baseRate: number; visibleRate: number; visibleFrom: number }

/** ∫₀ᵗ h(s) ds. */
export function cumulativeHazard(timeline: HazardTimeline, hours: number): number {
  const { baseRate, visibleRate, visibleFrom } = timeline
  if (hours <= visibleFrom) return baseRate * hours
  return baseRate * visibleFrom + visibleRate * (hours - visibleFrom)
}

/** The time at which the cumulative hazard reaches `level` (the inverse of `cumulativeHazard`); Infinity if never. */
export function hoursAtCumulativeHazard(timeline: HazardTimeline, level: number): number {
  const { baseRate, visibleRate, visibleFrom } = timeline
  const beforeVisible = baseRate * visibleFrom
  if (level <= beforeVisible) return baseRate > 0 ? level / baseRate : level === 0 ? 0 : Infinity
  return visibleRate > 0 ? visibleFrom + (level - beforeVisible) / visibleRate : Infinity
}

/** Probability of an exploit within `hours` along the timeline: 1 − exp(−∫h). */
export function exploitProbability(timeline: HazardTimeline, hours: number): number {
  return -Math.expm1(-cumulativeHazard(timeline, hours))
}
