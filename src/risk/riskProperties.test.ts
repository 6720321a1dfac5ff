import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { assessRisk, buildScenarios } from './assessRisk.js'
import { closedFormRisk } from './closedFormRisk.js'
import { hazardPerHour } from './hazard.js'
import { exposures, routeNames, severities, type RiskInput, type RouteName } from './model.js'
import { defaultPriors, type RiskPriors } from './priors.js'
import type { RouteScenario } from './routeScenario.js'
import { simulateRoute } from './simulateRoute.js'

const now = Date.parse('2026-03-01T00:00:00Z')
const samples = 2_000

const riskInput: fc.Arbitrary<RiskInput> = fc.record({
  severity: fc.constantFrom(...severities),
  exposure: fc.constantFrom(...exposures),
  discoveredAt: fc.integer({ min: 0, max: 72 }).map((hours) => now - hours * 3_600_000),
  now: fc.constant(now),
  valueAtRiskUsd: fc.double({ min: 0, max: 1e9, noNaN: true }),
  unpausableShare: fc.double({ min: 0, max: 1, noNaN: true }),
  contained: fc.boolean(),
  constraints: fc.record({
    routes: fc.subarray([...routeNames], { minLength: 1 }),
    timelockDelayHours: fc.double({ min: 0, max: 400, noNaN: true }),
    pauseAvailable: fc.boolean(),
  }),
  pauseCostUsdPerHour: fc.double({ min: 0, max: 1e5, noNaN: true }),
})

const scenario: fc.Arbitrary<RouteScenario> = fc.record({
  option: fc.record({ route: fc.constantFrom(...routeNames), pauseFirst: fc.boolean() }),
  latency: fc.record({
    fixedHours: fc.double({ min: 0, max: 200, noNaN: true }),
    mu: fc.double({ min: -3, max: 6, noNaN: true }),
    sigma: fc.double({ min: 0, max: 2, noNaN: true }),
    source: fc.constant({ kind: 'prior' as const, prior: 'test' }),
  }),
  visibleHours: fc.double({ min: 0, max: 200, noNaN: true }),
  baseRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
  visibleRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
  pause: fc.oneof(
    fc.constant({ kind: 'none' as const }),
    fc.constant({ kind: 'contained' as const }),
    fc.record({
      kind: fc.constant('pause-first' as const),
      latency: fc.record({ fixedHours: fc.constant(0), mu: fc.double({ min: -3, max: 5, noNaN: true }), sigma: fc.double({ min: 0, max: 2, noNaN: true }), source: fc.constant({ kind: 'prior' as const, prior: 'test' }) }),
    }),
  ),
  valueAtRiskUsd: fc.double({ min: 0, max: 1e9, noNaN: true }),
  unpausableShare: fc.double({ min: 0, max: 1, noNaN: true }),
  pauseCostUsdPerHour: fc.constant(0),
  hazardLogSigma: fc.double({ min: 0, max: 1.5, noNaN: true }),
}).map((s) => ({ ...s, visibleRate: Math.max(s.baseRate, s.visibleRate) }))

const byId = (assessment: ReturnType<typeof assessRisk>) => new Map(assessment.options.map((option) => [option.id, option]))

