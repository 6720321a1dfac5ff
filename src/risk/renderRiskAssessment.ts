import type { RiskAssessment } from './assessRisk.js'
import type { RiskBacktest } from './backtestRisk.js'
import { formatHours, formatPercent, formatUsd } from './formatRisk.js'

/** The assessment as text for the terminal: one row per route option, then the recommendation in words. */
export function renderRiskAssessment(assessment: RiskAssessment): string {
  const { input } = assessment
  const header = [
    `Risk: ${input.severity} flaw, exposure ${input.exposure}, ${formatUsd(input.valueAtRiskUsd)} at risk` +
      ` (${formatPercent(input.unpausableShare)} unpausable${input.contained ? ', contained' : ''}); discovered ${formatHours(assessment.chart.hoursSinceDiscovery)} ago.`,
    `Monte Carlo: ${assessment.samples.toLocaleString('en-US')} samples per option, seed ${assessment.seed}.`,
    '',
  ]
  const rows = [
    ['option', 'release (median, 80%)', 'P(exploit first)', '95% interval', 'expected loss', 'pause cost'],
    ...assessment.options.map((option) => [
      option.id === assessment.recommendation.optionId ? `${option.id} *` : option.id,
      `${formatHours(option.latency.medianHours)} (${formatHours(option.latency.p10Hours)}–${formatHours(option.latency.p90Hours)})`,
      formatPercent(option.pExploit),
      `${formatPercent(option.pExploitInterval95[0])}–${formatPercent(option.pExploitInterval95[1])}`,
      `${formatUsd(option.expectedLossUsd)} ± ${formatUsd(option.expectedLossStdErr)}`,
      formatUsd(option.expectedPauseCostUsd),
    ]),
  ]
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  const table = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd())
  return [...header, ...table, '', ...assessment.recommendation.explanation].join('\n')
}

export function renderRiskBacktest(backtest: RiskBacktest): string {
  return [
    `Backtest over ${backtest.incidents} recorded incident(s):`,
    ...backtest.rows.map((row) => `  ${row.id}: predicted ${formatPercent(row.predicted)}, ${row.exploited ? 'exploited' : 'not exploited'}`),
    `Brier score ${backtest.brierScore.toFixed(4)} (base rate ${backtest.baselineBrierScore.toFixed(4)}` +
      (backtest.brierSkillScore === undefined ? ')' : `, skill ${backtest.brierSkillScore.toFixed(3)})`),
    `Log loss ${backtest.logLoss.toFixed(4)}; predicted exploits ${backtest.predictedExploits.toFixed(2)} vs observed ${backtest.observedExploits}.`,
    `Predicted loss ${formatUsd(backtest.predictedLossUsd)} vs observed ${formatUsd(backtest.observedLossUsd)}.`,
  ].join('\n')
}
