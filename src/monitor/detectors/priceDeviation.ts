import { hexToBigInt, parseAbi, parseAbiItem, type AbiFunction, type Address } from 'viem'
import { z } from 'zod'
import type { Detector, DetectorContext, DetectorFinding, MonitorEvent } from '../types.js'
import { probeContractRead } from '../../chain/probeContractRead.js'
import { MonitorSourceError } from '../errors.js'
import { balanceAt } from './balances.js'
import { findingPlace, indexTransaction, topics, type TraceIndex } from './traceIndex.js'

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'a 20-byte hex address').transform((value) => value as Address)
const bps = z.number().int().min(1).max(1_000_000)

/** A price source: where a price comes from and, optionally, its own threshold. */
const priceSourceSchema = z.discriminatedUnion('kind', [
  /** A Uniswap-V2-style pair: its `Sync(uint112,uint112)` reserves (reserve1 / reserve0). */
  z.strictObject({ kind: z.literal('uniswap-v2'), pool: address, thresholdBps: bps.optional(), name: z.string().optional() }),
  /** A Uniswap-V3-style pool: `sqrtPriceX96` of its `Swap` events (token1 per token0). */
  z.strictObject({ kind: z.literal('uniswap-v3'), pool: address, thresholdBps: bps.optional(), name: z.string().optional() }),
  /** Any pool judged by the balances it holds: `quote` balance / `base` balance of `holder` (e.g. a Balancer pool's tokens in the Vault, a Curve pool). `0xEeee…EEeE` is ETH. */
  z.strictObject({ kind: z.literal('balances'), holder: address, base: address, quote: address, thresholdBps: bps.optional(), name: z.string().optional() }),
  /** A Chainlink-style aggregator: `AnswerUpdated(int256,uint256,uint256)` events, and `latestRoundData()` as the price before the block. */
  z.strictObject({ kind: z.literal('aggregator'), feed: address, thresholdBps: bps.optional(), name: z.string().optional() }),
  /** A view function returning one integer (a lending market's oracle, a vault's share price), read at the end of every block. */
  z.strictObject({
    kind: z.literal('view'),
    address,
    function: z.string().startsWith('function '),
    args: z.array(z.union([z.string(), z.number(), z.boolean()])).default([]),
    thresholdBps: bps.optional(),
    name: z.string().optional(),
  }),
])
export type PriceSource = z.infer<typeof priceSourceSchema>

export const priceDeviationConfigSchema = z
  .object({
    severity: z.enum(['info', 'low', 'medium', 'high', 'critical']).default('high'),
    /** A move of the price of this many basis points from its value before the block is reported (per source unless it names its own). */
    thresholdBps: bps.default(1_000),
    /** Uniswap-V2-style pairs (shorthand for `uniswap-v2` sources). */
    pairs: z.array(address).default([]),
    /** Price sources; with neither `pairs` nor `sources`, every V2 pair and V3 pool seen is a source. */
    sources: z.array(priceSourceSchema).default([]),
  })
  .strict()
export type PriceDeviationConfig = z.infer<typeof priceDeviationConfigSchema>

const pairAbi = parseAbi(['function getReserves() view returns (uint112, uint112, uint32)'])
const poolV3Abi = parseAbi(['function slot0() view returns (uint160 sqrtPriceX96, int24, uint16, uint16, uint16, uint8, bool)'])
const aggregatorAbi = parseAbi(['function latestRoundData() view returns (uint80, int256 answer, uint256, uint256, uint80)'])
/** Prices are fixed-point with 36 decimals, enough for pairs of tokens with very different decimals. */
const scale = 10n ** 36n
const q192 = 2n ** 192n

type PriceState = { open: bigint; last: bigint; openBlock: bigint; alertedBlock: bigint }
type Move = { source: string; kind: PriceSource['kind']; address: Address; open: bigint; extreme: bigint; bps: bigint; threshold: number }

/**
 * A price that moves past a threshold from its value before the block, inside one block — what
 * a flash-loan manipulation does to a spot price an oracle or a lending market reads. Prices
 * come from any pool or feed the config names: Uniswap V2 `Sync` and V3 `Swap` events, the
 * balances a pool holds (any AMM), a Chainlink-style aggregator's answers, or a view function
 * read at the end of each block. Event and balance sources are judged per transaction (pending
 * ones too); view sources once per block.
 */
