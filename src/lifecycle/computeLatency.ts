import { disclosureTimestamps, recordedChainTimelines } from './multiChainTimelines.js'
import type { Advisory, AdvisoryStatus, Patch, PatchRoute, PatchStatus, Severity, Transition } from './types.js'

/**
 * The stages of an incident, in order, each measured between two recorded moments:
 *
 * | stage          | from                                   | to                                   |
 * |----------------|----------------------------------------|--------------------------------------|
 * | `report`       | discovery (`discoveredAt`)             | recorded in Bulwark (`reportedAt`)   |
 * | `triage`       | reported                               | triaged                              |
 * | `fix`          | triaged                                | the final patch proposed (includes rejected attempts) |
 * | `validation`   | final patch proposed                   | final patch validated                |
 * | `approval`     | final patch validated                  | final patch approved                 |
 * | `release`      | final patch approved                   | final patch released (includes scheduling and the timelock delay) |
 * | `verification` | final patch released                   | final patch verified                 |
 * | `disclosure`   | advisory verified                      | advisory disclosed                   |
 *
 * The final patch is the released one, else the most recent proposal.
 */
export const latencyStages = ['report', 'triage', 'fix', 'validation', 'approval', 'release', 'verification', 'disclosure'] as const
export type LatencyStage = (typeof latencyStages)[number]

/** Whole-incident measures: discovery → containment, → release, → verified release, and the exposure window. */
export const latencyMeasures = ['timeToContainment', 'timeToRelease', 'timeToVerification', 'exposureWindow'] as const
export type LatencyMeasure = (typeof latencyMeasures)[number]

export type AdvisoryLatency = {
  advisoryId: string
  severity: Severity
  status: AdvisoryStatus
  discoveredAt: Date
  /** The final patch (released, else most recent) and its route. */
  patchId?: string
  route?: PatchRoute
  /** Completed stages, in milliseconds. */
  stages: Partial<Record<LatencyStage, number>>
  /** The stage in progress, if the incident is not over. */
  current?: { stage: LatencyStage; since: Date; elapsedMs: number }
  /** Completed whole-incident measures, in milliseconds. */
  measures: Partial<Record<Exclude<LatencyMeasure, 'exposureWindow'>, number>>
  /**
   * Discovery → the earlier of the first containment and the verified release. `open` while
   * neither has happened (then `ms` runs up to `now`).
   */
  exposureWindow: { ms: number; open: boolean; endedBy?: 'containment' | 'verified-release' }
  /**
   * The final patch released on several chains at once (`bulwark multichain execute`): each chain's
   * window, from the per-chain timelines the release recorded. Absent for a one-chain release.
   */
  chains?: ChainWindow[]
  /** Time spent in each state, per machine, up to `now` for the current state. */
  timeInState: {
    advisory: Partial<Record<AdvisoryStatus, number>>
    containment: Partial<Record<string, number>>
    patches: { patchId: string; route: PatchRoute; status: PatchStatus; timeInState: Partial<Record<PatchStatus, number>> }[]
  }
}

/**
 * One chain of a multi-chain release. Times are that chain's block timestamps (Unix seconds): each
 * chain has its own clock, so differences across chains are as good as the chains' clocks.
 */
export type ChainWindow = {
  chainId: number
  pausedAt: number | null
  scheduledAt: number | null
  releasedAt: number | null
  /** Seconds from the fix's first public transaction on any chain (a public timelock's schedule or a release) to this chain's release: how long this chain ran the old code with the fix disclosed. */
  exposedAfterDisclosureSeconds: number | null
  /** Seconds from the first chain's release to this chain's: how long the fix was live elsewhere and not here. */
  afterFirstReleaseSeconds: number | null
  /** Read on chain at the release: paused in the block before it (null: no pause configured). */
  pausedUntilRelease: boolean | null
}

