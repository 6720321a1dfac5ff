import type { LatencyHistory, RouteName } from './model.js'

/** The shape of a recorded release as the lifecycle measures it (stage durations in ms); structural, so risk needs no lifecycle import. */
export type RecordedRelease = {
  route: RouteName
  stages: Partial<Record<'fix' | 'validation' | 'approval' | 'release', number>>
}

/**
 * The risk model's latency history from recorded releases: hours from the decision to act
 * (the advisory triaged) until the release is live — the fix, validation, approval and release
 * stages. Releases missing a stage are left out rather than guessed.
 */
export function latencyHistoryFromStages(releases: readonly RecordedRelease[]): LatencyHistory {
  const byRoute: Partial<Record<RouteName, number[]>> = {}
  for (const { route, stages } of releases) {
    const { fix, validation, approval, release } = stages
    if (fix === undefined || validation === undefined || approval === undefined || release === undefined) continue
    ;(byRoute[route] ??= []).push((fix + validation + approval + release) / 3_600_000)
  }
  return byRoute
}
