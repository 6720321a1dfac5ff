import { hexToBigInt, hexToNumber, type Address, type Hash, type Hex, type PublicClient } from 'viem'
import { checksumAddress } from '../checksumAddress.js'
import { MonitorSourceError } from '../errors.js'
import type { CallFrame, MonitorBlock, MonitorChain, MonitorEvent, MonitorLog, MonitorTransaction } from '../types.js'
import { callFramesOfParityTraces, type ParityTrace } from './parityTraces.js'

type RpcTransaction = { hash: Hash; from: Address; to: Address | null; value: Hex; input: Hex; nonce: Hex }
/** A block with its transactions in full, or (header only) their hashes. */
type RpcBlock = { number: Hex; hash: Hash; parentHash: Hash; timestamp: Hex; transactions: RpcTransaction[] | Hash[] }
type RpcLog = { address: Address; topics: Hex[]; data: Hex; logIndex: Hex }
type RpcBlockLog = RpcLog & { blockHash: Hash; transactionIndex: Hex; transactionHash: Hash }
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
   * keep from execution) is rebuilt into call trees with the block's logs placed in them;
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
 * Reads one block with everything the detectors see — each transaction, its status, its logs and,
 * when asked, its call trace — in three JSON-RPC calls sent as one batch (a client created with
 * batching on), whatever the number of transactions. Traces come from `trace_block` where the node
 * has it (see `traceMethod`).
 *
 * With `trace_block` the three calls are the block's header, its logs (`eth_getLogs`) and its
 * traces: each transaction's sender, recipient, input, value, status (the root call reverted or
 * not) and created contract are read from the root of its trace, so neither the transaction bodies
 * nor the receipts are read again (on anvil, a 250-transaction block costs ~60 ms with bodies and
 * ~30 ms of receipts, against ~3 ms for the header and ~6 ms for its logs). The nonce, which only
 * the contract-creation checks read, is fetched for the transactions that create a contract; a
 * transaction the node gave no trace for is read whole (body and receipt). Otherwise (traces off,
 * or the call tracer) the block comes with its transaction bodies and receipts.
 *
 * @throws {MonitorSourceError} the node failed any of the calls (or the block does not exist).
 */
export async function fetchBlock(client: PublicClient, parameters: FetchBlockParameters): Promise<FetchBlockReturnType> {
  const { chain, block, traces = true } = parameters
  const tag = block === 'latest' ? 'latest' : (`0x${block.toString(16)}` as Hex)
  const requested = parameters.traceMethod ?? 'auto'
  let method = requested === 'auto' ? (settledMethod.get(client) ?? 'trace_block') : requested
  for (let attempt = 1; ; attempt++) {
    try {
      const read = traces && method === 'trace_block' ? await readFromTraces(client, chain, block, tag) : await readWithReceipts(client, chain, block, tag, traces ? method : undefined)
      if (requested === 'auto' && traces) settledMethod.set(client, method)
      if (read !== 'changed') return read
      // 'latest' moved on between the calls of the batch: read it again
      if (attempt >= 3) throw new Error('the block changed while it was read')
    } catch (error) {
      if (error instanceof MonitorSourceError) throw error
      if (requested === 'auto' && method === 'trace_block' && !settledMethod.has(client) && isUnsupported(error)) {
        method = 'debug_traceBlockByNumber'
        continue
      }
      throw new MonitorSourceError({ action: `read block ${String(block)}`, cause: error })
    }
  }
}

/** Header, logs and Parity traces: every transaction rebuilt from the root of its trace. */
async function readFromTraces(client: PublicClient, chain: MonitorChain, block: bigint | 'latest', tag: Hex | 'latest'): Promise<FetchBlockReturnType | 'changed'> {
  const [rpcBlock, logs, blockTraces] = await Promise.all([
    client.request({ method: 'eth_getBlockByNumber', params: [tag, false] } as never) as Promise<RpcBlock | null>,
    client.request({ method: 'eth_getLogs', params: [{ fromBlock: tag, toBlock: tag }] } as never) as Promise<RpcBlockLog[]>,
    requestTraces(client, 'trace_block', tag) as Promise<ParityTrace[] | null>,
  ])
  if (!rpcBlock) throw new MonitorSourceError({ action: `read block ${String(block)}`, cause: new Error('the node has no such block') })
  const hashes = rpcBlock.transactions as Hash[]
  // The three answers must describe the same block (a reorg, or a new 'latest', between them would mix two).
  const sameBlock = (hash: Hash | null | undefined) => hash === undefined || hash === null || hash === rpcBlock.hash
  if (!logs.every((log) => sameBlock(log.blockHash)) || !(blockTraces ?? []).every((trace) => sameBlock(trace.blockHash))) {
    if (block === 'latest') return 'changed'
    throw new MonitorSourceError({ action: `read block ${String(block)}`, cause: new Error('the node answered for two different blocks (a reorg while reading)') })
  }
  const logsByPosition: RpcLog[][] = hashes.map(() => [])
  for (const log of logs) logsByPosition[hexToNumber(log.transactionIndex)]?.push(log)
  for (const list of logsByPosition) if (!isSorted(list)) list.sort((a, b) => hexToNumber(a.logIndex) - hexToNumber(b.logIndex))
  const frames = callFramesOfParityTraces(blockTraces ?? [], logsByPosition)
  const roots = new Map<number, ParityTrace>()
  const creators = new Set<number>()
  for (const trace of blockTraces ?? []) {
    if (typeof trace.transactionPosition !== 'number') continue
    if (trace.traceAddress.length === 0) roots.set(trace.transactionPosition, trace)
    if (trace.type === 'create') creators.add(trace.transactionPosition)
  }
  const missing = new Set(hashes.flatMap((_, index) => (roots.has(index) && frames[index] ? [] : [index])))
  const [nonces, whole] = await Promise.all([
    Promise.all([...creators].filter((index) => !missing.has(index)).map(async (index) => [index, hexToNumber((await transactionBody(client, hashes[index]!)).nonce)] as const)),
    Promise.all([...missing].map(async (index) => [index, await Promise.all([transactionBody(client, hashes[index]!), transactionReceipt(client, hashes[index]!)])] as const)),
  ])
  const nonceAt = new Map(nonces)
  const wholeAt = new Map(whole)
  const monitorBlock = toMonitorBlock(rpcBlock)
  const events: MonitorEvent[] = [{ kind: 'block', chain, block: monitorBlock }]
  hashes.forEach((hash, index) => {
    const known = wholeAt.get(index)
    const transaction = known
      ? toMonitorTransaction(known[0], known[1], frames[index])
      : fromTrace(hash, roots.get(index)!, frames[index]!, logsByPosition[index]!, nonceAt.get(index))
    events.push({ kind: 'transaction', chain, block: monitorBlock, index, transaction })
  })
  return { block: monitorBlock, events }
}

