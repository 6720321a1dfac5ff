import { hexToBigInt, hexToNumber, type Address, type Hash, type Hex, type PublicClient } from 'viem'
import { checksumAddress } from '../checksumAddress.js'
import { MonitorSourceError } from '../errors.js'
import type { CallFrame, MonitorBlock, MonitorChain, MonitorEvent, MonitorLog, MonitorTransaction } from '../types.js'
import { callFramesOfParityTraces, type ParityTrace } from './parityTraces.js'

type RpcTransaction = { hash: Hash; from: Address; to: Address | null; value: Hex; input: Hex; nonce: Hex }
type RpcBlock = { number: Hex; hash: Hash; parentHash: Hash; timestamp: Hex; transactions: RpcTransaction[] }
type RpcLog = { address: Address; topics: Hex[]; data: Hex; logIndex: Hex }
type RpcReceipt = { transactionHash: Hash; status: Hex; contractAddress: Address | null; logs: RpcLog[] }
type RpcTrace = { txHash?: Hash; result: CallFrame }

export type FetchBlockParameters = {
  chain: MonitorChain
  /** A block number, or 'latest'. */
  block: bigint | 'latest'
  /** Fetch call traces; default true. */
  traces?: boolean | undefined
  /**
   * How traces are read. `trace_block` (Parity traces, which anvil, Reth, Erigon and Nethermind
   * keep from execution) is rebuilt into call trees with the receipt logs placed in them;
   * `debug_traceBlockByNumber` (geth's call tracer) re-executes the block, exact but far slower.
   * `auto` (default) tries `trace_block` and falls back for good on a node that lacks it.
   */
  traceMethod?: TraceMethod | undefined
}

export type TraceMethod = 'auto' | 'trace_block' | 'debug_traceBlockByNumber'

/** What `auto` settled on, per client. */
const settledMethod = new WeakMap<object, Exclude<TraceMethod, 'auto'>>()

export type FetchBlockReturnType = { block: MonitorBlock; events: MonitorEvent[] }

/**
 * Reads one block with everything the detectors see: full transactions, receipts (logs, status)
 * and, when asked, the call trace of every transaction — three JSON-RPC calls sent as one batch
 * (a client created with batching on), whatever the number of transactions. Traces come from
 * `trace_block` where the node has it (see `traceMethod`).
 *
 * @throws {MonitorSourceError} the node failed any of the calls (or the block does not exist).
 */
export async function fetchBlock(client: PublicClient, parameters: FetchBlockParameters): Promise<FetchBlockReturnType> {
  const { chain, block, traces = true } = parameters
  const tag = block === 'latest' ? 'latest' : (`0x${block.toString(16)}` as Hex)
  const requested = parameters.traceMethod ?? 'auto'
  let method = requested === 'auto' ? (settledMethod.get(client) ?? 'trace_block') : requested
  let raw: [RpcBlock | null, RpcReceipt[] | null, unknown]
  for (;;) {
    try {
      raw = await Promise.all([
        client.request({ method: 'eth_getBlockByNumber', params: [tag, true] } as never) as Promise<RpcBlock | null>,
        client.request({ method: 'eth_getBlockReceipts', params: [tag] } as never) as Promise<RpcReceipt[] | null>,
        traces ? requestTraces(client, method, tag) : Promise.resolve(null),
      ])
      if (requested === 'auto' && traces) settledMethod.set(client, method)
      break
    } catch (error) {
      if (requested === 'auto' && method === 'trace_block' && !settledMethod.has(client) && isUnsupported(error)) {
        method = 'debug_traceBlockByNumber'
        continue
      }
      throw new MonitorSourceError({ action: `read block ${String(block)}`, cause: error })
    }
  }
  const [rpcBlock, receipts, blockTraces] = raw
  if (!rpcBlock) throw new MonitorSourceError({ action: `read block ${String(block)}`, cause: new Error('the node has no such block') })
  const monitorBlock: MonitorBlock = {
    number: hexToBigInt(rpcBlock.number),
    hash: rpcBlock.hash,
    parentHash: rpcBlock.parentHash,
    timestamp: hexToBigInt(rpcBlock.timestamp),
    transactionCount: rpcBlock.transactions.length,
  }
  // A reorg between the three calls would mix two blocks: the caller re-reads on a hash mismatch.
  const receiptByHash = new Map((receipts ?? []).map((receipt) => [receipt.transactionHash, receipt]))
  const orderedReceipts = rpcBlock.transactions.map((tx) => {
    const receipt = receiptByHash.get(tx.hash)
    if (!receipt) throw new MonitorSourceError({ action: `read the receipt of ${tx.hash}`, cause: new Error('missing from eth_getBlockReceipts') })
    return receipt
  })
  const frames: (CallFrame | undefined)[] =
    blockTraces === null || blockTraces === undefined
      ? []
      : method === 'trace_block'
        ? callFramesOfParityTraces(blockTraces as ParityTrace[], orderedReceipts.map((receipt) => receipt.logs))
        : (blockTraces as RpcTrace[]).map((entry) => entry?.result)
  const events: MonitorEvent[] = [{ kind: 'block', chain, block: monitorBlock }]
  rpcBlock.transactions.forEach((tx, index) => {
    const receipt = orderedReceipts[index]!
    const trace = frames[index]
    events.push({ kind: 'transaction', chain, block: monitorBlock, index, transaction: toMonitorTransaction(tx, receipt, trace) })
  })
  return { block: monitorBlock, events }
}

