import { keccak256, type Hash, type Hex, type LocalAccount, type PublicClient } from 'viem'
import { describeRevertData, revertDataOf, shortMessageOf } from './decodeRevertReason.js'
import { ResponseFailedError } from './errors.js'
import { priceAhead, type PendingFees } from './priceAhead.js'
import type { ResponseCall } from './responseCalls.js'

export type SendResponseCallsParameters = {
  client: PublicClient
  account: LocalAccount
  chainId: number
  calls: readonly ResponseCall[]
  /** The pending attack's fees: the response is priced to be ordered before it in the same block. */
  attack?: PendingFees | undefined
  /** Name of the response, for errors. */
  response: string
  /**
   * Runs after signing and before the first broadcast, with the signed transactions and their
   * hashes: the caller records them, so a crash between here and the broadcast can be finished
   * after a restart by re-sending exactly these transactions (same nonces: never twice).
   */
  beforeBroadcast?: ((signed: { hashes: Hash[]; raw: Hex[] }) => Promise<void>) | undefined
  /**
   * A retry of transactions still pending at these nonces and fees: they are replaced (same
   * nonces, fees raised by more than the 10% nodes require) instead of queued behind them.
   */
  replace?: { nonce: number; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | undefined
}

export type SendResponseCallsReturnType = { hashes: Hash[]; nonce: number; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint; broadcastAt: Date }

/**
 * Signs the calls locally and broadcasts them as raw transactions with consecutive nonces. The
 * nonce, the base fee and each call's gas estimate are read in one round of parallel requests: the
 * time from decision to broadcast is what decides whether the pause lands before the attack.
 */
export async function sendResponseCalls({ client, account, chainId, calls, attack, response, beforeBroadcast, replace }: SendResponseCallsParameters): Promise<SendResponseCallsReturnType> {
  if (calls.length === 0) return { hashes: [], nonce: 0, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, broadcastAt: new Date() }
  let nonce: number
  let baseFeePerGas: bigint
  let gases: bigint[]
  try {
    const [pendingNonce, block, estimates] = await Promise.all([
      client.getTransactionCount({ address: account.address, blockTag: 'pending' }),
      client.getBlock({ blockTag: 'latest' }),
      Promise.all(calls.map((call) => client.estimateGas({ account: account.address, to: call.to, data: call.data, value: call.value ?? 0n }))),
    ])
    nonce = replace?.nonce ?? pendingNonce
    baseFeePerGas = block.baseFeePerGas ?? 0n
    gases = estimates
  } catch (error) {
    const data = revertDataOf(error)
    const reason = data && data !== '0x' ? `it would revert: ${describeRevertData(data, calls.flatMap((call) => call.errors ?? call.inner?.errors ?? []))}` : shortReason(error)
    throw new ResponseFailedError({ response, reason: `the transaction would revert or could not be prepared (${reason}).`, cause: error })
  }
  const fees = bumped(priceAhead({ baseFeePerGas, attack }), replace)
  const signed = await Promise.all(
    calls.map((call, index) =>
      account.signTransaction({
        type: 'eip1559',
        chainId,
        nonce: nonce + index,
        to: call.to,
        data: call.data,
        value: call.value ?? 0n,
        // a margin over the estimate: state may move between the estimate and inclusion
        gas: ((gases[index] ?? 100_000n) * 13n) / 10n + 10_000n,
        ...fees,
      }),
    ),
  )
  await beforeBroadcast?.({ hashes: signed.map((serialized) => keccak256(serialized)), raw: signed })
  try {
    const hashes = await broadcastSigned(client, signed)
    return { hashes, nonce, ...fees, broadcastAt: new Date() }
  } catch (error) {
    throw new ResponseFailedError({ response, reason: `the node refused the transaction (${shortReason(error)}).`, cause: error })
  }
}

/** Fees that may replace a pending transaction: each at least 1/8 above the old (nodes require 1/10), never below the fresh price. */
function bumped(fresh: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }, replace: SendResponseCallsParameters['replace']): { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } {
  if (!replace) return fresh
  const raise = (old: bigint) => old + old / 8n + 1n
  const maxPriorityFeePerGas = fresh.maxPriorityFeePerGas > raise(replace.maxPriorityFeePerGas) ? fresh.maxPriorityFeePerGas : raise(replace.maxPriorityFeePerGas)
  const floor = raise(replace.maxFeePerGas)
  const maxFeePerGas = fresh.maxFeePerGas > floor ? fresh.maxFeePerGas : floor
  return { maxFeePerGas: maxFeePerGas > maxPriorityFeePerGas ? maxFeePerGas : maxPriorityFeePerGas, maxPriorityFeePerGas }
}

/** Sends signed transactions in nonce order; returns their hashes. */
export async function broadcastSigned(client: PublicClient, signed: readonly Hex[]): Promise<Hash[]> {
  const hashes: Hash[] = []
  for (const serialized of signed) {
    try {
      hashes.push(await client.request({ method: 'eth_sendRawTransaction', params: [serialized] }))
    } catch (error) {
      // a copy sent before (a retry after an answer that got lost) is the same transaction
      if (!/already known|known transaction|already imported/i.test(error instanceof Error ? error.message : String(error))) throw error
      hashes.push(keccak256(serialized))
    }
  }
  return hashes
}

function shortReason(error: unknown): string {
  return shortMessageOf(error)
}
