import type { Address } from 'viem'
import { z } from 'zod'
import type { Detector, DetectorFinding } from '../types.js'
import { balanceAt } from './balances.js'
import { findingPlace, indexTransaction, scopeSetsOf } from './traceIndex.js'

export const largeOutflowConfigSchema = z
  .object({
    severity: z.enum(['info', 'low', 'medium', 'high', 'critical']).default('high'),
    /** Net outflow of one token from one scope contract, as basis points of its balance at the window's start. */
    thresholdBps: z.number().int().min(1).max(10_000).default(2_000),
    /** The window, in blocks (1 = within one block). */
    windowBlocks: z.number().int().min(1).max(100_000).default(50),
    /** Outflows below this many base units are never reported (dust, tiny pools). Decimal string. */
    minAmount: z.string().regex(/^\d+$/).default('0'),
  })
  .strict()
export type LargeOutflowConfig = z.infer<typeof largeOutflowConfigSchema>

type Window = { entries: { block: bigint; amount: bigint }[]; alerted: boolean }

/**
 * Net ERC-20 outflow from a protocol contract within a window of blocks, relative to the
 * contract's balance of that token before the window (its TVL in that token). Reported once when
 * the window crosses the threshold; a pending transaction is judged on the window plus itself.
 */
export const largeOutflow: Detector<LargeOutflowConfig> = {
  id: 'large-outflow',
  description: 'A net outflow of a token from a protocol contract above a share of its balance within a window.',
  configSchema: largeOutflowConfigSchema as z.ZodType<LargeOutflowConfig>,
  create: (config) => {
    const minAmount = BigInt(config.minAmount)
    return {
      id: 'large-outflow',
      kinds: ['transaction', 'pending'],
      async detect(event, ctx) {
        if (event.kind === 'block') return []
        const { contracts } = scopeSetsOf(ctx)
        const net = new Map<string, { token: Address; holder: Address; amount: bigint }>()
        for (const t of indexTransaction(event.transaction, ctx).transfers) {
          for (const [holder, sign] of [[t.from, 1n], [t.to, -1n]] as const) {
            if (!contracts.has(holder.toLowerCase())) continue
            const key = `${t.token}:${holder}`
            const entry = net.get(key) ?? { token: t.token, holder, amount: 0n }
            entry.amount += sign * t.amount
            net.set(key, entry)
          }
        }
        if (net.size === 0) return []
        const blockNumber = event.kind === 'transaction' ? event.block.number : event.simulatedOn.number + 1n
        const windows = (ctx.memory.get('large-outflow') as Map<string, Window> | undefined) ?? new Map<string, Window>()
        ctx.memory.set('large-outflow', windows)
        const findings: DetectorFinding[] = []
        for (const [key, { token, holder, amount }] of net) {
          if (amount <= 0n) continue
          const window = windows.get(key) ?? { entries: [], alerted: false }
          const start = blockNumber - BigInt(config.windowBlocks) + 1n
          while (window.entries.length > 0 && window.entries[0]!.block < start) window.entries.shift()
          if (window.entries.length === 0) window.alerted = false
          const before = window.entries.reduce((sum, e) => sum + e.amount, 0n)
          const total = before + amount
          if (event.kind === 'transaction') {
            window.entries.push({ block: blockNumber, amount })
            windows.set(key, window)
          }
          if (total < minAmount || window.alerted) continue
          const firstBlock = window.entries[0]?.block ?? blockNumber
          const tvl = await balanceAt(ctx, token, holder, (firstBlock > 0n ? firstBlock : 1n) - 1n)
          if (tvl === 0n || total * 10_000n < tvl * BigInt(config.thresholdBps)) continue
          if (event.kind === 'transaction') window.alerted = true
          findings.push({
            detector: 'large-outflow',
            severity: config.severity,
            chain: event.chain.id,
            ...findingPlace(event.kind === 'transaction' ? { kind: event.kind, block: event.block } : event),
            tx: event.transaction.hash,
            addresses: [holder, event.transaction.from],
            summary: `${total} of token ${token} left ${holder} within ${config.windowBlocks} block(s): ${Number((total * 10_000n) / tvl) / 100}% of its balance.`,
            evidence: { token, holder, outflow: total.toString(), balanceBefore: tvl.toString(), windowBlocks: config.windowBlocks, thresholdBps: config.thresholdBps },
          })
        }
        return findings
      },
    }
  },
}
