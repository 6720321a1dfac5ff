import type { Transition } from './types.js'

/**
 * What a multi-chain release records for each chain as evidence of the patch's `scheduled` and
 * `released` moves (operations/executeMultiChainRelease writes its `ChainReleaseTimeline`, of which
 * this is the part read back). Timestamps are that chain's block timestamps, Unix seconds.
 */
export type RecordedChainTimeline = {
  chainId: number
  route: string
  pause: { timestamp: number } | null
  schedule: { timestamp: number } | null
  release: { timestamp: number } | null
  /** Read on chain: paused in the block before the release (null without a pause). */
  pausedUntilRelease: boolean | null
}

/** The per-chain timelines recorded with the latest multi-chain move (`scheduled` or `released`) of one patch's transitions, or null. */
export function recordedChainTimelines(patchLine: readonly Transition[]): { phase: 'scheduled' | 'released'; timelines: RecordedChainTimeline[] } | null {
  const move = patchLine.findLast((transition) => (transition.to === 'scheduled' || transition.to === 'released') && Array.isArray(transition.evidence.data?.timelines))
  if (!move) return null
  return { phase: move.to as 'scheduled' | 'released', timelines: move.evidence.data!.timelines as RecordedChainTimeline[] }
}

/** When a chain's timeline made the fix public: a public timelock's schedule, and the release. A private route's schedule is only a commitment. */
export function disclosureTimestamps(line: RecordedChainTimeline): number[] {
  return [...(line.route === 'standard' && line.schedule ? [line.schedule.timestamp] : []), ...(line.release ? [line.release.timestamp] : [])]
}
