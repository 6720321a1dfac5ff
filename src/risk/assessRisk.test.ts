import { describe, expect, test } from 'vitest'
import { assessRisk } from './assessRisk.js'
import { RiskInputInvalidError } from './errors.js'
import { fitLatency } from './fitLatency.js'
import type { RiskInput } from './model.js'
import { defaultPriors } from './priors.js'

const now = Date.parse('2026-03-01T12:00:00Z')
const hour = 3_600_000

const base: RiskInput = {
  severity: 'critical',
  exposure: 'private',
  discoveredAt: now - 3 * hour,
  now,
  valueAtRiskUsd: 10_000_000,
  unpausableShare: 0.1,
  contained: false,
  constraints: { routes: ['standard', 'emergency', 'private'], timelockDelayHours: 48, pauseAvailable: true },
}

function invalid(input: unknown): RiskInputInvalidError {
  try {
    assessRisk(input as RiskInput, { samples: 200 })
  } catch (error) {
    if (error instanceof RiskInputInvalidError) return error
    throw error
  }
  throw new Error('expected RiskInputInvalidError')
}

describe('assessRisk: recommendation', () => {
  test('a critical private flaw with a 48 h public timelock: pause first and release privately, explained with numbers', () => {
    const assessment = assessRisk(base)
    expect(assessment.options.map((option) => option.id)).toEqual(['standard', 'standard+pause', 'emergency', 'emergency+pause', 'private', 'private+pause'])
    expect(assessment.recommendation.optionId).toBe('private+pause')
    const standard = assessment.options.find((option) => option.id === 'standard')!
    const chosen = assessment.options.find((option) => option.id === 'private+pause')!
    // The timelock publishes the fix for 48 h: far riskier than a release nobody can read in advance.
    expect(standard.pExploit).toBeGreaterThan(0.5)
    expect(chosen.pExploit).toBeLessThan(0.1)
    expect(chosen.expectedLossUsd).toBeLessThan(standard.expectedLossUsd / 10)
    const text = assessment.recommendation.explanation.join('\n')
    expect(text).toContain('Recommended: private+pause — pause first, then release through the emergency council, submitted privately')
    expect(text).toContain(`expected loss $${Math.round(chosen.expectedLossUsd).toLocaleString('en-US')}`)
    expect(text).toContain('leaves only the unpausable 10.0% ($1,000,000) exposed')
    expect(text).toContain('The standard route keeps the fix readable for the 2.0 days governance delay')
    expect(assessment.recommendation.ranking[0]).toBe('private+pause')
    expect(assessment.recommendation.ranking).toHaveLength(6)
  })

  test('only routes the governance allows are scored, and the explanation says which are missing', () => {
    const assessment = assessRisk({ ...base, constraints: { routes: ['standard'], timelockDelayHours: 48, pauseAvailable: true } })
    expect(assessment.options.map((option) => option.id)).toEqual(['standard', 'standard+pause'])
    expect(assessment.recommendation.optionId).toBe('standard+pause')
    expect(assessment.recommendation.explanation.at(-1)).toBe("Not available under the project's governance constraints: emergency, private.")
  })

  test('a pause that protects nothing (all value unpausable) is never recommended', () => {
    const assessment = assessRisk({ ...base, unpausableShare: 1, constraints: { ...base.constraints, routes: ['emergency'] } })
    expect(assessment.recommendation.optionId).toBe('emergency')
    expect(assessment.recommendation.explanation).toContain('A pause would protect nothing here (everything at risk is unpausable), so the plan does not pause.')
  })

  test('without a pause, no pause-first options; when contained, the explanation says only the unpausable share is at stake', () => {
    expect(assessRisk({ ...base, constraints: { ...base.constraints, pauseAvailable: false } }).options.some((option) => option.pauseFirst)).toBe(false)
    const contained = assessRisk({ ...base, contained: true })
    expect(contained.options.some((option) => option.pauseFirst)).toBe(false)
    expect(contained.recommendation.explanation).toContain('The protocol is already contained: only the unpausable 10.0% ($1,000,000) is at stake until the release.')
    expect(contained.options.every((option) => option.medianExposureWindowHours === 3)).toBe(true)
  })

  test('a pause that costs more per hour than it saves is not recommended', () => {
    const cheapFlaw = { ...base, severity: 'low' as const, valueAtRiskUsd: 100_000, constraints: { ...base.constraints, routes: ['emergency' as const] } }
    expect(assessRisk(cheapFlaw).recommendation.optionId).toBe('emergency+pause')
    const costly = assessRisk({ ...cheapFlaw, pauseCostUsdPerHour: 50_000 })
    expect(costly.recommendation.optionId).toBe('emergency')
    expect(costly.options.find((option) => option.id === 'emergency+pause')!.expectedPauseCostUsd).toBeGreaterThan(0)
  })

  test('exploited in the wild: every option is likely to lose, pausing first cuts the loss', () => {
    const assessment = assessRisk({ ...base, exposure: 'exploited', constraints: { ...base.constraints, routes: ['emergency'] } })
    const [none, pause] = assessment.options
    expect(none!.pExploit).toBeGreaterThan(0.9)
    expect(pause!.expectedLossUsd).toBeLessThan(none!.expectedLossUsd)
    expect(assessment.recommendation.optionId).toBe('emergency+pause')
  })

  test('reproducible: the same seed gives the same numbers, another seed different ones', () => {
    const first = assessRisk(base, { samples: 2_000, seed: 7 })
    expect(assessRisk(base, { samples: 2_000, seed: 7 })).toEqual(first)
    expect(assessRisk(base, { samples: 2_000, seed: 8 }).options[2]!.pExploit).not.toBe(first.options[2]!.pExploit)
    expect(first.samples).toBe(2_000)
  })

  test('latency comes from the project history when it has enough samples, else from the prior', () => {
    const history = { emergency: [2, 2, 2, 2, 2], private: [1, 1, 1, 1] }
    const assessment = assessRisk({ ...base, history, constraints: { ...base.constraints, routes: ['emergency', 'private'], emergencyVisibleHours: 0 } })
    const emergency = assessment.options.find((option) => option.id === 'emergency')!
    const priv = assessment.options.find((option) => option.id === 'private')!
    expect(emergency.latency.source).toEqual({ kind: 'history', samples: 5 })
    expect(emergency.latency.medianHours).toBeCloseTo(2, 9)
    expect(priv.latency.source).toEqual({ kind: 'prior', prior: defaultPriors.routeLatency.private.source.incident })
    expect(priv.latency.medianHours).toBeCloseTo(12, 9)
    expect(assessment.recommendation.optionId).toBe('emergency+pause')
    expect(assessment.recommendation.explanation[0]).toContain('(median 2.0 h, 80% between 2.0 h and 2.0 h; fitted to 5 recorded releases)')
  })

  test('the standard route’s history is fitted above its governance delay', () => {
    const fitted = fitLatency({ samples: [50, 52, 56, 64, 80], prior: defaultPriors.routeLatency.standard, fixedHours: 48, minSamples: 5, path: 'history.standard' })
    expect(fitted.fixedHours).toBe(48)
    expect(Math.exp(fitted.mu)).toBeCloseTo(Math.exp((Math.log(2) + Math.log(4) + Math.log(8) + Math.log(16) + Math.log(32)) / 5), 9)
    expect(fitted.sigma).toBeGreaterThan(0)
  })

  test('chart: one non-decreasing series per option, ending no higher than its probability, with the release marked', () => {
    const assessment = assessRisk(base, { samples: 2_000, chartPoints: 25 })
    expect(assessment.chart.hoursSinceDiscovery).toBe(3)
    expect(assessment.chart.startsAt).toBe('2026-03-01T12:00:00.000Z')
    for (const series of assessment.chart.series) {
      const option = assessment.options.find((candidate) => candidate.id === series.id)!
      expect(series.points).toHaveLength(25)
      expect(series.points[0]).toEqual({ hours: 0, probability: 0 })
      for (let i = 1; i < series.points.length; i += 1) expect(series.points[i]!.probability).toBeGreaterThanOrEqual(series.points[i - 1]!.probability)
      expect(series.points.at(-1)!.probability).toBeLessThanOrEqual(option.pExploit + 1e-9)
      expect(series.points.at(-1)!.probability).toBeGreaterThan(option.pExploit * 0.8)
      expect(series.release.medianHours).toBeCloseTo(option.latency.medianHours, 9)
    }
  })
})

