import type { Address, Hash, Hex, LocalAccount, PublicClient } from 'viem'
import { MonitorSourceError } from '../errors.js'

/** One transaction to sign locally; gas is given (no estimation round trip per transaction). */
export type BulkCall = { from: LocalAccount; to: Address | null; data?: Hex | undefined; value?: bigint | undefined; gas: bigint }

export type SendBulkParameters = {
  chainId: number
  calls: readonly BulkCall[]
  /** Transactions per mined block (`anvil_mine` after each slice); the node must have automine off. */
  perBlock: number
  /** `eth_sendRawTransaction` requests per JSON-RPC batch (default 250). */
  batchSize?: number | undefined
  /** Next nonce per sender (lowercase address), updated in place; read from the node when missing. */
  nonces?: Map<string, number> | undefined
}

/**
 * Fills a local devnet (anvil with automine off) quickly: every call is signed locally, sent with
 * `eth_sendRawTransaction` in JSON-RPC batches, and `anvil_mine` seals `perBlock` of them per block.
 * Devnet tooling for tests and benchmarks: a chain of tens of thousands of transactions in seconds.
 * Returns the transaction hashes in order. Fails if any transaction was refused or not mined.
 *
 * @throws {MonitorSourceError} the node refused a transaction, or left one unmined.
 */
export async function sendBulk(client: PublicClient, { chainId, calls, perBlock, batchSize = 250, nonces = new Map() }: SendBulkParameters): Promise<Hash[]> {
  const hashes: Hash[] = []
  for (let start = 0; start < calls.length; start += perBlock) {
    const slice = calls.slice(start, start + perBlock)
    const raws: Hex[] = []
    for (const call of slice) {
      const key = call.from.address.toLowerCase()
      let nonce = nonces.get(key)
      if (nonce === undefined) nonce = await client.getTransactionCount({ address: call.from.address, blockTag: 'pending' })
      nonces.set(key, nonce + 1)
      raws.push(
        await call.from.signTransaction!({
          chainId,
          type: 'eip1559',
          to: call.to,
          data: call.data ?? '0x',
          value: call.value ?? 0n,
          nonce,
          gas: call.gas,
          maxFeePerGas: 100_000_000_000n,
          maxPriorityFeePerGas: 1n,
        }),
      )
    }
    for (let i = 0; i < raws.length; i += batchSize) {
      try {
        const sent = await Promise.all(raws.slice(i, i + batchSize).map((raw) => client.request({ method: 'eth_sendRawTransaction', params: [raw] })))
        hashes.push(...sent)
      } catch (error) {
        throw new MonitorSourceError({ action: 'send a bulk transaction', cause: error })
      }
    }
    try {
      await client.request({ method: 'anvil_mine', params: ['0x1', '0x1'] } as never)
    } catch (error) {
      throw new MonitorSourceError({ action: 'mine a block (anvil_mine)', cause: error })
    }
  }
  const pool = (await client.request({ method: 'txpool_status', params: [] } as never)) as { pending: Hex; queued: Hex }
  if (Number(pool.pending) + Number(pool.queued) > 0) {
    throw new MonitorSourceError({ action: 'mine every bulk transaction', cause: new Error(`${Number(pool.pending) + Number(pool.queued)} left in the pool (block gas limit?)`) })
  }
  return hashes
}