export const priceDeviation: Detector<PriceDeviationConfig> = {
  id: 'price-deviation',
  description: 'A price (AMM pool, aggregator, view function) moving past a threshold within one block.',
  configSchema: priceDeviationConfigSchema as z.ZodType<PriceDeviationConfig>,
  create: (config) => {
    const sources: PriceSource[] = [...config.pairs.map((pool): PriceSource => ({ kind: 'uniswap-v2', pool })), ...config.sources]
    const anyPool = sources.length === 0
    const byEmitter = new Map<string, PriceSource>()
    const balanceSources: Extract<PriceSource, { kind: 'balances' }>[] = []
    const viewSources: (Extract<PriceSource, { kind: 'view' }> & { abi: AbiFunction })[] = []
    for (const source of sources) {
      if (source.kind === 'uniswap-v2' || source.kind === 'uniswap-v3') byEmitter.set(`${source.kind}:${source.pool.toLowerCase()}`, source)
      else if (source.kind === 'aggregator') byEmitter.set(`aggregator:${source.feed.toLowerCase()}`, source)
      else if (source.kind === 'balances') balanceSources.push(source)
      else viewSources.push({ ...source, abi: parseAbiItem(source.function) as AbiFunction })
    }
    const thresholdOf = (source: PriceSource | undefined) => source?.thresholdBps ?? config.thresholdBps
    return {
      id: 'price-deviation',
      kinds: viewSources.length > 0 ? ['transaction', 'pending', 'block'] : ['transaction', 'pending'],
      readAhead(blockNumber, ctx) {
        for (const source of viewSources) readView(ctx, source, blockNumber).catch(() => undefined)
      },
      async detect(event, ctx) {
        const states = (ctx.memory.get('price-deviation') as Map<string, PriceState> | undefined) ?? new Map<string, PriceState>()
        ctx.memory.set('price-deviation', states)
        if (event.kind === 'block') return judgeViews(event, ctx, states)
        const blockNumber = event.kind === 'transaction' ? event.block.number : event.simulatedOn.number + 1n
        const learn = event.kind === 'transaction'
        const moves = new Map<string, Move>()
        /** Records a price seen in this transaction against its value before the block. */
        const see = async (key: string, kind: PriceSource['kind'], at: Address, price: bigint, threshold: number, opening: () => Promise<bigint>) => {
          let state = states.get(key)
          if (!state || state.openBlock !== blockNumber) {
            const last = state?.last ?? (await opening())
            state = { open: last, last, openBlock: blockNumber, alertedBlock: state?.alertedBlock ?? -1n }
            if (learn) states.set(key, state)
          }
          if (learn) state.last = price
          if (state.open === 0n) return
          const diff = price > state.open ? price - state.open : state.open - price
          const moved = (diff * 10_000n) / state.open
          const known = moves.get(key)
          if (!known || moved > known.bps) moves.set(key, { source: key, kind, address: at, open: state.open, extreme: price, bps: moved, threshold })
        }
        const index = indexTransaction(event.transaction, ctx)
        for (const log of index.logs) {
          const topic = log.topics[0]
          if (topic === topics.sync && log.data.length === 130) {
            const source = byEmitter.get(`uniswap-v2:${log.address.toLowerCase()}`)
            if (!source && !anyPool) continue
            const price = ratio(hexToBigInt(`0x${log.data.slice(2, 66)}`), hexToBigInt(`0x${log.data.slice(66, 130)}`))
            await see(`uniswap-v2:${log.address}`, 'uniswap-v2', log.address, price, thresholdOf(source), () => reservesPrice(ctx, log.address, blockNumber - 1n))
          } else if (topic === topics.swapV3 && log.data.length === 2 + 64 * 5) {
            const source = byEmitter.get(`uniswap-v3:${log.address.toLowerCase()}`)
            if (!source && !anyPool) continue
            const price = sqrtPrice(hexToBigInt(`0x${log.data.slice(2 + 64 * 2, 2 + 64 * 3)}`))
            await see(`uniswap-v3:${log.address}`, 'uniswap-v3', log.address, price, thresholdOf(source), () => slot0Price(ctx, log.address, blockNumber - 1n))
          } else if (topic === topics.answerUpdated && log.topics.length >= 2) {
            const source = byEmitter.get(`aggregator:${log.address.toLowerCase()}`)
            if (!source) continue
            const answer = BigInt.asIntN(256, hexToBigInt(log.topics[1]!))
            await see(`aggregator:${log.address}`, 'aggregator', log.address, answer > 0n ? answer * scale : 0n, thresholdOf(source), () => aggregatorPrice(ctx, log.address, blockNumber - 1n))
          }
        }
        for (const source of balanceSources) {
          const delta = balanceDelta(index, source)
          if (!delta) continue
          const key = `balances:${source.holder}:${source.base}:${source.quote}`
          // the balances before this transaction: those before the block plus what moved since in this block
          const moved = (ctx.memory.get(`price-deviation:${key}`) as { block: bigint; base: bigint; quote: bigint } | undefined) ?? { block: -1n, base: 0n, quote: 0n }
          const base0 = moved.block === blockNumber ? moved.base : 0n
          const quote0 = moved.block === blockNumber ? moved.quote : 0n
          const [baseBefore, quoteBefore] = await Promise.all([balanceAt(ctx, source.base, source.holder, blockNumber - 1n), balanceAt(ctx, source.quote, source.holder, blockNumber - 1n)])
          // a token that cannot answer balanceOf gives no price, not a price of zero
          if (baseBefore === undefined || quoteBefore === undefined) continue
          const base = baseBefore + base0 + delta.base
          const quote = quoteBefore + quote0 + delta.quote
          if (learn) ctx.memory.set(`price-deviation:${key}`, { block: blockNumber, base: base0 + delta.base, quote: quote0 + delta.quote })
          await see(key, 'balances', source.holder, ratio(base, quote), thresholdOf(source), async () => ratio(baseBefore, quoteBefore))
        }
        const findings: DetectorFinding[] = []
        for (const move of moves.values()) {
          if (move.bps < BigInt(move.threshold)) continue
          const state = states.get(move.source)
          if (learn && state) {
            if (state.alertedBlock === blockNumber) continue
            state.alertedBlock = blockNumber
          }
          findings.push(finding(event, config.severity, move, blockNumber))
        }
        return findings
      },
    }

    /**
     * A view source's price at a block, memoized (read ahead by `readAhead`, asked again when
     * judging): a read that fails is forgotten, so the block is judged again with a fresh read.
     */
    function readView(ctx: DetectorContext, source: (typeof viewSources)[number], at: bigint): Promise<bigint> {
      let memo = ctx.memory.get('price-deviation:views') as Map<string, Promise<bigint>> | undefined
      if (!memo) ctx.memory.set('price-deviation:views', (memo = new Map()))
      const key = `${source.address}:${source.function}:${source.args.join(',')}@${at}`
      let price = memo.get(key)
      if (!price) {
        if (memo.size > 1024) memo.clear()
        price = priceRead(ctx, `${source.function} on ${source.address}`, at, async () => {
          const value = await ctx.client.readContract({ address: source.address as Address, abi: [source.abi], functionName: source.abi.name, args: source.args, blockNumber: at })
          return BigInt(value as bigint) * scale
        })
        const reading = price
        reading.catch(() => memo.get(key) === reading && memo.delete(key))
        memo.set(key, price)
      }
      return price
    }

    /** View sources: read at the end of the block and compared with the previous block's value. */
    async function judgeViews(event: Extract<MonitorEvent, { kind: 'block' }>, ctx: DetectorContext, states: Map<string, PriceState>): Promise<DetectorFinding[]> {
      const blockNumber = event.block.number
      const read = (source: (typeof viewSources)[number], at: bigint) => readView(ctx, source, at)
      const findings: DetectorFinding[] = []
      // Every source is read before any state changes: a read the node cannot serve throws and the block is judged again as it was.
      const prices = await Promise.all(
        viewSources.map(async (source) => {
          const state = states.get(`view:${source.address}:${source.function}:${source.args.join(',')}`)
          return Promise.all([state?.last ?? read(source, blockNumber - 1n), read(source, blockNumber)])
        }),
      )
      await Promise.all(
        viewSources.map(async (source, index) => {
          const key = `view:${source.address}:${source.function}:${source.args.join(',')}`
          const state = states.get(key)
          const [open, price] = prices[index]!
          states.set(key, { open, last: price, openBlock: blockNumber, alertedBlock: state?.alertedBlock ?? -1n })
          if (open === 0n || price === 0n) return
          const moved = ((price > open ? price - open : open - price) * 10_000n) / open
          if (moved < BigInt(thresholdOf(source))) return
          findings.push({
            ...finding(event, config.severity, { source: key, kind: 'view', address: source.address as Address, open, extreme: price, bps: moved, threshold: thresholdOf(source) }, blockNumber),
            summary: `${source.name ?? `${source.function} on ${source.address}`} moved ${Number(moved) / 100}% in block ${blockNumber}.`,
          })
        }),
      )
      return findings
    }
  },
}