/** The block with its transaction bodies and receipts, and the call tracer's traces when asked. */
async function readWithReceipts(
  client: PublicClient,
  chain: MonitorChain,
  block: bigint | 'latest',
  tag: Hex | 'latest',
  method: Exclude<TraceMethod, 'auto'> | undefined,
): Promise<FetchBlockReturnType | 'changed'> {
  const [rpcBlock, receipts, blockTraces] = await Promise.all([
    client.request({ method: 'eth_getBlockByNumber', params: [tag, true] } as never) as Promise<RpcBlock | null>,
    client.request({ method: 'eth_getBlockReceipts', params: [tag] } as never) as Promise<RpcReceipt[] | null>,
    method ? requestTraces(client, method, tag) : Promise.resolve(null),
  ])
  if (!rpcBlock) throw new MonitorSourceError({ action: `read block ${String(block)}`, cause: new Error('the node has no such block') })
  const transactions = rpcBlock.transactions as RpcTransaction[]
  // A reorg between the three calls would mix two blocks: the caller re-reads on a hash mismatch.
  const receiptByHash = new Map((receipts ?? []).map((receipt) => [receipt.transactionHash, receipt]))
  const orderedReceipts = transactions.map((tx) => {
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
  const monitorBlock = toMonitorBlock(rpcBlock)
  const events: MonitorEvent[] = [{ kind: 'block', chain, block: monitorBlock }]
  transactions.forEach((tx, index) => {
    events.push({ kind: 'transaction', chain, block: monitorBlock, index, transaction: toMonitorTransaction(tx, orderedReceipts[index]!, frames[index]) })
  })
  return { block: monitorBlock, events }
}

function toMonitorBlock(rpcBlock: RpcBlock): MonitorBlock {
  return {
    number: hexToBigInt(rpcBlock.number),
    hash: rpcBlock.hash,
    parentHash: rpcBlock.parentHash,
    timestamp: hexToBigInt(rpcBlock.timestamp),
    transactionCount: rpcBlock.transactions.length,
  }
}

async function transactionBody(client: PublicClient, hash: Hash): Promise<RpcTransaction> {
  const body = (await client.request({ method: 'eth_getTransactionByHash', params: [hash] } as never)) as RpcTransaction | null
  if (!body) throw new MonitorSourceError({ action: `read transaction ${hash}`, cause: new Error('the node has no such transaction') })
  return body
}

async function transactionReceipt(client: PublicClient, hash: Hash): Promise<RpcReceipt> {
  const receipt = (await client.request({ method: 'eth_getTransactionReceipt', params: [hash] } as never)) as RpcReceipt | null
  if (!receipt) throw new MonitorSourceError({ action: `read the receipt of ${hash}`, cause: new Error('the node has no receipt for it') })
  return receipt
}

/**
 * A transaction rebuilt from the root of its Parity trace: sender, recipient (none for a creation),
 * input (the init code for a creation), value, status (the root call reverted or not: what a
 * receipt's status records) and the contract a creation made.
 */
function fromTrace(hash: Hash, root: ParityTrace, frame: CallFrame, logs: readonly RpcLog[], nonce: number | undefined): MonitorTransaction {
  const creation = root.type === 'create'
  return {
    hash,
    from: frame.from,
    to: creation ? null : (frame.to ?? null),
    value: frame.value ? hexToBigInt(frame.value) : 0n,
    input: frame.input,
    nonce,
    status: typeof root.error === 'string' ? 'reverted' : 'success',
    contractAddress: creation && root.result?.address ? checksumAddress(root.result.address) : null,
    logs: logs.map(toMonitorLog),
    trace: frame,
  }
}

function isSorted(logs: readonly RpcLog[]): boolean {
  for (let index = 1; index < logs.length; index++) if (hexToNumber(logs[index - 1]!.logIndex) > hexToNumber(logs[index]!.logIndex)) return false
  return true
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
    logs: receipt.logs.map(toMonitorLog),
    trace,
  }
}

function toMonitorLog(log: RpcLog): MonitorLog {
  return { address: checksumAddress(log.address), topics: log.topics, data: log.data, logIndex: hexToNumber(log.logIndex) }
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
