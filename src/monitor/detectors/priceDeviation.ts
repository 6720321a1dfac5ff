import { parseAbi, type Address } from 'viem'
import { z } from 'zod'
import type { Detector, DetectorFinding } from '../types.js'
import { findingPlace, indexTransaction, topics } from './traceIndex.js'

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'a 20-byte hex address')

export const priceDeviationConfigSchema = z
  .object({
    severity: z.enum(['info', 'low', 'medium', 'high', 'critical']).default('high'),
    /** A move of the pool price of this many basis points from the block's opening price is reported. */
    thresholdBps: z.number().int().min(1).max(1_000_000).default(1_000),
    /** The price sources (Uniswap-V2-style pairs emitting `Sync`); empty = every pair seen. */
    pairs: z.array(address).default([]),
  })
  .strict()
export type PriceDeviationConfig = z.infer<typeof priceDeviationConfigSchema>

const pairAbi = parseAbi(['function getReserves() view returns (uint112, uint112, uint32)'])
const scale = 10n ** 18n

type PairState = { open: bigint; last: bigint; openBlock: bigint; alertedBlock: bigint }

/**
 * A price (an AMM pair's reserve ratio, what a spot-price oracle reads) that moves past a
 * threshold from its value at the start of the block, inside one block — a flash-loan
 * manipulation moves it and moves it back within one transaction.
 */
export const priceDeviation: Detector<PriceDeviationConfig> = {
  id: 'price-deviation',
  description: "A pool's spot price moving past a threshold within one block.",
  configSchema: priceDeviationConfigSchema as z.ZodType<PriceDeviationConfig>,
  create: (config) => {
    const watched = new Set(config.pairs.map((pair) => pair.toLowerCase()))
    return {
      id: 'price-deviation',
      kinds: ['transaction', 'pending'],
      async detect(event, ctx) {
        if (event.kind === 'block') return []
        const pairs = (ctx.memory.get('price-deviation') as Map<string, PairState> | undefined) ?? new Map<string, PairState>()
        ctx.memory.set('price-deviation', pairs)
        const blockNumber = event.kind === 'transaction' ? event.block.number : event.simulatedOn.number + 1n
        const findings: DetectorFinding[] = []
        const moves = new Map<Address, { open: bigint; extreme: bigint; bps: bigint }>()
        for (const log of indexTransaction(event.transaction, ctx).logs) {
          if (log.topics[0] !== topics.sync || log.data.length !== 130) continue
          if (watched.size > 0 && !watched.has(log.address.toLowerCase())) continue
          const price = priceOf(BigInt(`0x${log.data.slice(2, 66)}`), BigInt(`0x${log.data.slice(66, 130)}`))
          let state = pairs.get(log.address)
          if (!state || state.openBlock !== blockNumber) {
            const last = state?.last ?? (await reservesPrice(ctx.client, log.address, blockNumber - 1n))
            state = { open: last, last, openBlock: blockNumber, alertedBlock: state?.alertedBlock ?? -1n }
            if (event.kind === 'transaction') pairs.set(log.address, state)
          }
          if (event.kind === 'transaction') state.last = price
          if (state.open === 0n) continue
          const diff = price > state.open ? price - state.open : state.open - price
          const bps = (diff * 10_000n) / state.open
          const move = moves.get(log.address)
          if (!move || bps > move.bps) moves.set(log.address, { open: state.open, extreme: price, bps })
        }
        for (const [pair, move] of moves) {
          const state = pairs.get(pair)
          if (move.bps < BigInt(config.thresholdBps)) continue
          if (event.kind === 'transaction' && state) {
            if (state.alertedBlock === blockNumber) continue
            state.alertedBlock = blockNumber
          }
          findings.push({
            detector: 'price-deviation',
            severity: config.severity,
            chain: event.chain.id,
            ...findingPlace(event.kind === 'transaction' ? { kind: event.kind, block: event.block } : event),
            tx: event.transaction.hash,
            addresses: [pair, event.transaction.to ?? event.transaction.from, event.transaction.from],
            summary: `The price of pair ${pair} moved ${Number(move.bps) / 100}% within block ${blockNumber}.`,
            evidence: { pair, openPrice: move.open.toString(), extremePrice: move.extreme.toString(), deviationBps: Number(move.bps), sender: event.transaction.from },
          })
        }
        return findings
      },
    }
  },
}

function priceOf(reserve0: bigint, reserve1: bigint): bigint {
  return reserve0 === 0n ? 0n : (reserve1 * scale) / reserve0
}

async function reservesPrice(client: import('viem').PublicClient, pair: Address, blockNumber: bigint): Promise<bigint> {
  try {
    const [r0, r1] = await client.readContract({ address: pair, abi: pairAbi, functionName: 'getReserves', blockNumber })
    return priceOf(r0, r1)
  } catch {
    return 0n
  }
}

