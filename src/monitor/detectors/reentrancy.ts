import { z } from 'zod'
import type { Detector, DetectorFinding } from '../types.js'
import { findingPlace, indexTransaction, scopeSetsOf } from './traceIndex.js'

export const reentrancyConfigSchema = z
  .object({
    severity: z.enum(['info', 'low', 'medium', 'high', 'critical']).default('critical'),
    /** Also count read-only re-entry (a STATICCALL back into the protocol mid-call). */
    includeStaticCalls: z.boolean().default(false),
  })
  .strict()
export type ReentrancyConfig = z.infer<typeof reentrancyConfigSchema>

/**
 * The trace re-enters a protocol contract mid-call: a frame runs in a scope contract's context
 * while an earlier frame of that contract is still open and an outside contract ran in between
 * (the attacker's hook). A protocol calling itself, or its proxy delegating, is not re-entry.
 */
export const reentrancy: Detector<ReentrancyConfig> = {
  id: 'reentrancy',
  description: 'A call trace that re-enters a protocol contract through an outside contract.',
  configSchema: reentrancyConfigSchema as z.ZodType<ReentrancyConfig>,
  create: (config) => ({
    id: 'reentrancy',
    kinds: ['transaction', 'pending'],
    detect(event, ctx) {
      if (event.kind === 'block') return []
      const tx = event.transaction
      const { frames } = indexTransaction(tx, ctx)
      if (frames.length < 3) return []
      const { contracts } = scopeSetsOf(ctx)
      const reentered = new Map<string, number>()
      let maxDepth = 0
      for (let i = 0; i < frames.length; i++) {
        const frame = frames[i]!
        if (frame.reverted || !frame.context || frame.type === 'DELEGATECALL' || frame.type === 'CALLCODE') continue
        if (!config.includeStaticCalls && frame.type === 'STATICCALL') continue
        const target = frame.context.toLowerCase()
        if (!contracts.has(target)) continue
        // Walk the open frames (ancestors): an outside context below a frame of the same contract is re-entry.
        let outside = false
        let levels = 0
        for (let p = frame.parent; p >= 0; p = frames[p]!.parent) {
          const context = frames[p]!.context?.toLowerCase()
          if (context === target) {
            if (outside) levels++
            outside = false
          } else if (context !== undefined && !contracts.has(context)) {
            outside = true
          }
        }
        if (levels > 0) {
          reentered.set(frame.context, (reentered.get(frame.context) ?? 0) + 1)
          maxDepth = Math.max(maxDepth, levels)
        }
      }
      if (reentered.size === 0) return []
      const findings: DetectorFinding[] = []
      for (const [contract, count] of reentered) {
        findings.push({
          detector: 'reentrancy',
          severity: config.severity,
          chain: event.chain.id,
          ...findingPlace(event.kind === 'transaction' ? { kind: event.kind, block: event.block } : event),
          tx: tx.hash,
          addresses: [contract as `0x${string}`, tx.to ?? tx.from, tx.from],
          summary: `${contract} was re-entered ${count} time(s) (nesting ${maxDepth}) through an outside contract.`,
          evidence: { contract, reentries: count, maxNesting: maxDepth, entryPoint: tx.to ?? null, sender: tx.from },
        })
      }
      return findings
    },
  }),
}
