import { z } from 'zod'
import { gaussHermite5 } from './backtestRisk.js'
import { hazardPerHour } from './hazard.js'
import { severities, type Severity } from './model.js'
import { defaultPriors, type RiskPriors } from './priors.js'
import { parseWith } from './riskInputSchema.js'

/**
 * One chain of a multi-chain release, seen from the moment the fix first became readable on any
 * chain (the disclosure: the first public schedule or release). Hours are measured from then.
 */
export type ChainExposureInput = {
  chainId: number
  /** Hours from the disclosure until this chain's fix is live (its release, which also unpauses it). */
  releaseHours: number
  /** Hours from the disclosure at which this chain was paused (≤ 0: before the fix was public); null: open for the whole window. */
  pausedFromHours: number | null
  /** USD an exploit on this chain would take while it is open. */
  valueAtRiskUsd: number
  /** Share (0–1) of this chain's value at risk that its pause does not protect. */
  unpausableShare: number
}

export type ExposureWindowInput = { severity: Severity; chains: readonly ChainExposureInput[] }

export type ChainExposurePrice = {
  chainId: number
  /** Hours this chain is exposed with the fix readable elsewhere (or on its own timelock): disclosure → its release. */
  windowHours: number
  /** Hours of the window this chain was open (not paused) while the fix was public. */
  openHours: number
  pausedHours: number
  /** P(this chain is exploited during its window), hazard uncertainty averaged out. */
  pExploit: number
  expectedLossUsd: number
  /** What being open costs: the expected loss minus the same window paused throughout (0 when paused from the disclosure). */
  openPremiumUsd: number
}

export type ExposureWindowPrice = {
  severity: Severity
  /** The hazard while the fix is readable (`fix-visible` exposure, median rate). */
  hazardPerHour: number
  chains: ChainExposurePrice[]
  /** Hours between the disclosure and the last chain's release. */
  windowHours: number
  /** P(at least one chain is exploited during its window). */
  pAnyExploit: number
  expectedLossUsd: number
  openPremiumUsd: number
  /** Chains that were (or would be) open while the fix was public somewhere. */
  openChainIds: number[]
}

const hours = z.number().finite().nonnegative()
/** Sums over many chains stay finite (and far above any protocol's value). */
export const maxValueAtRiskUsd = 1e15
const windowInputSchema = z.strictObject({
  severity: z.enum(severities),
  chains: z
    .array(
      z.strictObject({
        chainId: z.number().int().positive(),
        releaseHours: hours,
        pausedFromHours: z.number().finite().nullable(),
        valueAtRiskUsd: z.number().finite().nonnegative().max(maxValueAtRiskUsd, 'must be at most 1e15 USD'),
        unpausableShare: z.number().min(0).max(1),
      }),
    )
    .min(1, 'must name at least one chain'),
})

/**
 * Prices the multi-chain exposure window: once the fix is readable on one chain (a public timelock
 * schedule, or a release), every chain still running the flawed code is exposed at the
 * `fix-visible` hazard until its own release. A chain paused for its window puts only its
 * unpausable share at stake; an open chain puts all of its value at stake, so a chain left
 * unpaused while the fix is public elsewhere always raises the price. Per chain, with h the
 * hazard, o the open hours, w the window and m the hazard multiplier:
 *   E[loss] = E_m[ V·(1 − e^{−m·h·o}) + V·u·(e^{−m·h·o} − e^{−m·h·w}) ]
 * averaged over m = exp(σ_h·Z) by the five-point Gauss–Hermite rule (deterministic, no sampling).
 *
 * @throws {RiskInputInvalidError} BW_RISK_INPUT_INVALID, naming the field.
 */
export function priceExposureWindow(input: ExposureWindowInput, priors: RiskPriors = defaultPriors): ExposureWindowPrice {
  parseWith(windowInputSchema, input, '')
  const rate = hazardPerHour(input.severity, 'fix-visible', priors)
  const sigma = priors.hazardLogSigma.sigma
  const multipliers = gaussHermite5.map(({ z, w }) => ({ m: Math.exp(sigma * z), w }))
  const expect = (f: (m: number) => number) => multipliers.reduce((sum, { m, w }) => sum + w * f(m), 0)

  const chains = input.chains.map((chain): ChainExposurePrice => {
    const windowHours = chain.releaseHours
    const openHours = chain.pausedFromHours === null ? windowHours : Math.min(windowHours, Math.max(0, chain.pausedFromHours))
    const value = chain.valueAtRiskUsd
    const loss = (open: number) => expect((m) => {
      const survivesOpen = Math.exp(-m * rate * open)
      return value * (1 - survivesOpen) + value * chain.unpausableShare * (survivesOpen - Math.exp(-m * rate * windowHours))
    })
    const expectedLossUsd = loss(openHours)
    return {
      chainId: chain.chainId,
      windowHours,
      openHours,
      pausedHours: windowHours - openHours,
      pExploit: expect((m) => -Math.expm1(-m * rate * windowHours)),
      expectedLossUsd,
      openPremiumUsd: expectedLossUsd - loss(0),
    }
  })
  const totalWindow = chains.reduce((sum, chain) => sum + chain.windowHours, 0)
  return {
    severity: input.severity,
    hazardPerHour: rate,
    chains,
    windowHours: Math.max(...chains.map((chain) => chain.windowHours)),
    // One hazard multiplier for every chain (the same flaw, the same attackers).
    pAnyExploit: expect((m) => -Math.expm1(-m * rate * totalWindow)),
    expectedLossUsd: chains.reduce((sum, chain) => sum + chain.expectedLossUsd, 0),
    openPremiumUsd: chains.reduce((sum, chain) => sum + chain.openPremiumUsd, 0),
    openChainIds: chains.filter((chain) => chain.openHours > 0).map((chain) => chain.chainId),
  }
}
