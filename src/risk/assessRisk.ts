import { closedFormRisk } from './closedFormRisk.js'
import { fitLatency, latencyQuantile, zQuantiles } from './fitLatency.js'
import { hazardPerHour, maxExposure } from './hazard.js'
import { exposures, routeNames, routeOptionId, type Exposure, type LatencyDistribution, type RiskInput, type RouteName, type RouteOption, type SimulationOptions } from './model.js'
import { defaultPriors, type RiskPriors } from './priors.js'
import { recommendRoute, type RouteRecommendation } from './recommendRoute.js'
import { parseRiskInput, parseSimulationOptions } from './riskInputSchema.js'
import type { RouteScenario } from './routeScenario.js'
import { riskChart, type RiskChart } from './riskChart.js'
import { simulateRoute } from './simulateRoute.js'

export type LatencySummary = {
  source: LatencyDistribution['source']
  p10Hours: number
  medianHours: number
  p90Hours: number
}

export type RouteOptionRisk = RouteOption & {
  id: string
  latency: LatencySummary & { fixedHours: number; visibleHours: number }
  /** Only for pause-first options. */
  pauseLatency?: LatencySummary
  pExploit: number
  pExploitStdErr: number
  pExploitInterval95: readonly [number, number]
  expectedLossUsd: number
  expectedLossStdErr: number
  expectedPauseCostUsd: number
  /** Expected loss plus expected pause cost: what the recommendation minimizes. */
  expectedCostUsd: number
  /** Median exposure window: hours from discovery until release (or the pause, if earlier). */
  medianExposureWindowHours: number
  /** The exact value when latency is deterministic and the hazard known (see closedFormRisk). */
  closedForm?: { pExploit: number; expectedLossUsd: number }
}

export type RiskAssessment = {
  version: 1
  input: Omit<RiskInput, 'history' | 'discoveredAt' | 'now'> & { discoveredAt: string; now: string }
  samples: number
  seed: number
  /** Exploit hazard per hour at each exposure for this severity (median rates, before the uncertainty multiplier). */
  hazardPerHour: Record<Exposure, number>
  options: RouteOptionRisk[]
  recommendation: RouteRecommendation
  chart: RiskChart
}

export const defaultSamples = 10_000

/**
 * The exposure-window model: for every route option the governance constraints allow
 * (standard / emergency / private, each with or without pausing first), the probability of an
 * exploit before the release is live and the expected loss, by seeded Monte Carlo; then the
 * recommended option with its explanation and the chart series. Pure: no I/O, same input and
 * seed → same output.
 */
export function assessRisk(input: RiskInput, options: SimulationOptions = {}, priors: RiskPriors = defaultPriors): RiskAssessment {
  const checked = parseRiskInput(input)
  const { samples = defaultSamples, seed = 1, chartPoints = 49 } = parseSimulationOptions(options)
  const scenarios = buildScenarios(checked, priors)
  const elapsedHours = (checked.now - checked.discoveredAt) / 3_600_000

  const results = scenarios.map((scenario) => ({ scenario, simulation: simulateRoute(scenario, { samples, seed }) }))
  const routeOptions: RouteOptionRisk[] = results.map(({ scenario, simulation }) => {
    const latency = summarize(scenario.latency)
    const pauseLatency = scenario.pause.kind === 'pause-first' ? summarize(scenario.pause.latency) : undefined
    const exact = closedFormRisk(scenario)
    const protectedAt = scenario.pause.kind === 'contained' ? 0 : pauseLatency ? Math.min(pauseLatency.medianHours, latency.medianHours) : latency.medianHours
    return {
      ...scenario.option,
      id: routeOptionId(scenario.option),
      latency: { ...latency, fixedHours: scenario.latency.fixedHours, visibleHours: scenario.visibleHours },
      ...(pauseLatency ? { pauseLatency } : {}),
      pExploit: simulation.pExploit,
      pExploitStdErr: simulation.pExploitStdErr,
      pExploitInterval95: simulation.pExploitInterval95,
      expectedLossUsd: simulation.expectedLossUsd,
      expectedLossStdErr: simulation.expectedLossStdErr,
      expectedPauseCostUsd: simulation.expectedPauseCostUsd,
      expectedCostUsd: simulation.expectedLossUsd + simulation.expectedPauseCostUsd,
      medianExposureWindowHours: elapsedHours + protectedAt,
      ...(exact ? { closedForm: { pExploit: exact.pExploit, expectedLossUsd: exact.expectedLossUsd } } : {}),
    }
  })

  const echoed: Record<string, unknown> = { ...checked, discoveredAt: new Date(checked.discoveredAt).toISOString(), now: new Date(checked.now).toISOString() }
  delete echoed.history // durations belong to the latency summaries, not the echo of the situation
  return {
    version: 1,
    input: echoed as RiskAssessment['input'],
    samples,
    seed,
    hazardPerHour: Object.fromEntries(exposures.map((exposure) => [exposure, hazardPerHour(checked.severity, exposure, priors)])) as Record<Exposure, number>,
    options: routeOptions,
    recommendation: recommendRoute(routeOptions, { input: checked }),
    chart: riskChart(
      results.map(({ scenario, simulation }, index) => ({ id: routeOptions[index]!.id, simulation, latency: scenario.latency })),
      { now: checked.now, elapsedHours, points: chartPoints },
    ),
  }
}