/** Computes an advisory's latency from its recorded transitions (pure: the same history always gives the same figures). */
export function computeLatency({
  advisory,
  transitions,
  patches,
  now,
}: {
  advisory: Advisory
  transitions: readonly Transition[]
  patches: readonly Pick<Patch, 'id' | 'route' | 'status' | 'createdAt'>[]
  now: Date
}): AdvisoryLatency {
  const ordered = [...transitions].sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id)
  const of = (machine: Transition['machine'], subjectId: string) => ordered.filter((t) => t.machine === machine && t.subjectId === subjectId)
  const firstAt = (list: readonly Transition[], to: string) => list.find((t) => t.to === to)?.at
  const lastAt = (list: readonly Transition[], to: string) => list.filter((t) => t.to === to).at(-1)?.at

  const advisoryLine = of('advisory', advisory.id)
  const containmentLine = of('containment', advisory.id)
  const finalPatch =
    patches.find((patch) => patch.status === 'released' || patch.status === 'verified') ??
    [...patches].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).at(-1)
  const patchLine = finalPatch ? of('patch', finalPatch.id) : []

  const moments: { stage: LatencyStage; from: Date | undefined; to: Date | undefined }[] = [
    { stage: 'report', from: advisory.discoveredAt, to: advisory.reportedAt },
    { stage: 'triage', from: advisory.reportedAt, to: firstAt(advisoryLine, 'triaged') },
    { stage: 'fix', from: firstAt(advisoryLine, 'triaged'), to: firstAt(patchLine, 'proposed') },
    { stage: 'validation', from: firstAt(patchLine, 'proposed'), to: lastAt(patchLine, 'validated') },
    { stage: 'approval', from: lastAt(patchLine, 'validated'), to: firstAt(patchLine, 'approved') },
    { stage: 'release', from: firstAt(patchLine, 'approved'), to: firstAt(patchLine, 'released') },
    { stage: 'verification', from: firstAt(patchLine, 'released'), to: firstAt(patchLine, 'verified') },
    { stage: 'disclosure', from: firstAt(advisoryLine, 'verified'), to: firstAt(advisoryLine, 'disclosed') },
  ]
  const stages: Partial<Record<LatencyStage, number>> = {}
  let current: AdvisoryLatency['current']
  const finished = advisory.status === 'disclosed' || advisory.status === 'withdrawn'
  for (const { stage, from, to } of moments) {
    if (from && to) stages[stage] = to.getTime() - from.getTime()
    else if (from && !to && !current && !finished) current = { stage, since: from, elapsedMs: now.getTime() - from.getTime() }
  }

  const discovered = advisory.discoveredAt.getTime()
  const containedAt = firstAt(containmentLine, 'contained')
  const releasedAt = firstAt(advisoryLine, 'released')
  const verifiedAt = firstAt(advisoryLine, 'verified')
  const measures: AdvisoryLatency['measures'] = {}
  if (containedAt) measures.timeToContainment = containedAt.getTime() - discovered
  if (releasedAt) measures.timeToRelease = releasedAt.getTime() - discovered
  if (verifiedAt) measures.timeToVerification = verifiedAt.getTime() - discovered
  const ends = [
    ...(containedAt ? [{ at: containedAt, by: 'containment' as const }] : []),
    ...(verifiedAt ? [{ at: verifiedAt, by: 'verified-release' as const }] : []),
  ].sort((a, b) => a.at.getTime() - b.at.getTime())
  const end = ends[0]
  const exposureWindow: AdvisoryLatency['exposureWindow'] = end
    ? { ms: end.at.getTime() - discovered, open: false, endedBy: end.by }
    : { ms: (advisory.status === 'withdrawn' ? (lastAt(advisoryLine, 'withdrawn') ?? now) : now).getTime() - discovered, open: advisory.status !== 'withdrawn' }

  const chains = chainWindows(patchLine)

  return {
    advisoryId: advisory.id,
    severity: advisory.severity,
    status: advisory.status,
    discoveredAt: advisory.discoveredAt,
    ...(finalPatch ? { patchId: finalPatch.id, route: finalPatch.route } : {}),
    stages,
    ...(current ? { current } : {}),
    measures,
    exposureWindow,
    ...(chains ? { chains } : {}),
    timeInState: {
      advisory: timeInState(advisoryLine, now),
      containment: timeInState(containmentLine, now),
      patches: patches.map((patch) => ({ patchId: patch.id, route: patch.route, status: patch.status, timeInState: timeInState(of('patch', patch.id), now) })),
    },
  }
}

/** The per-chain windows of the patch's last multi-chain release move (`released`, else `scheduled`), or undefined. */
function chainWindows(patchLine: readonly Transition[]): ChainWindow[] | undefined {
  const timelines = recordedChainTimelines(patchLine)?.timelines
  if (!timelines || timelines.length < 2) return undefined
  const disclosed = timelines.flatMap(disclosureTimestamps)
  const released = timelines.flatMap((line) => (line.release ? [line.release.timestamp] : []))
  const firstDisclosure = disclosed.length > 0 ? Math.min(...disclosed) : null
  const firstRelease = released.length > 0 ? Math.min(...released) : null
  return timelines.map((line) => {
    const releasedAt = line.release?.timestamp ?? null
    return {
      chainId: line.chainId,
      pausedAt: line.pause?.timestamp ?? null,
      scheduledAt: line.schedule?.timestamp ?? null,
      releasedAt,
      exposedAfterDisclosureSeconds: releasedAt !== null && firstDisclosure !== null ? releasedAt - firstDisclosure : null,
      afterFirstReleaseSeconds: releasedAt !== null && firstRelease !== null ? releasedAt - firstRelease : null,
      pausedUntilRelease: line.pausedUntilRelease,
    }
  })
}

/** Sums the time spent in each state of one machine's line; the last state runs until `now` unless it is final. */
function timeInState<S extends string>(line: readonly Transition[], now: Date): Partial<Record<S, number>> {
  const totals: Partial<Record<S, number>> = {}
  const finalStates = new Set(['disclosed', 'withdrawn', 'rejected', 'verified'])
  line.forEach((transition, index) => {
    const next = line[index + 1]
    const state = transition.to as S
    if (!next && finalStates.has(state)) return
    const until = next ? next.at : now
    totals[state] = (totals[state] ?? 0) + (until.getTime() - transition.at.getTime())
  })
  return totals
}

export type DurationSummary = { count: number; medianMs: number; p90Ms: number }

/**
 * Median (mean of the two middle values for an even count) and p90 by the nearest-rank
 * method (the smallest value with at least 90 % of the values at or below it).
 */
export function summarizeDurations(values: readonly number[]): DurationSummary | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const medianMs = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
  const p90Ms = sorted[Math.max(0, Math.ceil(0.9 * sorted.length) - 1)]!
  return { count: sorted.length, medianMs, p90Ms }
}
