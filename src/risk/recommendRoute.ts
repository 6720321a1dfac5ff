import type { RouteOptionRisk } from './assessRisk.js'
import { formatHours, formatPercent, formatUsd } from './formatRisk.js'
import { routeNames, routeOptionId, type RiskInput, type RouteName } from './model.js'

export type RouteRecommendation = {
  /** The option with the lowest expected cost (loss + pause cost) among those the constraints allow. */
  optionId: string
  route: RouteName
  pauseFirst: boolean
  pExploit: number
  expectedLossUsd: number
  expectedCostUsd: number
  /** Option ids, best first. */
  ranking: string[]
  runnerUp?: { optionId: string; pExploit: number; expectedLossUsd: number; expectedCostUsd: number }
  /** The best and the runner-up differ by less than two (independent-sample) standard errors. */
  withinNoise: boolean
  /** The recommendation in words and numbers, one sentence per line. */
  explanation: string[]
}

const routeWords: Record<RouteName, string> = {
  standard: 'the standard governance path',
  emergency: 'the emergency council',
  private: 'the emergency council, submitted privately',
}

/**
 * Picks the option with the lowest expected cost and explains why. Exact ties go to the simpler
 * option (no pause before pause; standard, then emergency, then private), so an option that buys
 * nothing — a pause when nothing is pausable — is never recommended.
 */
export function recommendRoute(options: readonly RouteOptionRisk[], { input }: { input: Pick<RiskInput, 'valueAtRiskUsd' | 'unpausableShare' | 'contained' | 'constraints'> }): RouteRecommendation {
  if (options.length === 0) throw new Error('recommendRoute needs at least one option')
  const simplicity = (option: RouteOptionRisk) => routeNames.indexOf(option.route) * 2 + (option.pauseFirst ? 1 : 0)
  const ranked = [...options].sort((a, b) => {
    const tolerance = 1e-9 * Math.max(1, Math.abs(a.expectedCostUsd), Math.abs(b.expectedCostUsd))
    if (Math.abs(a.expectedCostUsd - b.expectedCostUsd) > tolerance) return a.expectedCostUsd - b.expectedCostUsd
    if (Math.abs(a.pExploit - b.pExploit) > 1e-12) return a.pExploit - b.pExploit
    return simplicity(a) - simplicity(b)
  })
  const best = ranked[0]!
  const runnerUp = ranked[1]
  const noise = runnerUp ? 2 * Math.hypot(best.expectedLossUsd === 0 ? 0 : best.expectedLossStdErr, runnerUp.expectedLossStdErr) : 0
  const withinNoise = runnerUp !== undefined && runnerUp.expectedCostUsd - best.expectedCostUsd <= noise && runnerUp.expectedCostUsd !== best.expectedCostUsd

  const explanation: string[] = []
  explanation.push(`Recommended: ${describe(best)}.`)
  explanation.push(
    `Probability of an exploit before the release: ${formatPercent(best.pExploit)} (95% interval ${formatPercent(best.pExploitInterval95[0])}–${formatPercent(best.pExploitInterval95[1])}); ` +
      `expected loss ${formatUsd(best.expectedLossUsd)} ± ${formatUsd(best.expectedLossStdErr)} of ${formatUsd(input.valueAtRiskUsd)} at risk.`,
  )
  const unpausable = formatUsd(input.valueAtRiskUsd * input.unpausableShare)
  if (input.contained) {
    explanation.push(`The protocol is already contained: only the unpausable ${formatPercent(input.unpausableShare)} (${unpausable}) is at stake until the release.`)
  } else if (best.pauseFirst && best.pauseLatency) {
    explanation.push(
      `Pausing first (median ${formatHours(best.pauseLatency.medianHours)}) leaves only the unpausable ${formatPercent(input.unpausableShare)} (${unpausable}) exposed until the release.`,
    )
  } else if (input.constraints.pauseAvailable && input.unpausableShare >= 1) {
    explanation.push('A pause would protect nothing here (everything at risk is unpausable), so the plan does not pause.')
  }
  if (best.expectedPauseCostUsd > 0) explanation.push(`Expected cost of staying paused until the release: ${formatUsd(best.expectedPauseCostUsd)}.`)
  if (runnerUp) {
    explanation.push(
      `Next best: ${runnerUp.id} (${formatPercent(runnerUp.pExploit)}, expected loss ${formatUsd(runnerUp.expectedLossUsd)}); ` +
        (withinNoise
          ? 'the difference is within Monte Carlo noise (two standard errors), so either is defensible.'
          : `${best.id} saves ${formatUsd(runnerUp.expectedCostUsd - best.expectedCostUsd)} in expected cost.`),
    )
  }
  const standard = options.find((option) => option.route === 'standard' && option.pauseFirst === best.pauseFirst)
  if (standard && best.route !== 'standard' && standard.latency.visibleHours > 0) {
    explanation.push(
      `The standard route keeps the fix readable for the ${formatHours(standard.latency.visibleHours)} governance delay: ` +
        `${formatPercent(standard.pExploit)} chance of an exploit first, expected loss ${formatUsd(standard.expectedLossUsd)}.`,
    )
  }
  const unavailable = routeNames.filter((route) => !input.constraints.routes.includes(route))
  if (unavailable.length > 0) explanation.push(`Not available under the project's governance constraints: ${unavailable.join(', ')}.`)

  return {
    optionId: best.id,
    route: best.route,
    pauseFirst: best.pauseFirst,
    pExploit: best.pExploit,
    expectedLossUsd: best.expectedLossUsd,
    expectedCostUsd: best.expectedCostUsd,
    ranking: ranked.map((option) => option.id),
    ...(runnerUp
      ? { runnerUp: { optionId: runnerUp.id, pExploit: runnerUp.pExploit, expectedLossUsd: runnerUp.expectedLossUsd, expectedCostUsd: runnerUp.expectedCostUsd } }
      : {}),
    withinNoise,
    explanation,
  }
}

function describe(option: RouteOptionRisk): string {
  const latency = option.latency
  const source = latency.source.kind === 'history' ? `fitted to ${latency.source.samples} recorded releases` : `prior: ${latency.source.prior}`
  const when = `median ${formatHours(latency.medianHours)}, 80% between ${formatHours(latency.p10Hours)} and ${formatHours(latency.p90Hours)}; ${source}`
  const release = `release through ${routeWords[option.route]} (${when})`
  return `${routeOptionId(option)} — ${option.pauseFirst ? `pause first, then ${release}` : release}`
}
