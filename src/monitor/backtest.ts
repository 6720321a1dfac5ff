import type { PublicClient } from 'viem'
import { openStore } from '../store/openStore.js'
import { alertOfFinding } from './alertStore.js'
import { runDetectors } from './detectors/createDetectors.js'
import { grownContracts } from './detectors/traceIndex.js'
import type { Policy } from './policy.js'
import { createResponsePipeline } from './responders/createResponsePipeline.js'
import { fetchBlock, type FetchBlockReturnType, type TraceMethod } from './sources/fetchBlock.js'
import { blocksToReadAhead, type ReadAhead } from './sources/readAhead.js'
import type { Alert, DetectorContext, DetectorFinding, DetectorInstance, MonitorChain, MonitorEvent, MonitorScope } from './types.js'

export type BacktestParameters = {
  client: PublicClient
  chain: MonitorChain
  scope: MonitorScope
  detectors: readonly DetectorInstance[]
  policy: Policy
  /** The range judged (inclusive). */
  fromBlock: bigint
  toBlock: bigint
  /**
   * Replayed first, findings discarded: the warm-up in which baselines and windows learn what
   * usual looks like (default: no warm-up).
   */
  warmupFromBlock?: bigint | undefined
  traces?: boolean | undefined
  traceMethod?: TraceMethod | undefined
  /** Blocks read at once (default `auto`: one from a node on this machine, 8 from a node elsewhere — `blocksToReadAhead`). */
  readAhead?: ReadAhead | undefined
  /** Called after each block judged (progress). */
  onBlock?: ((blockNumber: bigint) => void) | undefined
}

export type BacktestReturnType = {
  fromBlock: bigint
  toBlock: bigint
  warmupBlocks: number
  blocks: number
  transactions: number
  /** Every alert the monitor would have raised, with its risk score and the response it would have taken (nothing is sent). */
  alerts: Alert[]
  /** Per detector: how many alerts. */
  byDetector: Record<string, number>
  /** Alerts whose decision was a response stronger than notify (`dry run: would …`). */
  responses: { alert: string; block: string | null; tx: string | null; detector: string; decision: string }[]
  /** Contracts the watched set grew by during the replay. */
  grown: { address: string; reason: string; block: string | null }[]
}

/**
 * Runs mined blocks `fromBlock…toBlock` through the detectors and discards what they find: the
 * warm-up in which baselines, windows and the watched set learn the protocol's history before a
 * live monitor (or a backtest) judges anything. Uses `memory` so what was learned carries on.
 * Returns the number of blocks replayed.
 */
export async function replayHistory(parameters: {
  client: PublicClient
  chain: MonitorChain
  scope: MonitorScope
  detectors: readonly DetectorInstance[]
  memory: Map<string, unknown>
  fromBlock: bigint
  toBlock: bigint
  traces?: boolean | undefined
  traceMethod?: TraceMethod | undefined
  readAhead?: ReadAhead | undefined
}): Promise<number> {
  const { client, chain, scope, detectors, memory, fromBlock, toBlock } = parameters
  const ctx: DetectorContext = { client, scope, memory }
  const blocksAhead = blocksToReadAhead(client, parameters.readAhead ?? 'auto', 8)
  const ahead = new Map<bigint, Promise<FetchBlockReturnType>>()
  let replayed = 0
  for (let number = fromBlock; number <= toBlock; number++) {
    for (let next = number; next <= toBlock && next < number + BigInt(blocksAhead); next++) {
      if (ahead.has(next)) continue
      const reading = fetchBlock(client, { chain, block: next, traces: parameters.traces, traceMethod: parameters.traceMethod })
      reading.catch(() => undefined)
      ahead.set(next, reading)
    }
    const { events } = await ahead.get(number)!
    ahead.delete(number)
    for (const event of [...events.slice(1), events[0]!]) await runDetectors(detectors, event, ctx)
    replayed++
  }
  return replayed
}

/**
 * Replays a range of mined history through the same detectors and the same policy decision as
 * the live monitor — risk roll-up, incidents, rules — with no responder key, so nothing is sent:
 * every alert comes back with the response it would have taken. A team tunes thresholds and
 * rules on its own history before arming automatic responses. The policy's bookkeeping lives in
 * a throwaway in-memory store; the caller's store is never touched.
 */
export async function backtest(parameters: BacktestParameters): Promise<BacktestReturnType> {
  const { client, chain, scope, detectors, policy, fromBlock, toBlock } = parameters
  const blocksAhead = blocksToReadAhead(client, parameters.readAhead ?? 'auto', 8)
  const memory = new Map<string, unknown>()
  const ctx: DetectorContext = { client, scope, memory }
  const store = await openStore({ dataDir: 'memory://' })
  try {
    const pipeline = await createResponsePipeline({ store, client, chainId: chain.id, policy, account: undefined, sinks: [] })
    const alerts: Alert[] = []
    let transactions = 0
    let blocks = 0
    const warmupBlocks =
      parameters.warmupFromBlock !== undefined && parameters.warmupFromBlock < fromBlock
        ? await replayHistory({ client, chain, scope, detectors, memory, fromBlock: parameters.warmupFromBlock, toBlock: fromBlock - 1n, traces: parameters.traces, traceMethod: parameters.traceMethod, readAhead: blocksAhead })
        : 0
    const ahead = new Map<bigint, Promise<FetchBlockReturnType>>()
    for (let number = fromBlock; number <= toBlock; number++) {
      for (let next = number; next <= toBlock && next < number + BigInt(blocksAhead); next++) {
        if (ahead.has(next)) continue
        const reading = fetchBlock(client, { chain, block: next, traces: parameters.traces, traceMethod: parameters.traceMethod })
        reading.catch(() => undefined)
        ahead.set(next, reading)
      }
      const { block, events } = await ahead.get(number)!
      ahead.delete(number)
      const ordered: MonitorEvent[] = [...events.slice(1), events[0]!]
      const findings: DetectorFinding[] = []
      for (const event of ordered) findings.push(...(await runDetectors(detectors, event, ctx)))
      blocks++
      transactions += block.transactionCount
      if (findings.length > 0) {
        const raisedAt = new Date(Number(block.timestamp) * 1000)
        const ordinals = new Map<string, number>()
        const drafts = findings.map((finding) => {
          const key = `${finding.tx ?? '-'}:${finding.detector}`
          const ordinal = ordinals.get(key) ?? 0
          ordinals.set(key, ordinal + 1)
          return alertOfFinding(finding, ordinal, raisedAt)
        })
        alerts.push(...(await pipeline.decide({ findings, alerts: drafts, seenAt: raisedAt, chainTime: Number(block.timestamp) })))
      }
      parameters.onBlock?.(block.number)
    }
    const byDetector: Record<string, number> = {}
    for (const alert of alerts) byDetector[alert.detector] = (byDetector[alert.detector] ?? 0) + 1
    return {
      fromBlock,
      toBlock,
      warmupBlocks,
      blocks,
      transactions,
      alerts,
      byDetector,
      responses: alerts
        .filter((alert) => /^dry run: would /.test(alert.response.detail ?? ''))
        .map((alert) => ({ alert: alert.id, block: alert.block?.number ?? null, tx: alert.tx, detector: alert.detector, decision: alert.response.detail!.replace(/^dry run: /, '') })),
      grown: grownContracts(scope).map((entry) => ({ address: entry.address, reason: entry.reason, block: entry.block?.toString() ?? null })),
    }
  } finally {
    await store.close()
  }
}
