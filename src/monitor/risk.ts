import type { DetectorFinding, Severity } from './types.js'

/**
 * The risk roll-up: findings about one target on one chain that arrive within `windowSeconds`
 * of each other (chain time) are one incident, and the incident's score rises with what is seen.
 * Real attacks take several transactions (Radiant: 3 in 11 s), so the second finding about the
 * same pool must update the first incident rather than open a new one (and pause again). An
 * incident is bounded in time too (`incidentMaxSeconds` after its first finding): past that, a
 * finding opens a new incident, whose responses are decided afresh.
 */
export type Incident = {
  /** `<chainId>:<target>:<firstSeen>`: stable across restarts because it uses chain time. */
  readonly key: string
  readonly chain: number
  /** The protocol contract the findings name first (lowercase), or `unknown`. */
  readonly target: string
  /** Chain time (seconds) of the first and the latest finding. */
  readonly firstSeen: number
  lastSeen: number
  /** 0..100. */
  score: number
  /** Distinct detector ids, in the order they first fired. */
  detectors: string[]
  alertIds: string[]
  /** Whether any finding came from a pending (not yet mined) transaction. */
  pending: boolean
  advisoryId: string | null
}

export type RiskConfig = {
  /** Findings about the same target further apart than this (seconds of chain time) open a new incident. */
  windowSeconds: number
  /**
   * An incident takes no finding more than this many seconds after its first one, however close
   * the findings are to each other: benign findings every few minutes cannot hold one incident
   * open for days and make an attack's finding join it (and its responses taken long ago).
   */
  incidentMaxSeconds: number
  /** Score of one finding of each severity, 0..100. */
  severityScores: Record<Severity, number>
  /** Added for each further distinct detector that fired in the same incident. */
  corroborationBonus: number
}

export const defaultRiskConfig: RiskConfig = {
  windowSeconds: 600,
  incidentMaxSeconds: 3600,
  severityScores: { info: 0, low: 20, medium: 45, high: 70, critical: 90 },
  corroborationBonus: 10,
}

export type RiskRollup = {
  /** Adds one finding (`alertId` is its alert's id) seen at chain time `at` (seconds); returns the incident it belongs to, updated. */
  add(finding: DetectorFinding, alertId: string, at: number): Incident
  /** Seeds the roll-up with incidents from the store (after a restart). */
  load(incidents: readonly Incident[]): void
  incidents(): Incident[]
}

export function incidentTarget(finding: Pick<DetectorFinding, 'addresses'>): string {
  return finding.addresses[0]?.toLowerCase() ?? 'unknown'
}

/** Score of a set of findings: the worst severity, plus a bonus per further distinct detector; capped at 100. */
export function scoreFindings(findings: readonly Pick<DetectorFinding, 'detector' | 'severity'>[], config: RiskConfig = defaultRiskConfig): number {
  if (findings.length === 0) return 0
  const best = new Map<string, number>()
  for (const finding of findings) best.set(finding.detector, Math.max(best.get(finding.detector) ?? 0, config.severityScores[finding.severity]))
  const scores = [...best.values()].sort((a, b) => b - a)
  const extra = scores.slice(1).filter((score) => score > 0).length * config.corroborationBonus
  return Math.min(100, (scores[0] ?? 0) + extra)
}

export function createRiskRollup(config: RiskConfig = defaultRiskConfig): RiskRollup {
  // chain:target → its recent incidents, plus each incident's best score per detector
  const open = new Map<string, Incident[]>()
  const perDetector = new Map<string, Map<string, number>>()
  const keptPerTarget = 50

  function rescore(incident: Incident): void {
    const best = perDetector.get(incident.key) ?? new Map<string, number>()
    const scores = [...best.values()].sort((a, b) => b - a)
    const extra = scores.slice(1).filter((score) => score > 0).length * config.corroborationBonus
    // a loaded incident keeps at least the score it had: a restart never lowers a score
    incident.score = Math.max(incident.score, Math.min(100, (scores[0] ?? 0) + extra))
  }

  function remember(slot: string, incident: Incident): void {
    const list = open.get(slot) ?? []
    list.push(incident)
    list.sort((a, b) => a.lastSeen - b.lastSeen)
    open.set(slot, list.slice(-keptPerTarget))
  }

  /** The incident whose window holds `at` (chain time can also go back: a reorg, a devnet revert); the latest if several. */
  function find(slot: string, at: number): Incident | undefined {
    const list = open.get(slot) ?? []
    for (let i = list.length - 1; i >= 0; i--) {
      const incident = list[i]!
      const joins = at - incident.lastSeen <= config.windowSeconds && at - incident.firstSeen <= config.incidentMaxSeconds
      if (joins && incident.firstSeen - at <= config.windowSeconds) return incident
    }
    return undefined
  }

  return {
    add(finding, alertId, at) {
      const target = incidentTarget(finding)
      const slot = `${finding.chain}:${target}`
      let incident = find(slot, at)
      if (!incident) {
        incident = {
          key: `${slot}:${at}`,
          chain: finding.chain,
          target,
          firstSeen: at,
          lastSeen: at,
          score: 0,
          detectors: [],
          alertIds: [],
          pending: false,
          advisoryId: null,
        }
        remember(slot, incident)
      }
      incident.lastSeen = Math.max(incident.lastSeen, at)
      if (!incident.detectors.includes(finding.detector)) incident.detectors.push(finding.detector)
      if (!incident.alertIds.includes(alertId)) incident.alertIds.push(alertId)
      incident.pending ||= finding.pending
      const best = perDetector.get(incident.key) ?? new Map<string, number>()
      best.set(finding.detector, Math.max(best.get(finding.detector) ?? 0, config.severityScores[finding.severity]))
      perDetector.set(incident.key, best)
      rescore(incident)
      return incident
    },
    load(incidents) {
      for (const incident of incidents) {
        const slot = `${incident.chain}:${incident.target}`
        if ((open.get(slot) ?? []).some((known) => known.key === incident.key)) continue
        remember(slot, { ...incident, detectors: [...incident.detectors], alertIds: [...incident.alertIds] })
      }
    },
    incidents() {
      return [...open.values()].flat()
    },
  }
}