/** One scenario per option the constraints allow, in a stable order (routes as in `routeNames`, no-pause first). */
export function buildScenarios(input: RiskInput, priors: RiskPriors = defaultPriors): RouteScenario[] {
  const { constraints } = input
  const allowed = routeNames.filter((route) => constraints.routes.includes(route))
  const pauseChoices = !input.contained && constraints.pauseAvailable ? [false, true] : [false]
  const baseRate = hazardPerHour(input.severity, input.exposure, priors)
  const visibleRate = hazardPerHour(input.severity, maxExposure(input.exposure, 'fix-visible'), priors)
  const pauseLatency = fitLatency({
    samples: input.history?.pause,
    prior: priors.pauseLatency,
    fixedHours: 0,
    minSamples: priors.minHistorySamples,
    path: 'history.pause',
  })
  const scenarios: RouteScenario[] = []
  for (const route of allowed) {
    const fixedHours = route === 'standard' ? constraints.timelockDelayHours : 0
    const latency = fitLatency({
      samples: input.history?.[route],
      prior: priors.routeLatency[route],
      fixedHours,
      minSamples: priors.minHistorySamples,
      path: `history.${route}`,
    })
    for (const pauseFirst of pauseChoices) {
      scenarios.push({
        option: { route, pauseFirst },
        latency,
        visibleHours: visibleHoursFor(route, input, priors),
        baseRate,
        visibleRate,
        pause: input.contained ? { kind: 'contained' } : pauseFirst ? { kind: 'pause-first', latency: pauseLatency } : { kind: 'none' },
        valueAtRiskUsd: input.valueAtRiskUsd,
        unpausableShare: input.unpausableShare,
        pauseCostUsdPerHour: input.pauseCostUsdPerHour ?? 0,
        hazardLogSigma: priors.hazardLogSigma.sigma,
      })
    }
  }
  return scenarios
}

function visibleHoursFor(route: RouteName, input: RiskInput, priors: RiskPriors): number {
  switch (route) {
    case 'standard':
      return input.constraints.timelockDelayHours
    case 'emergency':
      return input.constraints.emergencyVisibleHours ?? priors.emergencyVisibleHours.hours
    case 'private':
      return 0
    default:
      return assertUnreachable(route)
  }
}

function summarize(distribution: LatencyDistribution): LatencySummary {
  return {
    source: distribution.source,
    p10Hours: latencyQuantile(distribution, zQuantiles.p10),
    medianHours: latencyQuantile(distribution, zQuantiles.p50),
    p90Hours: latencyQuantile(distribution, zQuantiles.p90),
  }
}

function assertUnreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`)
}
