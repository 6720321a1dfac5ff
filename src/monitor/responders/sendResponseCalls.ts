import { keccak256, type Hash, type Hex, type LocalAccount, type PublicClient } from 'viem'
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
}

export type SendResponseCallsReturnType = { hashes: Hash[]; maxPriorityFeePerGas: bigint; broadcastAt: Date }

/**
 * Signs the calls locally and broadcasts them as raw transactions with consecutive nonces. The
 * nonce, the base fee and each call's gas estimate are read in one round of parallel requests: the
 * time from decision to broadcast is what decides whether the pause lands before the attack.
 */
export async function sendResponseCalls({ client, account, chainId, calls, attack, response, beforeBroadcast }: SendResponseCallsParameters): Promise<SendResponseCallsReturnType> {
  if (calls.length === 0) return { hashes: [], maxPriorityFeePerGas: 0n, broadcastAt: new Date() }
  let nonce: number
  let baseFeePerGas: bigint
  let gases: bigint[]
  try {
    const [pendingNonce, block, estimates] = await Promise.all([
      client.getTransactionCount({ address: account.address, blockTag: 'pending' }),
      client.getBlock({ blockTag: 'latest' }),
      Promise.all(calls.map((call) => client.estimateGas({ account: account.address, to: call.to, data: call.data }))),
    ])
    nonce = pendingNonce
    baseFeePerGas = block.baseFeePerGas ?? 0n
    gases = estimates
  } catch (error) {
    throw new ResponseFailedError({ response, reason: `the transaction would revert or could not be prepared (${shortReason(error)}).`, cause: error })
  }
  const fees = priceAhead({ baseFeePerGas, attack })
  const signed = await Promise.all(
    calls.map((call, index) =>
      account.signTransaction({
        type: 'eip1559',
        chainId,
        nonce: nonce + index,
        to: call.to,
        data: call.data,
        // a margin over the estimate: state may move between the estimate and inclusion
        gas: ((gases[index] ?? 100_000n) * 13n) / 10n + 10_000n,
        ...fees,
      }),
    ),
  )
  await beforeBroadcast?.({ hashes: signed.map((serialized) => keccak256(serialized)), raw: signed })
  try {
    const hashes = await broadcastSigned(client, signed)
    return { hashes, maxPriorityFeePerGas: fees.maxPriorityFeePerGas, broadcastAt: new Date() }
  } catch (error) {
    throw new ResponseFailedError({ response, reason: `the node refused the transaction (${shortReason(error)}).`, cause: error })
  }
}

/** Sends signed transactions in nonce order; returns their hashes. */
export async function broadcastSigned(client: PublicClient, signed: readonly Hex[]): Promise<Hash[]> {
  const hashes: Hash[] = []
  for (const serialized of signed) hashes.push(await client.request({ method: 'eth_sendRawTransaction', params: [serialized] }))
  return hashes
}

function shortReason(error: unknown): string {
  const text = error instanceof Error ? ((error as { shortMessage?: string }).shortMessage ?? error.message) : String(error)
  return text.split('\n')[0]!.slice(0, 200)
}
