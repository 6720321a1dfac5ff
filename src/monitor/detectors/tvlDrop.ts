import type { Address } from 'viem'
import { z } from 'zod'
import type { Detector, DetectorFinding } from '../types.js'
import { balanceAt } from './balances.js'
import { indexTransaction, scopeSetsOf } from './traceIndex.js'

export const tvlDropConfigSchema = z
  .object({
    severity: z.enum(['info', 'low', 'medium', 'high', 'critical']).default('high'),
    /** A drop of this many basis points below the highest balance in the window is reported. */
    dropBps: z.number().int().min(1).max(10_000).default(3_000),
    windowBlocks: z.number().int().min(1).max(100_000).default(20),
    /** Balances below this (base units, decimal) are too small to judge. */
    minTvl: z.string().regex(/^\d+$/).default('0'),
  })
  .strict()
export type TvlDropConfig = z.infer<typeof tvlDropConfigSchema>

type Series = { token: Address; holder: Address; points: { block: bigint; balance: bigint }[]; alerted: boolean }

/**
 * At the end of each block in which a scope contract's token balance moved, compares that balance
 * with its peak over the window: a sharp drop is a TVL drop, however it was spread over transactions.
 */
export const tvlDrop: Detector<TvlDropConfig> = {
  id: 'tvl-drop',
  description: "A protocol contract's token balance fell sharply from its peak within a window of blocks.",
  configSchema: tvlDropConfigSchema as z.ZodType<TvlDropConfig>,
  create: (config) => ({
    id: 'tvl-drop',
    kinds: ['transaction', 'block'],
    async detect(event, ctx) {
      const series = (ctx.memory.get('tvl-drop') as Map<string, Series> | undefined) ?? new Map<string, Series>()
      ctx.memory.set('tvl-drop', series)
      const touched = (ctx.memory.get('tvl-drop:touched') as Set<string> | undefined) ?? new Set<string>()
      ctx.memory.set('tvl-drop:touched', touched)
      if (event.kind === 'transaction') {
        const { contracts } = scopeSetsOf(ctx)
        for (const t of indexTransaction(event.transaction, ctx).transfers) {
          for (const holder of [t.from, t.to]) {
            if (!contracts.has(holder.toLowerCase())) continue
            const key = `${t.token}:${holder}`
            if (!series.has(key)) {
              // The balance before the first movement seen is the first point of the series.
              const before = await balanceAt(ctx, t.token, holder, event.block.number - 1n)
              // a token that cannot answer balanceOf has no series: a series starts at a balance, never at a guess
              if (before === undefined) continue
              series.set(key, { token: t.token, holder, points: [{ block: event.block.number - 1n, balance: before }], alerted: false })
            }
            touched.add(key)
          }
        }
        return []
      }
      if (event.kind !== 'block') return []
      const findings: DetectorFinding[] = []
      // Every balance first, before any series changes: a read the node cannot serve throws and the block is judged again as it was.
      const balances = new Map(await Promise.all([...touched].map(async (key) => [key, await balanceAt(ctx, series.get(key)!.token, series.get(key)!.holder, event.block.number)] as const)))
      for (const key of touched) {
        const s = series.get(key)!
        const balance = balances.get(key)
        // no answer at this block (balanceOf reverted): no point, so no drop; the peak stays for the next block that answers
        if (balance === undefined) continue
        const start = event.block.number - BigInt(config.windowBlocks)
        s.points = s.points.filter((p) => p.block >= start)
        const peak = s.points.reduce((max, p) => (p.balance > max ? p.balance : max), 0n)
        s.points.push({ block: event.block.number, balance })
        if (peak < BigInt(config.minTvl) || peak === 0n) continue
        const dropped = (peak - balance) * 10_000n >= peak * BigInt(config.dropBps)
        if (!dropped) {
          s.alerted = false
          continue
        }
        if (s.alerted) continue
        s.alerted = true
        findings.push({
          detector: 'tvl-drop',
          severity: config.severity,
          chain: event.chain.id,
          block: { number: event.block.number, hash: event.block.hash },
          addresses: [s.holder],
          summary: `${s.holder}'s balance of ${s.token} fell from ${peak} to ${balance} within ${config.windowBlocks} blocks.`,
          evidence: { token: s.token, holder: s.holder, peak: peak.toString(), balance: balance.toString(), dropBps: config.dropBps },
          pending: false,
        })
      }
      touched.clear()
      return findings
    },
    readAhead(blockNumber, ctx) {
      // the series moved in the last few blocks are the ones whose balance the end of this block will read
      const series = ctx.memory.get('tvl-drop') as Map<string, Series> | undefined
      for (const s of series?.values() ?? []) {
        const last = s.points.at(-1)
        if (last && last.block + recentBlocks >= blockNumber) balanceAt(ctx, s.token, s.holder, blockNumber).catch(() => undefined)
      }
    },
  }),
}

/** How recently a series must have moved for its balance to be read ahead. */
const recentBlocks = 8n