describe('assessRisk: bad input', () => {
  test.each([
    [{ ...base, unpausableShare: 1.5 }, 'unpausableShare', 'Too big'],
    [{ ...base, constraints: { ...base.constraints, routes: [] } }, 'constraints.routes', 'must allow at least one route'],
    [{ ...base, constraints: { ...base.constraints, routes: ['standard', 'standard'] } }, 'constraints.routes', 'names a route twice'],
    [{ ...base, severity: 'severe' }, 'severity', ''],
    [{ ...base, now: base.discoveredAt - 1 }, 'now', 'is before discoveredAt'],
    [{ ...base, history: { emergency: [1, -2] } }, 'history.emergency[1]', ''],
    [{ ...base, valueAtRiskUsd: Number.NaN }, 'valueAtRiskUsd', ''],
  ])('%# → BW_RISK_INPUT_INVALID naming the field', (input, path, message) => {
    const error = invalid(input)
    expect(error.code).toBe('BW_RISK_INPUT_INVALID')
    expect(error.exitCode).toBe(2)
    expect(error.issues[0]!.path).toBe(path)
    expect(error.shortMessage.startsWith(`Risk input ${path}: `)).toBe(true)
    expect(error.shortMessage).toContain(message)
  })

  test('simulation options are checked too', () => {
    expect(() => assessRisk(base, { samples: 10 })).toThrowError(/Risk input options\.samples: must be at least 100/)
  })
})