function finding(event: MonitorEvent, severity: DetectorFinding['severity'], move: Move, blockNumber: bigint): DetectorFinding {
  const tx = event.kind === 'block' ? undefined : event.transaction
  return {
    detector: 'price-deviation',
    severity,
    chain: event.chain.id,
    ...(event.kind === 'block' ? { block: { number: event.block.number, hash: event.block.hash }, pending: false } : findingPlace(event.kind === 'transaction' ? { kind: event.kind, block: event.block } : event)),
    ...(tx ? { tx: tx.hash } : {}),
    addresses: tx ? [move.address, tx.to ?? tx.from, tx.from] : [move.address],
    summary: `The price of ${move.kind} source ${move.address} moved ${Number(move.bps) / 100}% within block ${blockNumber}.`,
    evidence: {
      pair: move.address,
      source: move.kind,
      openPrice: move.open.toString(),
      extremePrice: move.extreme.toString(),
      deviationBps: Number(move.bps),
      thresholdBps: move.threshold,
      sender: tx?.from ?? null,
    },
  }
}

/** The net change of a balance source's two balances in one transaction, or undefined when neither moved. */
function balanceDelta(index: TraceIndex, source: { holder: string; base: string; quote: string }): { base: bigint; quote: bigint } | undefined {
  const holder = source.holder.toLowerCase()
  const base = source.base.toLowerCase()
  const quote = source.quote.toLowerCase()
  let moved = false
  const delta = { base: 0n, quote: 0n }
  for (const t of index.transfers) {
    const token = t.token.toLowerCase()
    if (token !== base && token !== quote) continue
    const sign = t.to.toLowerCase() === holder ? 1n : t.from.toLowerCase() === holder ? -1n : 0n
    if (sign === 0n) continue
    moved = true
    if (token === base) delta.base += sign * t.amount
    else delta.quote += sign * t.amount
  }
  return moved ? delta : undefined
}

