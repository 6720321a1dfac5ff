import type { LifecycleContext } from '../lifecycle/context.js'
import { getAdvisory } from '../lifecycle/getAdvisory.js'
import { getPatch } from '../lifecycle/getPatch.js'
import { listTransitions } from '../lifecycle/listTransitions.js'
import { disclosureTimestamps, recordedChainTimelines } from '../lifecycle/multiChainTimelines.js'
import type { Actor, Transition } from '../lifecycle/types.js'
import type { ReleaseRouteName } from '../release/plan.js'
import { loadRelease, type ReleaseRecord } from '../release/releaseRecords.js'
import { priceExposureWindow, type ExposureWindowPrice } from '../risk/priceExposureWindow.js'
import type { ChainReleaseTimeline } from './executeMultiChainRelease.js'
import { chainReleaseId, matchPatchChains } from './releaseChains.js'

/** What is at stake on one chain: the model's inputs that no chain or store can give. */
export type ChainExposureTerms = {
  chainId: number
  valueAtRiskUsd: number
  /** Share (0–1) of the value a pause on this chain does not protect. */
  unpausableShare: number
  /**
   * Whether the release pauses this chain before the fix is public (a `pause` in the chains file).
   * Default: what the executed release did on it, else false (priced as open).
   */
  pauseAvailable?: boolean | undefined
}

/** One chain's place in the window, in hours from the disclosure. */
export type ChainWindowEntry = {
  chainId: number
  route: ReleaseRouteName
  /** The chain's timelock delay (0 for the emergency route). */
  delaySeconds: number
  releaseHours: number
  /** Paused from this hour (≤ 0: before the disclosure); null: open while the fix is public. */
  pausedFromHours: number | null
  /** The release time is the schedule's projection, not a mined block yet. */
  projected: boolean
}

export type PricedWindow = { chains: ChainWindowEntry[]; price: ExposureWindowPrice }

export type PriceMultiChainReleaseReturnType = {
  patchId: string
  severity: ExposureWindowPrice['severity']
  /** From the stored plans: pauses first, schedules back to back, every chain released once the longest delay has passed. */
  planned: PricedWindow | null
  /** From the executed release's block timestamps (each chain's clock): disclosure, pauses and releases as mined. */
  executed: (PricedWindow & { phase: 'scheduled' | 'released'; disclosedAt: { chainId: number; timestamp: number } }) | null
  /** Chains with no stored plan yet (no planned price until every chain is planned). */
  unplanned: number[]
}

/**
 * Prices the multi-chain exposure window of a patch: the hours each chain still runs the flawed
 * code while the fix is readable elsewhere (a public timelock schedule, or another chain's
 * release), and whether it is paused meanwhile (`priceExposureWindow`). `planned` follows the
 * plans as `executeMultiChainRelease` runs them: a standard route's schedule is public from the
 * first schedule, and every chain releases once the longest delay has passed, so that delay is
 * every chain's window; the private and emergency routes disclose nothing before their releases,
 * which go out together. `executed` reads the timeline stored with the patch's move to
 * `scheduled` or `released` (pauses, schedules and releases checked on chain): a chain whose
 * pause did not hold until its release is priced as open.
 *
 * @throws {MultiChainChainMissingError} the terms are not given for exactly the patch's chains.
 * @throws {RiskInputInvalidError} a value or share the model cannot use.
 */
