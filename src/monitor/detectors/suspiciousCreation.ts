import { getAddress, type Address } from 'viem'
import { z } from 'zod'
import type { Detector, DetectorFinding } from '../types.js'
import { findingPlace, indexTransaction, nativeToken, scopeSetsOf } from './traceIndex.js'

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'a 20-byte hex address')

export const suspiciousCreationConfigSchema = z
  .object({
    severity: z.enum(['info', 'low', 'medium', 'high', 'critical']).default('medium'),
    /** A creator whose transaction nonce is at most this is a fresh (freshly funded) account. */
    maxCreatorNonce: z.number().int().min(0).default(10),
    /** Mixers and other anonymous funding sources (Tornado-like pools): an account they paid is as suspect as a fresh one. */
    mixers: z.array(address).default([]),
    /** How long after its creation a contract's first call into the protocol counts, in blocks (for contracts whose code does not name the protocol). */
    windowBlocks: z.number().int().min(1).max(1_000_000).default(1_000),
  })
  .strict()
export type SuspiciousCreationConfig = z.infer<typeof suspiciousCreationConfigSchema>

type Created = { creator: Address; block: bigint; tx: string; reported: boolean }

/**
 * An exploit contract, judged when it is deployed — mined or still pending — rather than when it
 * first strikes: a creation (top-level or a CREATE/CREATE2 frame) whose init code names protocol
 * contracts (as constructor arguments or constants in its code), sent by a fresh account or one
 * funded from a mixer. A contract created by a fresh account whose code names nothing is still
 * reported when it first calls the protocol. Creations by the protocol's own contracts and by
 * governance are never suspicious.
 */
export const suspiciousCreation: Detector<SuspiciousCreationConfig> = {
  id: 'suspicious-creation',
  description: 'A contract deployed (mined or pending) by a fresh or mixer-funded account whose code names protocol contracts, or that calls the protocol soon after.',
  configSchema: suspiciousCreationConfigSchema as z.ZodType<SuspiciousCreationConfig>,
  create: (config) => {
    const mixers = new Set(config.mixers.map((m) => m.toLowerCase()))
    // accounts a mixer paid (learned from mined transactions; kept by the detector across reorgs)
    const mixerFunded = new Map<string, Address>()
    return {
      id: 'suspicious-creation',
      kinds: ['transaction', 'pending', 'block'],
      detect(event, ctx) {
        const created = (ctx.memory.get('suspicious-creation') as Map<string, Created> | undefined) ?? new Map<string, Created>()
        ctx.memory.set('suspicious-creation', created)
        if (event.kind === 'block') {
          if (event.block.number % 64n === 0n) {
            for (const [contract, c] of created) if (c.block + BigInt(config.windowBlocks) < event.block.number) created.delete(contract)
          }
          return []
        }
        const tx = event.transaction
        const mined = event.kind === 'transaction'
        const blockNumber = mined ? event.block.number : event.simulatedOn.number + 1n
        const index = indexTransaction(tx, ctx)
        const { frames } = index
        const { contracts, authorities } = scopeSetsOf(ctx)
        if (mined && mixers.size > 0) {
          for (const t of index.transfers) if (t.token === nativeToken && mixers.has(t.from.toLowerCase())) mixerFunded.set(t.to.toLowerCase(), t.from)
          if (mixerFunded.size > 100_000) mixerFunded.clear()
        }
        const place = findingPlace(mined ? { kind: event.kind, block: event.block } : event)
        const findings: DetectorFinding[] = []
        const sender = tx.from.toLowerCase()
        const fresh = tx.nonce !== undefined && tx.nonce <= config.maxCreatorNonce
        const funder = mixerFunded.get(sender)
        const suspect = !authorities.has(sender) && (fresh || funder !== undefined)
        // creations: CREATE/CREATE2 frames, or the transaction itself when there is no trace
        const creations: { address: Address; creator: Address; init: string }[] = []
        for (const frame of frames) {
          if (frame.reverted || !frame.to || (frame.type !== 'CREATE' && frame.type !== 'CREATE2')) continue
          creations.push({ address: frame.to, creator: frame.from, init: frame.frame.input })
        }
        if (frames.length === 0 && tx.to === null && tx.contractAddress) creations.push({ address: tx.contractAddress, creator: tx.from, init: tx.input })
        for (const creation of creations) {
          const by = creation.creator.toLowerCase()
          if (!suspect || contracts.has(by) || authorities.has(by)) continue
          const named = protocolAddressesIn(creation.init, contracts)
          if (mined) created.set(creation.address.toLowerCase(), { creator: tx.from, block: blockNumber, tx: tx.hash, reported: named.length > 0 })
          if (named.length === 0) continue
          findings.push({
            detector: 'suspicious-creation',
            severity: config.severity,
            chain: event.chain.id,
            ...place,
            tx: tx.hash,
            addresses: [named[0]!, creation.address, tx.from],
            summary: `${mined ? 'Contract' : 'Pending contract'} ${creation.address}, deployed by ${fresh ? 'fresh' : 'mixer-funded'} account ${tx.from}, names protocol contract(s) ${named.join(', ')} in its code.`,
            evidence: {
              contract: creation.address,
              creator: tx.from,
              creatorNonce: tx.nonce ?? null,
              fundedBy: funder ?? null,
              namesProtocol: named,
              initCodeBytes: Math.max(0, (creation.init.length - 2) / 2),
              atDeployment: true,
            },
          })
        }
        if (created.size === 0) return findings
        for (const frame of frames) {
          if (frame.reverted || frame.type === 'STATICCALL' || !frame.to || !contracts.has(frame.to.toLowerCase())) continue
          const origin = created.get(frame.from.toLowerCase())
          if (!origin || origin.reported || origin.block + BigInt(config.windowBlocks) < blockNumber) continue
          if (mined) origin.reported = true
          findings.push({
            detector: 'suspicious-creation',
            severity: config.severity,
            chain: event.chain.id,
            ...place,
            tx: tx.hash,
            addresses: [frame.to, frame.from, origin.creator],
            summary: `Contract ${frame.from}, created ${blockNumber - origin.block} block(s) earlier by fresh account ${origin.creator}, called the protocol (${frame.to}).`,
            evidence: { contract: frame.from, creator: origin.creator, creationTx: origin.tx, createdAtBlock: origin.block.toString(), target: frame.to, selector: frame.selector, atDeployment: false },
          })
        }
        return findings
      },
    }
  },
}

/** Protocol addresses found in init code (constructor arguments are ABI words at its end; constants sit in PUSH20 operands anywhere). */
function protocolAddressesIn(init: string, contracts: ReadonlySet<string>): Address[] {
  if (contracts.size === 0 || init.length < 42) return []
  const code = init.toLowerCase()
  const found = new Set<string>()
  for (let i = 2; i + 40 <= code.length; i += 2) {
    const candidate = `0x${code.slice(i, i + 40)}`
    if (contracts.has(candidate)) found.add(candidate)
  }
  return [...found].map((a) => getAddress(a))
}
