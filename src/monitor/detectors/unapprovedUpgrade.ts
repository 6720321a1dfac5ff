import { z } from 'zod'
import type { Detector, DetectorFinding } from '../types.js'
import { findingPlace, indexTransaction, scopeSetsOf, topicAddress, topics } from './traceIndex.js'

export const unapprovedUpgradeConfigSchema = z
  .object({
    severity: z.enum(['info', 'low', 'medium', 'high', 'critical']).default('critical'),
    /** Also report upgrades of contracts outside the scope (any proxy on the chain). */
    anyContract: z.boolean().default(false),
  })
  .strict()
export type UnapprovedUpgradeConfig = z.infer<typeof unapprovedUpgradeConfigSchema>

const kinds = new Map([
  [topics.upgraded, 'Upgraded'],
  [topics.adminChanged, 'AdminChanged'],
  [topics.beaconUpgraded, 'BeaconUpgraded'],
])

/**
 * An ERC-1967 `Upgraded`, `AdminChanged` or `BeaconUpgraded` that did not happen inside a
 * release gate's `release` call: the implementation changed outside the approved release path.
 */
export const unapprovedUpgrade: Detector<UnapprovedUpgradeConfig> = {
  id: 'unapproved-upgrade',
  description: 'An upgrade or proxy-admin change that did not come through the release gate.',
  configSchema: unapprovedUpgradeConfigSchema as z.ZodType<UnapprovedUpgradeConfig>,
  create: (config) => ({
    id: 'unapproved-upgrade',
    kinds: ['transaction', 'pending'],
    detect(event, ctx) {
      if (event.kind === 'block') return []
      const findings: DetectorFinding[] = []
      const { contracts } = scopeSetsOf(ctx)
      for (const log of indexTransaction(event.transaction, ctx).logs) {
        const kind = kinds.get(log.topics[0] ?? '0x')
        if (!kind || log.viaGate) continue
        if (!config.anyContract && !contracts.has(log.address.toLowerCase())) continue
        const newValue = kind === 'AdminChanged' ? topicAddress(`0x${log.data.slice(66, 130)}`) : topicAddress(log.topics[1])
        findings.push({
          detector: 'unapproved-upgrade',
          severity: config.severity,
          chain: event.chain.id,
          ...findingPlace(event.kind === 'transaction' ? { kind: event.kind, block: event.block } : event),
          tx: event.transaction.hash,
          addresses: [log.address, event.transaction.from],
          summary: `${kind} on ${log.address} to ${newValue} outside the release gate (sent by ${event.transaction.from}).`,
          evidence: { event: kind, proxy: log.address, newValue, sender: event.transaction.from },
        })
      }
      return findings
    },
  }),
}
