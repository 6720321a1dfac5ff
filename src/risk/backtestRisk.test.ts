import { describe, expect, test } from 'vitest'
import { backtestRisk, type RecordedIncident } from './backtestRisk.js'
import { RiskInputInvalidError } from './errors.js'

const incident = (overrides: Partial<RecordedIncident>): RecordedIncident => ({
  id: 'x',
  severity: 'critical',
  exposure: 'private',
  valueAtRiskUsd: 1_000_000,
  unpausableShare: 0,
  contained: false,
  route: 'emergency',
  releaseHours: 4,
  visibleHours: 0,
  exploited: false,
  ...overrides,
})

describe('backtestRisk', () => {
  test('scores predictions against outcomes: a model that ranks exploited incidents higher beats the base rate', () => {
    const incidents = [
      incident({ id: 'quiet-1' }),
      incident({ id: 'quiet-2', route: 'private', releaseHours: 12 }),
      incident({ id: 'quiet-3', severity: 'low', exposure: 'public', releaseHours: 24 }),
      incident({ id: 'timelock-leak', route: 'standard', releaseHours: 72, visibleHours: 48, exploited: true, lossUsd: 1_000_000 }),
    ]
    const result = backtestRisk(incidents)
    expect(result.incidents).toBe(4)
    expect(result.observedExploits).toBe(1)
    expect(result.observedLossUsd).toBe(1_000_000)
    const [q1, q2, q3, leak] = result.rows
    expect(leak!.predicted).toBeGreaterThan(0.8)
    for (const row of [q1, q2, q3]) expect(row!.predicted).toBeLessThan(0.05)
    expect(result.brierScore).toBeLessThan(result.baselineBrierScore)
    expect(result.brierSkillScore).toBeGreaterThan(0.5)
    expect(result.predictedExploits).toBeCloseTo(result.rows.reduce((sum, row) => sum + row.predicted, 0), 12)
  })

  test('a contained incident predicts a loss of only the unpausable share', () => {
    const { rows } = backtestRisk([incident({ exposure: 'exploited', contained: true, unpausableShare: 0.25, releaseHours: 10 })])
    expect(rows[0]!.predicted).toBeGreaterThan(0.99)
    expect(rows[0]!.predictedLossUsd).toBeCloseTo(250_000 * rows[0]!.predicted, 6)
  })

  test('bad input is rejected with the field named', () => {
    expect(() => backtestRisk([])).toThrowError(RiskInputInvalidError)
    try {
      backtestRisk([incident({}), incident({ releaseHours: -1 })])
      expect.unreachable()
    } catch (error) {
      expect((error as RiskInputInvalidError).code).toBe('BW_RISK_INPUT_INVALID')
      expect((error as RiskInputInvalidError).issues[0]!.path).toBe('incidents[1].releaseHours')
    }
  })
})
