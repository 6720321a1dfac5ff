import { toFunctionSelector, type Hex } from 'viem'
import { z } from 'zod'
import type { Detector, DetectorFinding } from '../types.js'
import { findingPlace, indexTransaction, scopeSetsOf, topicAddress, topics } from './traceIndex.js'

/** Admin functions watched by default: a successful call from outside governance is an alert. */
export const defaultPrivilegedFunctions = [
  'upgradeToAndCall(address,bytes)',
  'transferOwnership(address)',
  'grantRole(bytes32,address)',
  'initialize(address)',
  'mint(address,uint256)',
  'withdrawReserves(address,uint256)',
  'setInterestRateModel(address)',
  'setCircuitBreaker(address)',
  'sweep(address,uint256)',
] as const

export const privilegedChangeConfigSchema = z
  .object({
    severity: z.enum(['info', 'low', 'medium', 'high', 'critical']).default('high'),
    /** Function signatures (`mint(address,uint256)`) or 4-byte selectors watched on scope contracts. */
    functions: z.array(z.string().regex(/^(0x[0-9a-fA-F]{8}|[A-Za-z_$][\w$]*\(.*\))$/, 'a function signature or a 4-byte selector')).default([...defaultPrivilegedFunctions]),
  })
  .strict()
export type PrivilegedChangeConfig = z.infer<typeof privilegedChangeConfigSchema>

const eventNames = new Map<Hex, string>([
  [topics.roleGranted, 'RoleGranted'],
  [topics.ownershipTransferred, 'OwnershipTransferred'],
  [topics.initialized, 'Initialized'],
  [topics.initializedV4, 'Initialized'],
])

/**
 * Role grants, ownership transfers and (re-)initializations of scope contracts, and calls to
 * privileged functions, that did not come from governance (the authorities or a release gate):
 * a compromised key, an unprotected initializer, a broken access check.
 */
export const privilegedChange: Detector<PrivilegedChangeConfig> = {
  id: 'privileged-change',
  description: 'Role grants, ownership transfers, initializations and privileged calls made outside governance.',
  configSchema: privilegedChangeConfigSchema as z.ZodType<PrivilegedChangeConfig>,
  create: (config) => {
    const selectors = new Map(config.functions.map((f) => [(f.startsWith('0x') ? f.toLowerCase() : toFunctionSelector(f)) as Hex, f]))
    return {
      id: 'privileged-change',
      kinds: ['transaction', 'pending'],
      detect(event, ctx) {
        if (event.kind === 'block') return []
        const tx = event.transaction
        const { contracts } = scopeSetsOf(ctx)
        const index = indexTransaction(tx, ctx)
        const place = findingPlace(event.kind === 'transaction' ? { kind: event.kind, block: event.block } : event)
        const findings: DetectorFinding[] = []
        const base = { detector: 'privileged-change', severity: config.severity, chain: event.chain.id, ...place, tx: tx.hash }
        for (const frame of index.frames) {
          if (frame.reverted || frame.viaAuthority || frame.type === 'STATICCALL' || frame.type === 'DELEGATECALL') continue
          const name = selectors.get(frame.selector)
          if (!name || !frame.to || !contracts.has(frame.to.toLowerCase())) continue
          findings.push({
            ...base,
            addresses: [frame.to, frame.from],
            summary: `${frame.from} called ${name} on ${frame.to} outside governance.`,
            evidence: { function: name, target: frame.to, caller: frame.from, sender: tx.from },
          })
        }
        for (const log of index.logs) {
          const name = eventNames.get(log.topics[0] ?? '0x')
          if (!name || log.viaAuthority || !contracts.has(log.address.toLowerCase())) continue
          const subject =
            name === 'RoleGranted' ? topicAddress(log.topics[2]) : name === 'OwnershipTransferred' ? topicAddress(log.topics[2]) : tx.from
          findings.push({
            ...base,
            addresses: [log.address, subject],
            summary: `${name} on ${log.address} (to ${subject}) outside governance.`,
            evidence: { event: name, contract: log.address, subject, ...(name === 'RoleGranted' ? { role: log.topics[1] ?? null } : {}), sender: tx.from },
          })
        }
        return findings
      },
    }
  },
}
