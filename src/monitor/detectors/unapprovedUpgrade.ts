import { toEventSelector, toFunctionSelector, type Address, type Hex } from 'viem'
import { z } from 'zod'
import type { Detector, DetectorFinding, MonitorScope } from '../types.js'
import { findingPlace, indexTransaction, scopeSetsOf, topicAddress, topics, type IndexedFrame, type IndexedLog } from './traceIndex.js'

const signature = z.string().regex(/^(0x[0-9a-fA-F]{8}|[A-Za-z_$][\w$]*\(.*\))$/, 'a signature or a 4-byte selector')

export const unapprovedUpgradeConfigSchema = z
  .object({
    severity: z.enum(['info', 'low', 'medium', 'high', 'critical']).default('critical'),
    /** Also report upgrades of contracts outside the scope (any proxy on the chain). */
    anyContract: z.boolean().default(false),
    /**
     * What makes an upgrade approved: `gate` — inside a release gate's `release`; `authority` —
     * made by governance (an authority: timelock, Safe, the gate); `auto` (default) — the gate
     * when the scope has one, else governance.
     */
    approvedPath: z.enum(['auto', 'gate', 'authority']).default('auto'),
    /** More upgrade events (signatures) a protocol's proxies emit, besides the built-in patterns. */
    events: z.array(z.string().regex(/^[A-Za-z_$][\w$]*\(.*\)$/, 'an event signature')).default([]),
    /** Upgrade functions (signatures or selectors) whose successful call on a watched contract is an upgrade, e.g. `_setImplementation(address,bool,bytes)`. */
    functions: z.array(signature).default([]),
  })
  .strict()
export type UnapprovedUpgradeConfig = z.infer<typeof unapprovedUpgradeConfigSchema>

/** Upgrade events of the common proxy patterns, and where each carries the new value. */
const builtInEvents = new Map<Hex, { name: string; value: 'topic1' | 'word0' | 'word1' }>([
  // ERC-1967 (OpenZeppelin transparent, UUPS, beacon proxies; Aave's InitializableImmutableAdminUpgradeabilityProxy)
  [topics.upgraded, { name: 'Upgraded', value: 'topic1' }],
  [topics.adminChanged, { name: 'AdminChanged', value: 'word1' }],
  [topics.beaconUpgraded, { name: 'BeaconUpgraded', value: 'topic1' }],
  // Compound: CErc20Delegator `_setImplementation`, Unitroller `_setPendingImplementation` / `_acceptImplementation`, `_setPendingAdmin` / `_acceptAdmin`
  [topics.newImplementation, { name: 'NewImplementation', value: 'word1' }],
  [topics.newPendingImplementation, { name: 'NewPendingImplementation', value: 'word1' }],
  [topics.newAdmin, { name: 'NewAdmin', value: 'word1' }],
  // EIP-2535 diamonds: the facets changed; the value is the init contract the cut delegate-calls
  [topics.diamondCut, { name: 'DiamondCut', value: 'word1' }],
])

/** The account an upgrade is approved through, per the config and the scope. */
export function upgradeApprovedBy(path: UnapprovedUpgradeConfig['approvedPath'], scope: MonitorScope): 'gate' | 'authority' {
  return path === 'auto' ? (scope.releaseGates.length > 0 ? 'gate' : 'authority') : path
}

/**
 * An upgrade or proxy-admin change that did not come through the approved path, for every common
 * proxy pattern: ERC-1967 `Upgraded`/`AdminChanged`/`BeaconUpgraded` (OpenZeppelin proxies,
 * Aave's immutable-admin proxies), Compound's `NewImplementation`/`NewPendingImplementation`/
 * `NewAdmin` (delegators and the Unitroller), EIP-2535 `DiamondCut`, plus events and upgrade
 * functions the project names.
 */
