import type { Hash, PublicClient } from 'viem'
import { detectorSeconds, monitorBlocks, monitorBlocksBehind, monitorTransactions } from '../../metrics/registry.js'
import type { Store, Transaction } from '../../store/openStore.js'
import { alertOfFinding, retractAlerts, saveAlerts } from '../alertStore.js'
import { runDetectors } from '../detectors/createDetectors.js'
import { MonitorSourceError } from '../errors.js'
import type { Alert, DetectorFinding, DetectorInstance, MonitorChain, MonitorEvent, MonitorScope } from '../types.js'
import { readCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint.js'
import { fetchBlock, type FetchBlockReturnType, type TraceMethod } from './fetchBlock.js'
import { blocksToReadAhead, type ReadAhead } from './readAhead.js'

export type ProcessNewBlocksParameters = {
  client: PublicClient
  store: Store
  chain: MonitorChain
  detectors: readonly DetectorInstance[]
  scope: MonitorScope
  /** Detector memory; kept by the caller between passes, cleared here after a reorg. */
  memory: Map<string, unknown>
  /** Where a chain without a checkpoint starts (default: the current head — no history). */
  startBlock?: bigint | undefined
  /** Stop after this block (default: the head when the pass started). */
  toBlock?: bigint | undefined
  /** Fetch call traces (default true). */
  traces?: boolean | undefined
  /** How traces are read (default `auto`: `trace_block`, else `debug_traceBlockByNumber`). */
  traceMethod?: TraceMethod | undefined
  /**
   * How many blocks are read at once while catching up (1 reads one at a time; default `auto`: one
   * from a node on this machine, 4 from a node elsewhere — `blocksToReadAhead`).
   */
  readAhead?: ReadAhead | undefined
  /** How many processed block hashes are kept to find a reorg's common ancestor (default 128). */
  reorgDepth?: number | undefined
  /**
   * Turns a block's findings into alerts (risk roll-up, responses: part B). Default: one alert per
   * finding with a severity-based score and no response. Runs before the block's alerts are stored.
   */
  decide?: ((findings: readonly DetectorFinding[], alerts: readonly Alert[]) => Promise<readonly Alert[]>) | undefined
  /** Called after a block is committed, with its newly stored alerts (sinks). */
  onAlerts?: ((alerts: readonly Alert[], block: { number: bigint; hash: Hash }) => Promise<void> | void) | undefined
  onReorg?: ((reorg: { ancestor: bigint; retracted: readonly string[] }) => Promise<void> | void) | undefined
  /**
   * Runs first in every transaction that moves the checkpoint; throwing aborts it. A monitor that
   * shares the chain with a standby passes its lease's fence, so after a takeover it records nothing.
   */
  fence?: ((tx: Transaction) => Promise<void>) | undefined
}

export type ProcessNewBlocksReturnType = { processed: number; alerts: Alert[]; retracted: string[]; checkpoint: Checkpoint | undefined }

/**
 * One pass of the block follower: from the chain's checkpoint to the head, each block is read
 * (transactions, receipts, traces in one batch), run through the detectors, and committed with
 * its alerts and the new checkpoint in one database transaction — so a monitor killed at any
 * moment resumes at the first block it had not committed, and a block is never half-recorded.
 * A block whose parent is not the recorded hash means a reorg: the follower walks back to the
 * common ancestor, retracts the alerts of the dropped blocks and processes the new ones.
 *
 * @throws {MonitorSourceError} the node failed a call; the checkpoint stays at the last committed block.
 */
export async function processNewBlocks(parameters: ProcessNewBlocksParameters): Promise<ProcessNewBlocksReturnType> {
  const { client, store, chain, detectors, scope, memory, traces = true, reorgDepth = 128 } = parameters
  const blocksAhead = blocksToReadAhead(client, parameters.readAhead ?? 'auto', 4)
  const ctx = { client, scope, memory }
  let checkpoint = await readCheckpoint(store, chain.id)
  const head = parameters.toBlock ?? (await blockNumber(client))
  const alerts: Alert[] = []
  const retracted: string[] = []
  let processed = 0

  // The checkpoint block itself may have been replaced (a reorg at the same height).
  if (checkpoint && checkpoint.blockNumber <= head) {
    const current = await blockHashAt(client, checkpoint.blockNumber)
    if (current !== checkpoint.blockHash) checkpoint = await rewind(checkpoint)
  }
  let next = checkpoint ? checkpoint.blockNumber + 1n : (parameters.startBlock ?? head)
  monitorBlocksBehind.set({ chain: String(chain.id) }, Math.max(0, Number(head - next + 1n)))
  // Blocks are read a few ahead while the current one is judged and committed: reading is I/O
  // on the node, judging is CPU here, and the two overlap. A reorg drops what was read ahead.
  // With each block read ahead the detectors start the view reads they will make at it (balances,
  // prices): judging it then finds them answered instead of queued behind the next blocks' reads.
  // They go in a batch of their own (a timer after the block's), so a node refusing view calls
  // fails those reads, which judging asks again, never the block's.
  const ahead = new Map<bigint, Promise<FetchBlockReturnType>>()
  const readAhead = (from: bigint) => {
    for (let number = from; number <= head && number < from + BigInt(blocksAhead); number++) {
      if (ahead.has(number)) continue
      const reading = fetchBlock(client, { chain, block: number, traces, traceMethod: parameters.traceMethod })
      reading.catch(() => undefined) // awaited (and thrown) in turn; a dropped one must not go unhandled
      setTimeout(() => detectors.forEach((detector) => detector.readAhead?.(number, ctx)), 0)
      ahead.set(number, reading)
    }
  }
  while (next <= head) {
    readAhead(next)
    const reading = ahead.get(next)!
    ahead.delete(next)
    const { block, events } = await reading
    if (checkpoint && block.parentHash !== checkpoint.blockHash) {
      ahead.clear()
      checkpoint = await rewind(checkpoint)
      next = checkpoint.blockNumber + 1n
      continue
    }
    // Transactions first, then the block event ("block done").
    const ordered: MonitorEvent[] = [...events.slice(1), events[0]!]
    const findings: DetectorFinding[] = []
    const judging = performance.now()
    for (const event of ordered) findings.push(...(await runDetectors(detectors, event, ctx)))
    const judgedInSeconds = (performance.now() - judging) / 1000
    const ordinals = new Map<string, number>()
    const raisedAt = new Date()
    const drafted = findings.map((finding) => {
      const key = `${finding.tx ?? '-'}:${finding.detector}`
      const ordinal = ordinals.get(key) ?? 0
      ordinals.set(key, ordinal + 1)
      return alertOfFinding(finding, ordinal, raisedAt)
    })
    const decided = parameters.decide && drafted.length > 0 ? await parameters.decide(findings, drafted) : drafted
    const committed: Checkpoint = { blockNumber: block.number, blockHash: block.hash }
    const saved = await store.transaction(async (tx) => {
      await parameters.fence?.(tx)
      const stored = await saveAlerts(tx, decided)
      await tx.query(
        `INSERT INTO monitor_blocks (chain_id, block_number, block_hash, parent_hash) VALUES ($1, $2, $3, $4)
         ON CONFLICT (chain_id, block_number) DO UPDATE SET block_hash = EXCLUDED.block_hash, parent_hash = EXCLUDED.parent_hash`,
        [chain.id, block.number.toString(), block.hash, block.parentHash],
      )
      if (block.number % 32n === 0n) {
        await tx.query('DELETE FROM monitor_blocks WHERE chain_id = $1 AND block_number < $2', [chain.id, (block.number - BigInt(reorgDepth)).toString()])
      }
      await writeCheckpoint(tx, chain.id, committed)
      return stored
    })
    checkpoint = committed
    processed++
    // per chain and per block, never per transaction: a handful of series whatever the traffic
    const chainLabel = { chain: String(chain.id) }
    monitorBlocks.inc(chainLabel)
    monitorTransactions.inc(chainLabel, block.transactionCount)
    detectorSeconds.observe(chainLabel, judgedInSeconds)
    monitorBlocksBehind.set(chainLabel, Math.max(0, Number(head - block.number)))
    alerts.push(...saved)
    if (saved.length > 0) await parameters.onAlerts?.(saved, { number: block.number, hash: block.hash })
    next = block.number + 1n
  }
  return { processed, alerts, retracted, checkpoint }

  /** Walks back over the recorded blocks to the last one still on the chain; retracts what lies above it. */
  async function rewind(from: Checkpoint): Promise<Checkpoint> {
    const recorded = await store.query<{ block_number: string | number; block_hash: Hash }>(
      'SELECT block_number, block_hash FROM monitor_blocks WHERE chain_id = $1 AND block_number <= $2 ORDER BY block_number DESC LIMIT $3',
      [chain.id, from.blockNumber.toString(), reorgDepth],
    )
    let ancestor: Checkpoint | undefined
    for (const row of recorded) {
      const number = BigInt(row.block_number)
      if ((await blockHashAt(client, number)) === row.block_hash) {
        ancestor = { blockNumber: number, blockHash: row.block_hash }
        break
      }
    }
    if (!ancestor) {
      const oldest = recorded.at(-1)
      const number = oldest ? BigInt(oldest.block_number) - 1n : from.blockNumber - 1n
      ancestor = { blockNumber: number, blockHash: (await blockHashAt(client, number))! }
    }
    const found = ancestor
    const ids = await store.transaction(async (tx) => {
      await parameters.fence?.(tx)
      const ids = await retractAlerts(tx, { chainId: chain.id, aboveBlock: found.blockNumber, reason: `reorg: blocks above ${found.blockNumber} were replaced` })
      await tx.query('DELETE FROM monitor_blocks WHERE chain_id = $1 AND block_number > $2', [chain.id, found.blockNumber.toString()])
      await writeCheckpoint(tx, chain.id, found)
      return ids
    })
    // Windows and peaks remembered from dropped blocks no longer describe the chain.
    memory.clear()
    retracted.push(...ids)
    await parameters.onReorg?.({ ancestor: found.blockNumber, retracted: ids })
    return found
  }
}

async function blockNumber(client: PublicClient): Promise<bigint> {
  try {
    return await client.getBlockNumber({ cacheTime: 0 })
  } catch (error) {
    throw new MonitorSourceError({ action: 'read the head block number', cause: error })
  }
}

async function blockHashAt(client: PublicClient, number: bigint): Promise<Hash | undefined> {
  try {
    const block = (await client.request({ method: 'eth_getBlockByNumber', params: [`0x${number.toString(16)}`, false] } as never)) as { hash: Hash } | null
    return block?.hash
  } catch (error) {
    throw new MonitorSourceError({ action: `read block ${number}`, cause: error })
  }
}
