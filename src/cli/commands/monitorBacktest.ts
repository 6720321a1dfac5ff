import path from 'node:path'
import type { PublicClient } from 'viem'
import { connectChain } from '../../chain/connectChain.js'
import { parseAddress } from '../../chain/parseAddress.js'
import { redactSecrets } from '../../errors/BaseError.js'
import { backtest } from '../../monitor/backtest.js'
import { createDetectors, type DetectorsConfig } from '../../monitor/detectors/createDetectors.js'
import { loadPolicy, type Policy } from '../../monitor/policy.js'
import type { TraceMethod } from '../../monitor/sources/fetchBlock.js'
import { parseReadAhead, type ReadAhead } from '../../monitor/sources/readAhead.js'
import { readGovernance, withGovernance } from '../../monitor/sources/readGovernance.js'
import type { MonitorScope } from '../../monitor/types.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import { progress } from '../io.js'

export type MonitorBacktestDependencies = {
  usage: string
  notifyOnlyPolicy: Policy
  resolveScope: (values: Record<string, unknown>, cwd: string) => Promise<{ rpcUrl: string; contracts: `0x${string}`[]; authorities: `0x${string}`[]; chainName: string | undefined }>
  readJson: (file: string) => Promise<unknown>
}

/**
 * `bulwark monitor backtest --from-block A --to-block B`: replays mined history through the
 * detectors and the policy decision (nothing is sent) and prints every alert with the response
 * it would have taken. `--warmup-from-block W` replays W…A-1 first so baselines learn.
 */
export async function monitorBacktestCommand(values: Record<string, unknown>, io: Parameters<Command['run']>[1], deps: MonitorBacktestDependencies): Promise<number> {
  const report = progress(io, Boolean(values.quiet))
  const number = (flag: string): bigint | undefined => {
    const value = values[flag] as string | undefined
    if (value === undefined) return undefined
    if (!/^\d+$/.test(value)) throw new UsageError({ message: `--${flag} must be a whole number; got "${value}".`, usage: deps.usage })
    return BigInt(value)
  }
  const fromBlock = number('from-block')
  const toBlock = number('to-block')
  const warmupFromBlock = number('warmup-from-block')
  if (fromBlock === undefined || toBlock === undefined) throw new UsageError({ message: 'monitor backtest needs --from-block A and --to-block B.', usage: deps.usage })
  if (toBlock < fromBlock) throw new UsageError({ message: `--to-block (${toBlock}) is before --from-block (${fromBlock}).`, usage: deps.usage })
  if (warmupFromBlock !== undefined && warmupFromBlock > fromBlock) throw new UsageError({ message: `--warmup-from-block (${warmupFromBlock}) is after --from-block (${fromBlock}).`, usage: deps.usage })
  const traceMethod = ((values['trace-method'] as string | undefined) ?? 'auto') as TraceMethod
  if (!['auto', 'trace_block', 'debug_traceBlockByNumber'].includes(traceMethod)) throw new UsageError({ message: '--trace-method must be one of auto, trace_block, debug_traceBlockByNumber.', usage: deps.usage })
  const readAhead = readAheadOf(values, deps.usage)
  const policy = values.policy === undefined ? deps.notifyOnlyPolicy : await loadPolicy(path.resolve(io.cwd, values.policy as string))
  const detectors = createDetectors((values.detectors === undefined ? {} : await deps.readJson(path.resolve(io.cwd, values.detectors as string))) as DetectorsConfig)
  const { rpcUrl, contracts, authorities, chainName } = await deps.resolveScope(values, io.cwd)
  report(`connecting to ${redactSecrets(rpcUrl)}`)
  const { client, chainId } = await connectChain({ rpcUrl })
  const head = await client.getBlockNumber({ cacheTime: 0 })
  if (toBlock > head) throw new UsageError({ message: `--to-block ${toBlock} is beyond the chain's head (${head}).`, usage: deps.usage })
  const releaseGates = ((values['release-gate'] as string[] | undefined) ?? []).map((value, index) => parseAddress(value, `--release-gate #${index + 1}`))
  let scope: MonitorScope = { contracts, releaseGates, authorities }
  if (!values['no-chain-governance']) {
    // governance as it stood at the end of the range
    const governance = await readGovernance(client as never, { contracts })
    for (const problem of governance.unreadable) report(`governance of ${problem.address} not read: ${problem.reason}`)
    scope = withGovernance(scope, governance)
  }
  report(`replaying blocks ${warmupFromBlock !== undefined ? `${warmupFromBlock}…${fromBlock - 1n} (warm-up) and ` : ''}${fromBlock}…${toBlock} of chain ${chainId}`)
  const result = await backtest({
    client: client as unknown as PublicClient,
    chain: { id: chainId, name: chainName ?? String(chainId) },
    scope,
    detectors,
    policy,
    fromBlock,
    toBlock,
    warmupFromBlock,
    traces: !values['no-traces'],
    traceMethod,
    readAhead,
  })
  if (values.json) {
    io.stdout(
      JSON.stringify({
        fromBlock: result.fromBlock.toString(),
        toBlock: result.toBlock.toString(),
        warmupBlocks: result.warmupBlocks,
        blocks: result.blocks,
        transactions: result.transactions,
        alertsPerThousandTransactions: result.transactions === 0 ? 0 : Math.round((result.alerts.length * 1_000_000) / result.transactions) / 1000,
        byDetector: result.byDetector,
        responses: result.responses,
        grown: result.grown,
        alerts: result.alerts,
      }),
    )
    return 0
  }
  for (const alert of result.alerts) {
    io.stdout(`#${alert.block?.number ?? '-'} [${alert.severity}] ${alert.detector} risk ${alert.riskScore} → ${alert.response.detail ?? alert.response.kind}: ${alert.summary}`)
  }
  io.stdout(
    `${result.alerts.length} alert(s) in ${result.blocks} block(s), ${result.transactions} transaction(s)${result.warmupBlocks > 0 ? ` after ${result.warmupBlocks} warm-up block(s)` : ''}; ${result.responses.length} would have been answered by the policy; watched set grew by ${result.grown.length}.`,
  )
  return 0
}

/** `--read-ahead` (monitor and backtest): `auto` unless given. */
export function readAheadOf(values: Record<string, unknown>, usage: string): ReadAhead {
  const text = values['read-ahead'] as string | undefined
  if (text === undefined) return 'auto'
  const readAhead = parseReadAhead(text)
  if (readAhead === undefined) throw new UsageError({ message: `--read-ahead must be auto or a whole number of blocks from 1 to 64; got "${text}".`, usage })
  return readAhead
}
