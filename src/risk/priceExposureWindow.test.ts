import { describe, expect, test } from 'vitest'
import { RiskInputInvalidError } from './errors.js'
import { hazardPerHour } from './hazard.js'
import { priceExposureWindow, type ChainExposureInput } from './priceExposureWindow.js'
import { defaultPriors, type RiskPriors } from './priors.js'

const chain = (overrides: Partial<ChainExposureInput>): ChainExposureInput => ({ chainId: 1, releaseHours: 24, pausedFromHours: 0, valueAtRiskUsd: 1_000_000, unpausableShare: 0.1, ...overrides })
const knownRates: RiskPriors = { ...defaultPriors, hazardLogSigma: { ...defaultPriors.hazardLogSigma, sigma: 0 } }

describe('priceExposureWindow', () => {
  test('with known rates it is the closed form: the paused window stakes the unpausable share, the open one everything', () => {
    const h = hazardPerHour('critical', 'fix-visible', knownRates)
    const price = priceExposureWindow({ severity: 'critical', chains: [chain({ chainId: 1 }), chain({ chainId: 10, pausedFromHours: null, releaseHours: 24 }), chain({ chainId: 137, pausedFromHours: 6, releaseHours: 24 })] }, knownRates)
    const [paused, open, late] = price.chains
    expect(price.hazardPerHour).toBe(h)
    expect(paused).toMatchObject({ windowHours: 24, openHours: 0, pausedHours: 24, openPremiumUsd: 0 })
    expect(paused!.expectedLossUsd).toBeCloseTo(1_000_000 * 0.1 * -Math.expm1(-h * 24), 6)
    expect(open).toMatchObject({ openHours: 24, pausedHours: 0 })
    expect(open!.expectedLossUsd).toBeCloseTo(1_000_000 * -Math.expm1(-h * 24), 6)
    expect(late).toMatchObject({ openHours: 6, pausedHours: 18 })
    expect(late!.expectedLossUsd).toBeCloseTo(1_000_000 * -Math.expm1(-h * 6) + 100_000 * (Math.exp(-h * 6) - Math.exp(-h * 24)), 6)
    expect(price.pAnyExploit).toBeCloseTo(-Math.expm1(-h * 72), 12)
    expect(price.openChainIds).toEqual([10, 137])
    expect(price.expectedLossUsd).toBeCloseTo(paused!.expectedLossUsd + open!.expectedLossUsd + late!.expectedLossUsd, 6)
  })

  test('a chain left open while the fix is public elsewhere raises the price; a longer window never lowers it', () => {
    const pausedBoth = priceExposureWindow({ severity: 'high', chains: [chain({ chainId: 1 }), chain({ chainId: 2 })] })
    const secondOpen = priceExposureWindow({ severity: 'high', chains: [chain({ chainId: 1 }), chain({ chainId: 2, pausedFromHours: null })] })
    expect(secondOpen.expectedLossUsd).toBeGreaterThan(pausedBoth.expectedLossUsd * 5)
    expect(secondOpen.openPremiumUsd).toBeCloseTo(secondOpen.chains[1]!.expectedLossUsd - pausedBoth.chains[1]!.expectedLossUsd, 6)
    expect(pausedBoth.openChainIds).toEqual([])
    expect(secondOpen.openChainIds).toEqual([2])
    let previous = -1
    for (const releaseHours of [0, 1, 6, 48, 168]) {
      const { expectedLossUsd } = priceExposureWindow({ severity: 'high', chains: [chain({ releaseHours, pausedFromHours: null })] })
      expect(expectedLossUsd).toBeGreaterThanOrEqual(previous)
      previous = expectedLossUsd
    }
    // Releases together the moment the fix is public: no window, no price.
    expect(priceExposureWindow({ severity: 'critical', chains: [chain({ releaseHours: 0, pausedFromHours: null })] }).expectedLossUsd).toBe(0)
  })

  test('a bad input is BW_RISK_INPUT_INVALID naming the field', () => {
    expect(() => priceExposureWindow({ severity: 'critical', chains: [chain({ unpausableShare: 1.5 })] })).toThrow(RiskInputInvalidError)
    expect(() => priceExposureWindow({ severity: 'critical', chains: [chain({ releaseHours: -1 })] })).toThrow(/^Risk input chains\[0\]\.releaseHours: /)
    expect(() => priceExposureWindow({ severity: 'critical', chains: [] })).toThrow('Risk input chains: must name at least one chain')
    expect(() => priceExposureWindow({ severity: 'critical', chains: [chain({ valueAtRiskUsd: 1e300 })] })).toThrow('Risk input chains[0].valueAtRiskUsd: must be at most 1e15 USD')
  })
})
