import type { Address } from 'viem'
import { z } from 'zod'
import { baselineConfigSchema, createBaseline } from '../baseline.js'
import type { Detector, DetectorFinding, MonitorEvent } from '../types.js'
import { balanceAt } from './balances.js'
import { findingPlace, indexTransaction, nativeToken, scopeSetsOf } from './traceIndex.js'

export const largeOutflowConfigSchema = z
  .object({
    severity: z.enum(['info', 'low', 'medium', 'high', 'critical']).default('high'),
    /** Net outflow of one token from one scope contract, as basis points of its balance at the window's start. */
    thresholdBps: z.number().int().min(1).max(10_000).default(2_000),
    /** The window, in blocks (1 = within one block). */
    windowBlocks: z.number().int().min(1).max(100_000).default(50),
    /** Outflows below this many base units are never reported (dust, tiny pools). Decimal string. */
    minAmount: z.string().regex(/^\d+$/).default('0'),
    /** Many small drains: the net outflow of one token from one scope contract in transactions sent by one account, summed over `actorWindowBlocks`, as basis points of the balance. */
    actorThresholdBps: z.number().int().min(1).max(10_000).default(2_000),
    actorWindowBlocks: z.number().int().min(1).max(1_000_000).default(1_000),
    /**
     * Learned from history per token, holder and direction: once warm, a window's net outflow must
     * also exceed `factor` × the `percentile` of the window net outflows seen before (busy pools
     * whose ordinary windows move more than `thresholdBps` stay quiet; the fixed share still applies).
     */
    baseline: baselineConfigSchema.prefault({ factor: 2 }),
  })
  .strict()
export type LargeOutflowConfig = z.infer<typeof largeOutflowConfigSchema>

/** Net outflow (positive) or inflow (negative) per bucket of blocks (`first`: its first block with a flow), oldest first; the last alert, so a drain that keeps going is reported again. */
type Window = { entries: { block: bigint; first: bigint; net: bigint }[]; lastAlert: { block: bigint; level: bigint } | undefined }

/**
 * Net value outflow (ERC-20 and native ETH; inflows count against it) from a protocol contract
 * within a sliding window of blocks, relative to the contract's balance of that token before the
 * window. Two windows: per contract and token (one big drain), and per contract, token and sending
 * account over a longer span (many small drains by one actor). There is no sticky "already
 * alerted" flag: once reported, a window is reported again when another threshold's worth left
 * or when the earlier report slid out of the window. Flows made by governance (authorities,
 * the release gate) are the approved path and not counted. A pending transaction is judged on
 * the windows plus itself and changes nothing.
 */