export const unapprovedUpgrade: Detector<UnapprovedUpgradeConfig> = {
  id: 'unapproved-upgrade',
  description: 'An upgrade or proxy-admin change (ERC-1967, Compound, Diamond, configured patterns) that did not come through the approved path.',
  configSchema: unapprovedUpgradeConfigSchema as z.ZodType<UnapprovedUpgradeConfig>,
  create: (config) => {
    const events = new Map(builtInEvents)
    for (const event of config.events) events.set(toEventSelector(event), { name: event.slice(0, event.indexOf('(')), value: 'topic1' })
    const functions = new Map(config.functions.map((f) => [(f.startsWith('0x') ? f.toLowerCase() : toFunctionSelector(f)) as Hex, f]))
    return {
      id: 'unapproved-upgrade',
      kinds: ['transaction', 'pending'],
      detect(event, ctx) {
        if (event.kind === 'block') return []
        const findings: DetectorFinding[] = []
        const { contracts } = scopeSetsOf(ctx)
        const by = upgradeApprovedBy(config.approvedPath, ctx.scope)
        const approved = (item: IndexedLog | IndexedFrame) => (by === 'gate' ? item.viaGate : item.viaAuthority)
        const tx = event.transaction
        const place = findingPlace(event.kind === 'transaction' ? { kind: event.kind, block: event.block } : event)
        const index = indexTransaction(tx, ctx)
        // a proxy's constructor announces its first implementation or beacon: a deployment, not an upgrade
        const created = new Set<string>()
        for (const frame of index.frames) if ((frame.type === 'CREATE' || frame.type === 'CREATE2') && frame.to && !frame.reverted) created.add(frame.to.toLowerCase())
        if (tx.to === null && tx.contractAddress) created.add(tx.contractAddress.toLowerCase())
        for (const log of index.logs) {
          const kind = events.get(log.topics[0] ?? '0x')
          if (!kind || approved(log) || created.has(log.address.toLowerCase())) continue
          if (!config.anyContract && !contracts.has(log.address.toLowerCase())) continue
          const newValue = valueOf(log, kind.value)
          findings.push({
            detector: 'unapproved-upgrade',
            severity: config.severity,
            chain: event.chain.id,
            ...place,
            tx: tx.hash,
            addresses: [log.address, tx.from],
            summary: `${kind.name} on ${log.address}${newValue ? ` to ${newValue}` : ''} outside the ${by === 'gate' ? 'release gate' : 'governance path'} (sent by ${tx.from}).`,
            evidence: { event: kind.name, proxy: log.address, newValue, sender: tx.from },
          })
        }
        if (functions.size === 0) return findings
        for (const frame of index.frames) {
          const name = functions.get(frame.selector)
          if (!name || frame.reverted || frame.type === 'STATICCALL' || frame.type === 'DELEGATECALL' || !frame.to || approved(frame)) continue
          if (!config.anyContract && !contracts.has(frame.to.toLowerCase())) continue
          // the event of the same upgrade, if the proxy emitted one, is reported already
          if (findings.some((f) => f.evidence['proxy'] === frame.to)) continue
          const newValue = frame.frame.input.length >= 74 ? topicAddress(`0x${frame.frame.input.slice(10, 74)}`) : null
          findings.push({
            detector: 'unapproved-upgrade',
            severity: config.severity,
            chain: event.chain.id,
            ...place,
            tx: tx.hash,
            addresses: [frame.to, tx.from],
            summary: `${name} called on ${frame.to} by ${frame.from} outside the ${by === 'gate' ? 'release gate' : 'governance path'}.`,
            evidence: { function: name, proxy: frame.to, newValue, caller: frame.from, sender: tx.from },
          })
        }
        return findings
      },
    }
  },
}

function valueOf(log: IndexedLog, where: 'topic1' | 'word0' | 'word1'): Address | null {
  if (where === 'topic1') return log.topics[1] ? topicAddress(log.topics[1]) : log.data.length >= 66 ? topicAddress(`0x${log.data.slice(2, 66)}`) : null
  const word = where === 'word0' ? log.data.slice(2, 66) : log.data.slice(66, 130)
  return word.length === 64 ? topicAddress(`0x${word}`) : null
}