describe('risk model properties', () => {
  test('longer latency never lowers the probability of exploit (same seed, any scenario)', () => {
    fc.assert(
      fc.property(scenario, fc.double({ min: 0, max: 3, noNaN: true }), fc.double({ min: 0, max: 300, noNaN: true }), fc.nat(), (s, extraLog, extraHours, seed) => {
        const slower = { ...s, latency: { ...s.latency, mu: s.latency.mu + extraLog, fixedHours: s.latency.fixedHours + extraHours } }
        expect(simulateRoute(slower, { samples, seed }).pExploit).toBeGreaterThanOrEqual(simulateRoute(s, { samples, seed }).pExploit)
      }),
      { numRuns: 60 },
    )
  })

  test('a longer timelock delay never lowers the standard route’s probability of exploit', () => {
    fc.assert(
      fc.property(riskInput, fc.double({ min: 0, max: 300, noNaN: true }), (input, extra) => {
        const routes: RouteName[] = ['standard']
        const base = { ...input, constraints: { ...input.constraints, routes } }
        const slower = { ...base, constraints: { ...base.constraints, timelockDelayHours: base.constraints.timelockDelayHours + extra } }
        const fast = byId(assessRisk(base, { samples }))
        for (const [id, option] of byId(assessRisk(slower, { samples }))) expect(option.pExploit, id).toBeGreaterThanOrEqual(fast.get(id)!.pExploit)
      }),
      { numRuns: 40 },
    )
  })

  test('containment never raises expected loss: contained ≤ pause first ≤ no pause, per route', () => {
    fc.assert(
      fc.property(riskInput, (input) => {
        const open = byId(assessRisk({ ...input, contained: false, constraints: { ...input.constraints, pauseAvailable: true } }, { samples }))
        const contained = byId(assessRisk({ ...input, contained: true }, { samples }))
        for (const route of input.constraints.routes) {
          const none = open.get(route)!.expectedLossUsd
          const pauseFirst = open.get(`${route}+pause`)!.expectedLossUsd
          expect(pauseFirst, route).toBeLessThanOrEqual(none)
          expect(contained.get(route)!.expectedLossUsd, route).toBeLessThanOrEqual(pauseFirst)
        }
      }),
      { numRuns: 40 },
    )
  })

  test('more exposure never lowers the hazard (shipped priors, every severity)', () => {
    for (const severity of severities) {
      const rates = exposures.map((exposure) => hazardPerHour(severity, exposure, defaultPriors))
      for (let i = 1; i < rates.length; i += 1) expect(rates[i]!, `${severity} ${exposures[i]}`).toBeGreaterThanOrEqual(rates[i - 1]!)
    }
  })

  test('more exposure never lowers the hazard nor the probability of exploit (any ordered priors, any input)', () => {
    const orderedMedians = fc.array(fc.double({ min: 0.01, max: 5_000, noNaN: true }), { minLength: 4, maxLength: 4 }).map((values) => [...values].sort((a, b) => b - a))
    fc.assert(
      fc.property(riskInput, orderedMedians, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), (input, medians, i, j) => {
        const priors: RiskPriors = {
          ...defaultPriors,
          criticalMedianHoursToExploit: Object.fromEntries(
            exposures.map((exposure, index) => [exposure, { ...defaultPriors.criticalMedianHoursToExploit[exposure], hours: medians[index]! }]),
          ) as RiskPriors['criticalMedianHoursToExploit'],
        }
        const [lower, higher] = [exposures[Math.min(i, j)]!, exposures[Math.max(i, j)]!]
        expect(hazardPerHour(input.severity, higher, priors)).toBeGreaterThanOrEqual(hazardPerHour(input.severity, lower, priors))
        const less = byId(assessRisk({ ...input, exposure: lower }, { samples }, priors))
        for (const [id, option] of byId(assessRisk({ ...input, exposure: higher }, { samples }, priors))) {
          expect(option.pExploit, id).toBeGreaterThanOrEqual(less.get(id)!.pExploit)
        }
      }),
      { numRuns: 40 },
    )
  })

  test('Monte Carlo agrees with the closed form (deterministic latency, known hazard) within 5 standard errors', () => {
    const n = 20_000
    fc.assert(
      fc.property(scenario, fc.nat(), (s, seed) => {
        const exact: RouteScenario = {
          ...s,
          latency: { ...s.latency, sigma: 0 },
          pause: s.pause.kind === 'pause-first' ? { ...s.pause, latency: { ...s.pause.latency, sigma: 0 } } : s.pause,
          hazardLogSigma: 0,
        }
        const closed = closedFormRisk(exact)!
        const simulated = simulateRoute(exact, { samples: n, seed })
        const p = closed.pExploit
        // Tolerance: 5 binomial standard errors plus one sample's worth (a 5-sigma miss has odds ~1 in 3.5 million).
        expect(Math.abs(simulated.pExploit - p)).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / n) + 1 / n)
        const v = exact.valueAtRiskUsd
        expect(Math.abs(simulated.expectedLossUsd - closed.expectedLossUsd)).toBeLessThanOrEqual(5 * v * Math.sqrt(p / n) + v / n + 1e-6)
      }),
      { numRuns: 80 },
    )
  })

  test('the closed form is 1 − exp(−∫h) for a known case', () => {
    // 10 h at 0.01/h, then 2 h visible at 0.1/h: ∫h = 0.1 + 0.2 = 0.3.
    const [standard] = buildScenarios({
      severity: 'critical',
      exposure: 'private',
      discoveredAt: now,
      now,
      valueAtRiskUsd: 1_000,
      unpausableShare: 0,
      contained: false,
      constraints: { routes: ['standard'], timelockDelayHours: 2, pauseAvailable: false },
    })
    const exact = closedFormRisk({ ...standard!, latency: { ...standard!.latency, mu: Math.log(10), sigma: 0 }, baseRate: 0.01, visibleRate: 0.1, hazardLogSigma: 0 })!
    expect(exact.releaseHours).toBeCloseTo(12, 12)
    expect(exact.pExploit).toBeCloseTo(1 - Math.exp(-0.3), 12)
    expect(exact.expectedLossUsd).toBeCloseTo(1_000 * (1 - Math.exp(-0.3)), 9)
  })

  test('the closed form applies only when nothing but the exploit time is random', () => {
    const [s] = buildScenarios({
      severity: 'high',
      exposure: 'public',
      discoveredAt: now,
      now,
      valueAtRiskUsd: 1,
      unpausableShare: 1,
      contained: false,
      constraints: { routes: ['emergency'], timelockDelayHours: 0, pauseAvailable: false },
    })
    expect(closedFormRisk(s!)).toBeUndefined()
    expect(closedFormRisk({ ...s!, latency: { ...s!.latency, sigma: 0 }, hazardLogSigma: 0 })).toBeDefined()
  })
})