export async function priceMultiChainRelease(
  context: LifecycleContext,
  { patchId, chains: given, actor }: { patchId: string; chains: readonly ChainExposureTerms[]; actor: Actor },
): Promise<PriceMultiChainReleaseReturnType> {
  const patch = await getPatch(context, patchId, actor)
  const terms = matchPatchChains(patch, given, 'the exposure terms given')
  const { severity } = await getAdvisory(context, patch.advisoryId, actor)
  const records = await Promise.all(terms.map((term) => loadRelease(context.store, chainReleaseId(patchId, term.chainId)).catch(() => null)))
  const unplanned = terms.filter((_, index) => records[index] === null).map((term) => term.chainId)
  const timelines = storedTimelines(await listTransitions(context, { advisoryId: patch.advisoryId }, actor), patchId)
  const pausedOf = (term: ChainExposureTerms) => term.pauseAvailable ?? (timelines?.timelines.find((entry) => entry.chainId === term.chainId)?.pause != null)
  const price = (entries: ChainWindowEntry[]): PricedWindow => ({
    chains: entries,
    price: priceExposureWindow({
      severity,
      chains: entries.map((entry, index) => ({ chainId: entry.chainId, releaseHours: entry.releaseHours, pausedFromHours: entry.pausedFromHours, valueAtRiskUsd: terms[index]!.valueAtRiskUsd, unpausableShare: terms[index]!.unpausableShare })),
    }),
  })

  let planned: PricedWindow | null = null
  if (unplanned.length === 0) {
    const plans = records.map((record) => record!.plan)
    const schedulesPublicly = plans.some((plan) => plan.route.name === 'standard')
    const releaseHours = schedulesPublicly ? Math.max(...plans.map((plan) => plan.route.delay)) / 3600 : 0
    planned = price(plans.map((plan, index) => ({ chainId: plan.chain.chainId, route: plan.route.name, delaySeconds: plan.route.delay, releaseHours, pausedFromHours: pausedOf(terms[index]!) ? 0 : null, projected: true })))
  }

  let executed: PriceMultiChainReleaseReturnType['executed'] = null
  if (timelines && records.every((record) => record !== null)) {
    executed = executedWindow(timelines, records as ReleaseRecord[], terms.map((term) => term.chainId), price)
  }
  return { patchId, severity, planned, executed, unplanned }
}

type StoredTimelines = { phase: 'scheduled' | 'released'; timelines: ChainReleaseTimeline[] }

/** The timeline stored as evidence of the patch's latest multi-chain move (the whole record executeMultiChainRelease wrote). */
function storedTimelines(transitions: readonly Transition[], patchId: string): StoredTimelines | null {
  return recordedChainTimelines(transitions.filter((transition) => transition.machine === 'patch' && transition.subjectId === patchId)) as StoredTimelines | null
}

function executedWindow(stored: StoredTimelines, records: readonly ReleaseRecord[], chainIds: readonly number[], price: (entries: ChainWindowEntry[]) => PricedWindow): PriceMultiChainReleaseReturnType['executed'] {
  const timelines = chainIds.map((chainId) => stored.timelines.find((entry) => entry.chainId === chainId))
  if (timelines.some((entry) => entry === undefined)) return null
  const lines = timelines as ChainReleaseTimeline[]
  const disclosures = lines.flatMap((line) => disclosureTimestamps(line).map((timestamp) => ({ chainId: line.chainId, timestamp })))
  if (disclosures.length === 0) return null
  const disclosedAt = disclosures.reduce((first, moment) => (moment.timestamp < first.timestamp ? moment : first))
  // Not released yet: every chain goes out once the last schedule's delay has passed.
  const projectedRelease = Math.max(...lines.map((line, index) => (line.schedule ? line.schedule.timestamp + records[index]!.plan.route.delay : disclosedAt.timestamp)))
  const hoursFrom = (timestamp: number) => (timestamp - disclosedAt.timestamp) / 3600
  return {
    phase: stored.phase,
    disclosedAt,
    ...price(
      lines.map((line, index) => ({
        chainId: line.chainId,
        route: line.route,
        delaySeconds: records[index]!.plan.route.delay,
        releaseHours: Math.max(0, hoursFrom(line.release?.timestamp ?? projectedRelease)),
        // A pause that did not hold until the release protected nothing.
        pausedFromHours: line.pause && line.pausedUntilRelease !== false ? hoursFrom(line.pause.timestamp) : null,
        projected: line.release === null,
      })),
    ),
  }
}