export const largeOutflow: Detector<LargeOutflowConfig> = {
  id: 'large-outflow',
  description: 'A net outflow of a token (or ETH) from a protocol contract above a share of its balance within a window, per contract and per sending account.',
  configSchema: largeOutflowConfigSchema as z.ZodType<LargeOutflowConfig>,
  create: (config) => {
    const minAmount = BigInt(config.minAmount)
    const baseline = createBaseline(config.baseline)
    // detector-owned (not in ctx.memory): what was learned survives a reorg's memory reset
    let judged = 0
    return {
      id: 'large-outflow',
      kinds: ['transaction', 'pending'],
      async detect(event, ctx) {
        if (event.kind === 'block') return []
        const { contracts } = scopeSetsOf(ctx)
        const index = indexTransaction(event.transaction, ctx)
        const net = new Map<string, { token: Address; holder: Address; amount: bigint }>()
        for (const t of index.transfers) {
          if (t.frame >= 0 && index.frames[t.frame]!.viaAuthority) continue
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
        // every sender gets an actor window: forget the ones that slid out entirely, now and then
        if (event.kind === 'transaction' && windows.size > 1024 && ++judged % 1024 === 0) prune(windows, blockNumber, Math.max(config.windowBlocks, config.actorWindowBlocks))
        const windowsOf = (key: string) => [
          { key, windowBlocks: config.windowBlocks, thresholdBps: config.thresholdBps, actor: undefined },
          { key: `${key}:${event.transaction.from}`, windowBlocks: config.actorWindowBlocks, thresholdBps: config.actorThresholdBps, actor: event.transaction.from },
        ]
        // Every balance an outflow is judged against is read before any window changes: a read the node
        // cannot serve throws (BW_MONITOR_SOURCE_FAILED) and the block is judged again from the same windows.
        const tvls = new Map<string, bigint | undefined>()
        await Promise.all(
          [...net].flatMap(([key, { token, holder, amount }]) =>
            amount <= 0n
              ? []
              : windowsOf(key).map(async (w) => {
                  const start = blockNumber - BigInt(w.windowBlocks) + 1n
                  const firstBlock = windows.get(w.key)?.entries.find((e) => e.block >= start)?.first ?? blockNumber
                  tvls.set(w.key, await balanceAt(ctx, token, holder, (firstBlock > 0n ? firstBlock : 1n) - 1n))
                }),
          ),
        )
        const findings: DetectorFinding[] = []
        for (const [key, { token, holder, amount }] of net) {
          for (const w of windowsOf(key)) {
            const window = windows.get(w.key) ?? { entries: [], lastAlert: undefined }
            const start = blockNumber - BigInt(w.windowBlocks) + 1n
            while (window.entries.length > 0 && window.entries[0]!.block < start) window.entries.shift()
            const total = window.entries.reduce((sum, e) => sum + e.net, 0n) + amount
            if (event.kind === 'transaction') {
              // flows are kept in at most ~32 buckets per window (a long per-actor window of a busy
              // sender stays small); a bucket leaves the window when its first block does
              const bucket = BigInt(Math.max(1, Math.floor(w.windowBlocks / 32)))
              const slot = blockNumber - (blockNumber % bucket)
              const last = window.entries.at(-1)
              if (last?.block === slot) last.net += amount
              else window.entries.push({ block: slot, first: blockNumber, net: amount })
              windows.set(w.key, window)
            }
            if (amount <= 0n || total <= 0n || total < minAmount) continue
            const again = window.lastAlert && window.lastAlert.block >= start
            const tvl = tvls.get(w.key)
            // no balance to compare with (the token cannot answer balanceOf): nothing to judge
            if (tvl === undefined || tvl === 0n) continue
            const step = (tvl * BigInt(w.thresholdBps)) / 10_000n
            const learned = w.actor === undefined ? baseline.threshold(`${key}:out`) : undefined
            const threshold = learned !== undefined && learned > step ? learned : step
            if (total < threshold) continue
            if (again && total < window.lastAlert!.level + threshold) continue
            if (event.kind === 'transaction') window.lastAlert = { block: blockNumber, level: total }
            findings.push(finding(event, config.severity, { token, holder, total, tvl, windowBlocks: w.windowBlocks, thresholdBps: w.thresholdBps, learned, actor: w.actor }))
          }
          if (event.kind === 'transaction') observeWindow(baseline, `${key}:out`, windows.get(key), blockNumber, config.windowBlocks)
        }
        return findings
      },
    }
  },
}

/** Drops windows whose every entry and last report are older than the longest window. */
function prune(windows: Map<string, Window>, blockNumber: bigint, longest: number): void {
  const start = blockNumber - BigInt(longest)
  for (const [key, window] of windows) {
    const last = window.entries.at(-1)?.block ?? -1n
    if (last < start && (window.lastAlert?.block ?? -1n) < start) windows.delete(key)
  }
}

/**
 * Learns the per-contract window's net outflow after this transaction. Only outflows (inflow windows
 * say nothing about drains), and never a window that was reported: an attack must not teach the
 * baseline that attacks are usual.
 */
function observeWindow(baseline: ReturnType<typeof createBaseline>, key: string, window: Window | undefined, blockNumber: bigint, windowBlocks: number) {
  if (!window) return
  const start = blockNumber - BigInt(windowBlocks) + 1n
  if (window.lastAlert && window.lastAlert.block >= start) return
  const total = window.entries.reduce((sum, e) => (e.block >= start ? sum + e.net : sum), 0n)
  if (total > 0n) baseline.observe(key, total)
}

function finding(
  event: Extract<MonitorEvent, { kind: 'transaction' | 'pending' }>,
  severity: DetectorFinding['severity'],
  w: { token: Address; holder: Address; total: bigint; tvl: bigint; windowBlocks: number; thresholdBps: number; learned: bigint | undefined; actor: Address | undefined },
): DetectorFinding {
  const what = w.token === nativeToken ? 'ETH' : `token ${w.token}`
  const share = Number((w.total * 10_000n) / w.tvl) / 100
  return {
    detector: 'large-outflow',
    severity,
    chain: event.chain.id,
    ...findingPlace(event.kind === 'transaction' ? { kind: event.kind, block: event.block } : event),
    tx: event.transaction.hash,
    addresses: [w.holder, event.transaction.from],
    summary: w.actor
      ? `${w.total} of ${what} left ${w.holder} net in transactions sent by ${w.actor} within ${w.windowBlocks} block(s): ${share}% of its balance.`
      : `${w.total} of ${what} left ${w.holder} net within ${w.windowBlocks} block(s): ${share}% of its balance.`,
    evidence: {
      token: w.token,
      holder: w.holder,
      outflow: w.total.toString(),
      balanceBefore: w.tvl.toString(),
      windowBlocks: w.windowBlocks,
      thresholdBps: w.thresholdBps,
      learnedThreshold: w.learned?.toString() ?? null,
      actor: w.actor ?? null,
    },
  }
}
