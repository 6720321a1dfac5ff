import type { Detector, DetectorContext, DetectorFinding, DetectorInstance, MonitorEvent } from '../types.js'
import { DetectorConfigError } from '../errors.js'
import { flashLoan } from './flashLoan.js'
import { invariant } from './invariant.js'
import { largeOutflow } from './largeOutflow.js'
import { priceDeviation } from './priceDeviation.js'
import { privilegedChange } from './privilegedChange.js'
import { reentrancy } from './reentrancy.js'
import { suspiciousCreation } from './suspiciousCreation.js'
import { tvlDrop } from './tvlDrop.js'
import { unapprovedUpgrade } from './unapprovedUpgrade.js'
import { watchedSet } from './watchedSet.js'

/** Every built-in detector, by id. `watched-set` runs first: what it adds to the scope, the others see in the same transaction. */
export const detectors: readonly Detector<never>[] = [
  watchedSet,
  unapprovedUpgrade,
  privilegedChange,
  largeOutflow,
  tvlDrop,
  flashLoan,
  reentrancy,
  priceDeviation,
  suspiciousCreation,
  invariant,
] as unknown as Detector<never>[]

/** Per detector id: its config (defaults fill what is missing), or `false` to turn it off. */
export type DetectorsConfig = Readonly<Record<string, unknown>>

/**
 * Validates each detector's config and builds the instances; a detector not named runs with its
 * defaults. An unknown id or a bad field fails the whole call, naming the detector and the path.
 *
 * @throws {DetectorConfigError}
 */
export function createDetectors(config: DetectorsConfig = {}): DetectorInstance[] {
  for (const id of Object.keys(config)) {
    if (!detectors.some((d) => d.id === id)) throw new DetectorConfigError({ detector: id, path: '', problem: `unknown detector (known: ${detectors.map((d) => d.id).join(', ')})` })
  }
  const instances: DetectorInstance[] = []
  for (const detector of detectors) {
    const raw = config[detector.id]
    if (raw === false) continue
    const parsed = detector.configSchema.safeParse(raw ?? {})
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      throw new DetectorConfigError({ detector: detector.id, path: issue.path.join('.'), problem: issue.message })
    }
    try {
      instances.push(detector.create(parsed.data))
    } catch (error) {
      throw new DetectorConfigError({ detector: detector.id, path: '', problem: error instanceof Error ? (error.message.split('\n')[0] ?? 'invalid') : 'invalid' })
    }
  }
  return instances
}

/** Runs every instance that wants this kind of event, in order; findings are concatenated. */
export async function runDetectors(instances: readonly DetectorInstance[], event: MonitorEvent, ctx: DetectorContext): Promise<DetectorFinding[]> {
  const findings: DetectorFinding[] = []
  for (const instance of instances) {
    if (!instance.kinds.includes(event.kind)) continue
    const found = instance.detect(event, ctx)
    findings.push(...(Array.isArray(found) ? found : await found))
  }
  return findings
}