/** quote per base, 36 decimals. */
function ratio(base: bigint, quote: bigint): bigint {
  return base <= 0n || quote < 0n ? 0n : (quote * scale) / base
}

function sqrtPrice(sqrtPriceX96: bigint): bigint {
  return (sqrtPriceX96 * sqrtPriceX96 * scale) / q192
}

/**
 * A price read at a block: a revert (or data of another shape) is no price (0n: the source is
 * skipped); a read the node could not serve throws BW_MONITOR_SOURCE_FAILED — a price the monitor
 * did not see is unknown, never 0, and the block is read again.
 *
 * @throws {MonitorSourceError}
 */
async function priceRead(ctx: DetectorContext, what: string, blockNumber: bigint, read: () => Promise<bigint>): Promise<bigint> {
  try {
    return (await probeContractRead(ctx.client as Parameters<typeof probeContractRead>[0], read)) ?? 0n
  } catch (error) {
    throw new MonitorSourceError({ action: `read the price ${what} at block ${blockNumber}`, cause: error })
  }
}

function reservesPrice(ctx: DetectorContext, pair: Address, blockNumber: bigint): Promise<bigint> {
  return priceRead(ctx, `getReserves() of ${pair}`, blockNumber, async () => {
    const [r0, r1] = await ctx.client.readContract({ address: pair, abi: pairAbi, functionName: 'getReserves', blockNumber })
    return ratio(r0, r1)
  })
}

function slot0Price(ctx: DetectorContext, pool: Address, blockNumber: bigint): Promise<bigint> {
  return priceRead(ctx, `slot0() of ${pool}`, blockNumber, async () => {
    const [sqrtPriceX96] = await ctx.client.readContract({ address: pool, abi: poolV3Abi, functionName: 'slot0', blockNumber })
    return sqrtPrice(sqrtPriceX96)
  })
}

function aggregatorPrice(ctx: DetectorContext, feed: Address, blockNumber: bigint): Promise<bigint> {
  return priceRead(ctx, `latestRoundData() of ${feed}`, blockNumber, async () => {
    const [, answer] = await ctx.client.readContract({ address: feed, abi: aggregatorAbi, functionName: 'latestRoundData', blockNumber })
    return answer > 0n ? answer * scale : 0n
  })
}
