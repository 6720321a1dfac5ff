/**
 * The vocabulary of the exposure-window model. Everything here is plain data: the risk module
 * sits below lifecycle in the module order, so callers hand it plain inputs, never store rows.
 */

export const severities = ['low', 'medium', 'high', 'critical'] as const
export type Severity = (typeof severities)[number]

/**
 * Who can know about the flaw, from least to most exposed. The order matters: the hazard is
 * non-decreasing along this list, and a route's timeline only ever raises the exposure.
 * - `private`: known to the reporter and the team only;
 * - `public`: an alert or advisory says something is wrong (Balancer, Aug 2023);
 * - `fix-visible`: the fix itself can be read — timelock calldata during the delay, a public
 *   commit, a pending Safe transaction, a deployed new implementation (Wormhole, Feb 2022);
 * - `exploited`: someone is already exploiting it in the wild; copycats follow (Nomad, Aug 2022).
 */
export const exposures = ['private', 'public', 'fix-visible', 'exploited'] as const
export type Exposure = (typeof exposures)[number]

/**
 * Release routes. `standard`: the full governance path (vote and/or timelock delay) with the
 * fix calldata public for the whole delay. `emergency`: an emergency council (Safe) upgrades
 * without the full delay; the fix is visible only while the council collects signatures.
 * `private`: the council's upgrade goes out through a private channel (implementation deployment
 * and upgrade in one private bundle) so the fix is never visible before it is live.
 */
export const routeNames = ['standard', 'emergency', 'private'] as const
export type RouteName = (typeof routeNames)[number]

/** One option the model scores: a release route, with or without pausing first. */
export type RouteOption = { route: RouteName; pauseFirst: boolean }

/** `standard`, `emergency+pause`, … — how an option is named in text, JSON and chart series. */
export function routeOptionId(option: RouteOption): string {
  return option.pauseFirst ? `${option.route}+pause` : option.route
}

/** What the project's governance allows. Routes outside these constraints are never recommended. */
export type GovernanceConstraints = {
  /** Routes that exist for this project (e.g. no `emergency` without an emergency council). */
  routes: readonly RouteName[]
  /** Hours of the standard governance path during which the fix calldata is public (vote + timelock min delay). */
  timelockDelayHours: number
  /** Whether a pauser/guardian can pause the affected contracts. */
  pauseAvailable: boolean
  /** Hours the fix is visible before an emergency release (pending Safe transaction, implementation deployed); default from priors. */
  emergencyVisibleHours?: number
}

/** One recorded release (or pause) duration, in hours, from the decision to act until it took effect on chain. */
export type LatencyHistory = Partial<Record<RouteName | 'pause', readonly number[]>>

export type RiskInput = {
  severity: Severity
  /** Exposure at `now`. */
  exposure: Exposure
  /** When the flaw was discovered (ms since epoch); used for the exposure window and the chart axis. */
  discoveredAt: number
  /** When the decision is taken (ms since epoch). The model looks forward from here. */
  now: number
  /** USD an exploit would take if nothing is paused. */
  valueAtRiskUsd: number
  /** Share (0–1) of the value at risk that a pause cannot protect. */
  unpausableShare: number
  /** Already paused (contained): only the unpausable share is at stake from now on. */
  contained: boolean
  /** The project's own recorded latencies per route; fitted when there are enough samples. */
  history?: LatencyHistory
  constraints: GovernanceConstraints
  /** Cost of keeping the protocol paused (users locked, liquidations blocked), USD per hour; default 0. */
  pauseCostUsdPerHour?: number
}

/** Log-normal latency: `fixedHours + exp(N(mu, sigma))`; `sigma = 0` makes it deterministic. */
export type LatencyDistribution = {
  fixedHours: number
  mu: number
  sigma: number
  /** Where the parameters come from: the project's history (with its sample count) or a documented prior. */
  source: { kind: 'history'; samples: number } | { kind: 'prior'; prior: string }
}

export type SimulationOptions = {
  /** Monte Carlo samples per route option (default 10,000). */
  samples?: number
  /** PRNG seed; the same seed gives the same numbers (default 1). */
  seed?: number
  /** Points per chart series (default 49). */
  chartPoints?: number
}