function requestTraces(client: PublicClient, method: Exclude<TraceMethod, 'auto'>, tag: Hex | 'latest'): Promise<unknown> {
  return method === 'trace_block'
    ? client.request({ method: 'trace_block', params: [tag] } as never)
    : client.request({ method: 'debug_traceBlockByNumber', params: [tag, { tracer: 'callTracer', tracerConfig: { withLog: true } }] } as never)
}

/** The node does not know the method (JSON-RPC -32601, or a node's own wording for it). */
function isUnsupported(error: unknown): boolean {
  for (let cause: unknown = error; cause; cause = (cause as { cause?: unknown }).cause) {
    const { code, message, details } = cause as { code?: number; message?: string; details?: string }
    if (code === -32601 || code === -32004) return true
    const text = `${message ?? ''} ${details ?? ''}`.toLowerCase()
    if (text.includes('method not found') || text.includes('not supported') || text.includes('does not exist') || text.includes('not available')) return true
  }
  return false
}

function toMonitorTransaction(tx: RpcTransaction, receipt: RpcReceipt, trace: CallFrame | undefined): MonitorTransaction {
  return {
    hash: tx.hash,
    from: checksumAddress(tx.from),
    to: tx.to ? checksumAddress(tx.to) : null,
    value: hexToBigInt(tx.value),
    input: tx.input,
    nonce: hexToNumber(tx.nonce),
    status: receipt.status === '0x1' ? 'success' : 'reverted',
    contractAddress: receipt.contractAddress ? checksumAddress(receipt.contractAddress) : null,
    logs: receipt.logs.map((log): MonitorLog => ({ address: checksumAddress(log.address), topics: log.topics, data: log.data, logIndex: hexToNumber(log.logIndex) })),
    trace,
  }
}

/** The logs a call trace emitted (frames that reverted emit none), in execution order. */
export function logsOfTrace(frame: CallFrame | undefined): MonitorLog[] {
  const logs: MonitorLog[] = []
  const walk = (f: CallFrame) => {
    if (f.error) return
    // callTracer gives each log the number of sub-calls made before it (`position`): interleave by it.
    const calls = f.calls ?? []
    const frameLogs = f.logs ?? []
    const at = (log: (typeof frameLogs)[number]) => (log.position === undefined ? 0 : Number(log.position))
    for (let i = 0; i <= calls.length; i++) {
      for (const log of frameLogs) {
        const position = Math.min(at(log), calls.length)
        if (position === i) logs.push({ address: checksumAddress(log.address), topics: log.topics, data: log.data })
      }
      const child = calls[i]
      if (child) walk(child)
    }
  }
  if (frame) walk(frame)
  return logs
}
