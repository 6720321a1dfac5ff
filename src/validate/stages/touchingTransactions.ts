import { toHex, type Address, type Hash } from 'viem'
import type { ReadClient } from '../../chain/clients.js'
import { reasonOf } from '../../chain/deployContract.js'
import { ForkPreparationError } from '../dynamicStageErrors.js'

/** How the calls inside historical transactions were read. */
export type TouchTraceMethod = 'trace_filter' | 'trace_block' | 'debug_traceBlockByNumber'

/** Per block range: the transactions in which some call (any depth, any call type) reached a target. */
export type TouchFinder = {
  /** Hashes (lower case) of the transactions of blocks `low`…`high` whose trace calls a target. */
  find(low: bigint, high: bigint, blocksWithTransactions: readonly bigint[]): Promise<Set<string>>
  /** The method that answered (after fallbacks). */
  readonly method: TouchTraceMethod | undefined
}

type FilterTrace = { type?: string; action?: { to?: Address | null }; transactionHash?: Hash | null }
type CallFrame = { type?: string; to?: Address; calls?: CallFrame[] }

/**
 * Finds the transactions that touch the targets from their traces, the cheapest way the node
 * allows: `trace_filter` with `toAddress` (one call per range: Erigon, Reth, Nethermind, anvil),
 * else `trace_block` per block holding transactions, else geth's `debug_traceBlockByNumber` with
 * the call tracer (which re-executes every block: slow but exact). A method a node lacks is not
 * asked again.
 *
 * @throws {ForkPreparationError} the node answers none of the three.
 */
export function createTouchFinder(client: ReadClient, targets: ReadonlySet<string>): TouchFinder {
  const methods: TouchTraceMethod[] = ['trace_filter', 'trace_block', 'debug_traceBlockByNumber']
  const failures: string[] = []
  const touches = (to: string | null | undefined) => to !== undefined && to !== null && targets.has(to.toLowerCase())
  // Calls only: the creation of a target (geth's call tracer puts the new address in a CREATE frame's `to`) is not a use of it.
  const callsTarget = (trace: FilterTrace) => (trace.type === undefined || trace.type === 'call') && touches(trace.action?.to) && Boolean(trace.transactionHash)

  const byMethod: Record<TouchTraceMethod, (low: bigint, high: bigint, blocks: readonly bigint[]) => Promise<Set<string>>> = {
    trace_filter: async (low, high) => {
      const traces = (await client.request({
        method: 'trace_filter',
        params: [{ fromBlock: toHex(low), toBlock: toHex(high), toAddress: [...targets] }],
      } as never)) as FilterTrace[]
      return new Set(traces.filter(callsTarget).map((trace) => trace.transactionHash!.toLowerCase()))
    },
    trace_block: async (_low, _high, blocks) => {
      const perBlock = await Promise.all(blocks.map((block) => client.request({ method: 'trace_block', params: [toHex(block)] } as never) as Promise<FilterTrace[] | null>))
      return new Set(perBlock.flatMap((traces) => (traces ?? []).filter(callsTarget).map((trace) => trace.transactionHash!.toLowerCase())))
    },
    debug_traceBlockByNumber: async (_low, _high, blocks) => {
      const hashes = new Set<string>()
      for (const block of blocks) {
        const results = (await client.request({ method: 'debug_traceBlockByNumber', params: [toHex(block), { tracer: 'callTracer' }] } as never)) as { txHash?: Hash; result?: CallFrame }[]
        for (const entry of results) {
          const reaches = (frame: CallFrame | undefined): boolean => frame !== undefined && ((!/^CREATE2?$/i.test(frame.type ?? '') && touches(frame.to)) || (frame.calls ?? []).some(reaches))
          if (entry.txHash && reaches(entry.result)) hashes.add(entry.txHash.toLowerCase())
        }
      }
      return hashes
    },
  }

  const finder: TouchFinder = {
    method: undefined,
    async find(low, high, blocks) {
      while (methods.length > 0) {
        const method = methods[0]!
        try {
          const found = await byMethod[method](low, high, blocks)
          ;(finder as { method: TouchTraceMethod | undefined }).method = method
          return found
        } catch (error) {
          // Once a method answered, its failure is a real error, not a missing method.
          if (finder.method === method) throw traceError(`${method} failed: ${reasonOf(error).split('\n')[0]}`, error)
          failures.push(`${method}: ${reasonOf(error).split('\n')[0]}`)
          methods.shift()
        }
      }
      throw traceError(`the RPC endpoint answers none of trace_filter, trace_block, debug_traceBlockByNumber (${failures.join('; ')}); use a node with traces, or set differentialReplay.scope to "direct" to replay only transactions sent to the targets`)
    },
  }
  return finder
}

function traceError(reason: string, cause?: unknown) {
  return new ForkPreparationError({ step: 'find the transactions that touch the targets', reason, ...(cause === undefined ? {} : { cause }) })
}
