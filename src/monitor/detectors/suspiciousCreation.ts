import type { Address } from 'viem'
import { z } from 'zod'
import type { Detector, DetectorFinding } from '../types.js'
import { findingPlace, indexTransaction, scopeSetsOf } from './traceIndex.js'

export const suspiciousCreationConfigSchema = z
  .object({
    severity: z.enum(['info', 'low', 'medium', 'high', 'critical']).default('medium'),
    /** A creator whose transaction nonce is at most this is a fresh (freshly funded) account. */
    maxCreatorNonce: z.number().int().min(0).default(10),
    /** How long after its creation a contract's first call into the protocol counts, in blocks. */
    windowBlocks: z.number().int().min(1).max(1_000_000).default(1_000),
  })
  .strict()
export type SuspiciousCreationConfig = z.infer<typeof suspiciousCreationConfigSchema>

type Created = { creator: Address; block: bigint; tx: string; reported: boolean }

/**
 * New bytecode from a fresh account that calls protocol functions soon after (or during) its
 * creation: the usual shape of an exploit contract, deployed minutes before the attack.
 */
export const suspiciousCreation: Detector<SuspiciousCreationConfig> = {
  id: 'suspicious-creation',
  description: 'A contract created by a fresh account that calls the protocol soon after.',
  configSchema: suspiciousCreationConfigSchema as z.ZodType<SuspiciousCreationConfig>,
  create: (config) => ({
    id: 'suspicious-creation',
    kinds: ['transaction', 'pending', 'block'],
    detect(event, ctx) {
      const created = (ctx.memory.get('suspicious-creation') as Map<string, Created> | undefined) ?? new Map<string, Created>()
      ctx.memory.set('suspicious-creation', created)
      if (event.kind === 'block') {
        if (event.block.number % 64n === 0n) {
          for (const [address, c] of created) if (c.block + BigInt(config.windowBlocks) < event.block.number) created.delete(address)
        }
        return []
      }
      const tx = event.transaction
      const blockNumber = event.kind === 'transaction' ? event.block.number : event.simulatedOn.number + 1n
      const { frames } = indexTransaction(tx, ctx)
      const fresh = tx.nonce <= config.maxCreatorNonce
      if (fresh && event.kind === 'transaction') {
        for (const frame of frames) {
          if (frame.reverted || !frame.to || (frame.type !== 'CREATE' && frame.type !== 'CREATE2')) continue
          created.set(frame.to.toLowerCase(), { creator: tx.from, block: blockNumber, tx: tx.hash, reported: false })
        }
        if (frames.length === 0 && tx.contractAddress) {
          created.set(tx.contractAddress.toLowerCase(), { creator: tx.from, block: blockNumber, tx: tx.hash, reported: false })
        }
      }
      if (created.size === 0) return []
      const { contracts } = scopeSetsOf(ctx)
      const findings: DetectorFinding[] = []
      for (const frame of frames) {
        if (frame.reverted || frame.type === 'STATICCALL' || !frame.to || !contracts.has(frame.to.toLowerCase())) continue
        const origin = created.get(frame.from.toLowerCase())
        if (!origin || origin.reported || origin.block + BigInt(config.windowBlocks) < blockNumber) continue
        if (event.kind === 'transaction') origin.reported = true
        findings.push({
          detector: 'suspicious-creation',
          severity: config.severity,
          chain: event.chain.id,
          ...findingPlace(event.kind === 'transaction' ? { kind: event.kind, block: event.block } : event),
          tx: tx.hash,
          addresses: [frame.to, frame.from, origin.creator],
          summary: `Contract ${frame.from}, created ${blockNumber - origin.block} block(s) earlier by fresh account ${origin.creator}, called the protocol (${frame.to}).`,
          evidence: { contract: frame.from, creator: origin.creator, creationTx: origin.tx, createdAtBlock: origin.block.toString(), target: frame.to, selector: frame.selector },
        })
      }
      return findings
    },
  }),
}
