import { closedFormRisk } from './closedFormRisk.js'
import { RiskInputInvalidError } from './errors.js'
import { hazardPerHour, maxExposure } from './hazard.js'
import type { Exposure, RouteName, Severity } from './model.js'
import { defaultPriors, type RiskPriors } from './priors.js'
import type { RouteScenario } from './routeScenario.js'

/** One past incident as the project recorded it: the situation at the decision, what was done, what happened. */
export type RecordedIncident = {
  id: string
  severity: Severity
  exposure: Exposure
  valueAtRiskUsd: number
  unpausableShare: number
  /** Already paused when the route was chosen. */
  contained: boolean
  route: RouteName
  /** Hours from the decision until the release was live. */
  releaseHours: number
  /** Hours from the decision until the pause was live, when the team paused first. */
  pauseHours?: number
  /** Hours the fix was readable before the release (the timelock delay for a standard release). */
  visibleHours: number
  /** Whether the flaw was exploited before the release. */
  exploited: boolean
  lossUsd?: number
}

export type BacktestRow = { id: string; predicted: number; exploited: boolean; predictedLossUsd: number; lossUsd?: number }

export type RiskBacktest = {
  incidents: number
  rows: BacktestRow[]
  /** Mean squared error of the predicted probability against the outcome (0 is perfect). */
  brierScore: number
  /** Brier score of always predicting the observed exploit rate (the no-skill baseline). */
  baselineBrierScore: number
  /** 1 − brier / baseline: above 0 the model beats the base rate; undefined when the baseline is 0. */
  brierSkillScore: number | undefined
  /** Mean negative log-likelihood (probabilities clipped to [1e-6, 1 − 1e-6]). */
  logLoss: number
  /** Sum of predicted probabilities vs the number of incidents exploited: calibration in the large. */
  predictedExploits: number
  observedExploits: number
  predictedLossUsd: number
  observedLossUsd: number
}

// Five-point Gauss–Hermite rule for E[f(Z)], Z ~ N(0, 1): averages over the hazard uncertainty without sampling.
export const gaussHermite5 = [
  { z: 0, w: 8 / 15 },
  { z: 1.3556261799742659, w: 0.2220759220056126 },
  { z: -1.3556261799742659, w: 0.2220759220056126 },
  { z: 2.8569700138728056, w: 0.011257411327720691 },
  { z: -2.8569700138728056, w: 0.011257411327720691 },
]

/**
 * Backtest of the hazard model against the project's recorded incidents: for each one, the
 * probability of an exploit before its actual release (with its actual latencies, so only the
 * hazard is under test), scored against what happened.
 */
export function backtestRisk(incidents: readonly RecordedIncident[], priors: RiskPriors = defaultPriors): RiskBacktest {
  if (incidents.length === 0) throw new RiskInputInvalidError({ issues: [{ path: 'incidents', message: 'needs at least one recorded incident' }] })
  const rows = incidents.map((incident, index): BacktestRow => {
    for (const field of ['releaseHours', 'visibleHours', 'valueAtRiskUsd'] as const) {
      if (!Number.isFinite(incident[field]) || incident[field] < 0) {
        throw new RiskInputInvalidError({ issues: [{ path: `incidents[${index}].${field}`, message: 'must be a non-negative number' }] })
      }
    }
    let predicted = 0
    let predictedLossUsd = 0
    for (const { z, w } of gaussHermite5) {
      const multiplier = Math.exp(priors.hazardLogSigma.sigma * z)
      const exact = closedFormRisk(scenarioOf(incident, priors, multiplier))!
      predicted += w * exact.pExploit
      predictedLossUsd += w * exact.expectedLossUsd
    }
    return { id: incident.id, predicted, exploited: incident.exploited, predictedLossUsd, ...(incident.lossUsd === undefined ? {} : { lossUsd: incident.lossUsd }) }
  })
  const observedRate = rows.filter((row) => row.exploited).length / rows.length
  const outcome = (row: BacktestRow) => (row.exploited ? 1 : 0)
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length
  const brierScore = mean(rows.map((row) => (row.predicted - outcome(row)) ** 2))
  const baselineBrierScore = mean(rows.map((row) => (observedRate - outcome(row)) ** 2))
  const clip = (p: number) => Math.min(1 - 1e-6, Math.max(1e-6, p))
  return {
    incidents: rows.length,
    rows,
    brierScore,
    baselineBrierScore,
    brierSkillScore: baselineBrierScore === 0 ? undefined : 1 - brierScore / baselineBrierScore,
    logLoss: mean(rows.map((row) => -(row.exploited ? Math.log(clip(row.predicted)) : Math.log(1 - clip(row.predicted))))),
    predictedExploits: rows.reduce((sum, row) => sum + row.predicted, 0),
    observedExploits: rows.filter((row) => row.exploited).length,
    predictedLossUsd: rows.reduce((sum, row) => sum + row.predictedLossUsd, 0),
    observedLossUsd: rows.reduce((sum, row) => sum + (row.lossUsd ?? 0), 0),
  }
}

function scenarioOf(incident: RecordedIncident, priors: RiskPriors, multiplier: number): RouteScenario {
  const deterministic = (hours: number) => ({ fixedHours: 0, mu: Math.log(Math.max(hours, 1e-9)), sigma: 0, source: { kind: 'history' as const, samples: 1 } })
  return {
    option: { route: incident.route, pauseFirst: incident.pauseHours !== undefined },
    latency: deterministic(incident.releaseHours),
    visibleHours: incident.visibleHours,
    baseRate: hazardPerHour(incident.severity, incident.exposure, priors) * multiplier,
    visibleRate: hazardPerHour(incident.severity, maxExposure(incident.exposure, 'fix-visible'), priors) * multiplier,
    pause: incident.contained ? { kind: 'contained' } : incident.pauseHours !== undefined ? { kind: 'pause-first', latency: deterministic(incident.pauseHours) } : { kind: 'none' },
    valueAtRiskUsd: incident.valueAtRiskUsd,
    unpausableShare: incident.unpausableShare,
    pauseCostUsdPerHour: 0,
    hazardLogSigma: 0,
  }
}
