import { hexToBigInt, hexToNumber, type Address, type Hash, type Hex, type PublicClient } from 'viem'
import { checksumAddress } from '../checksumAddress.js'
import { MonitorSourceError } from '../errors.js'
import type { CallFrame, MonitorChain, MonitorEvent } from '../types.js'
import { logsOfTrace } from './fetchBlock.js'

type PoolTransaction = { hash: Hash; from: Address; to: Address | null; value: Hex; input: Hex; nonce: Hex; gas: Hex }

export type TracePendingParameters = {
  chain: MonitorChain
  /** Hashes already simulated (updated in place): each pending transaction is traced once. */
  seen: Set<string>
}

/**
 * Reads the node's mempool (`txpool_content`) and simulates every transaction not seen before
 * against the latest state (`debug_traceCall` with the call tracer and logs), so the same
 * detectors can judge it before it is mined.
 *
 * @throws {MonitorSourceError} the node has no txpool or tracing API, or failed a call.
 */
export async function tracePending(client: PublicClient, { chain, seen }: TracePendingParameters): Promise<MonitorEvent[]> {
  let content: { pending: Record<string, Record<string, PoolTransaction>> }
  let latest: { number: Hex; hash: Hash }
  try {
    ;[content, latest] = await Promise.all([
      client.request({ method: 'txpool_content', params: [] } as never) as Promise<typeof content>,
      client.request({ method: 'eth_getBlockByNumber', params: ['latest', false] } as never) as Promise<typeof latest>,
    ])
  } catch (error) {
    throw new MonitorSourceError({ action: 'read the pending transactions (txpool_content)', cause: error })
  }
  const fresh = Object.values(content.pending ?? {})
    .flatMap((byNonce) => Object.values(byNonce))
    .filter((tx) => !seen.has(tx.hash))
  let traces: CallFrame[]
  try {
    traces = await Promise.all(
      fresh.map(
        (tx) =>
          client.request({
            method: 'debug_traceCall',
            params: [{ from: tx.from, to: tx.to ?? undefined, data: tx.input, value: tx.value, gas: tx.gas }, latest.hash, { tracer: 'callTracer', tracerConfig: { withLog: true } }],
          } as never) as Promise<CallFrame>,
      ),
    )
  } catch (error) {
    throw new MonitorSourceError({ action: 'simulate pending transactions (debug_traceCall)', cause: error })
  }
  return fresh.map((tx, i): MonitorEvent => {
    seen.add(tx.hash)
    const trace = traces[i]!
    return {
      kind: 'pending',
      chain,
      simulatedOn: { number: hexToBigInt(latest.number), hash: latest.hash },
      transaction: {
        hash: tx.hash,
        from: checksumAddress(tx.from),
        to: tx.to ? checksumAddress(tx.to) : null,
        value: hexToBigInt(tx.value),
        input: tx.input,
        nonce: hexToNumber(tx.nonce),
        status: trace.error ? 'reverted' : 'success',
        contractAddress: null,
        logs: logsOfTrace(trace),
        trace,
      },
    }
  })
}
