import { getAddress, type Address, type PublicClient } from 'viem'
import { safeAbi } from '../chain/safeAbi.js'
import { SafeTransactionInvalidError } from './errors.js'

/** Safe 1.4.1's published ABI (npm artifact): the reads signature checks rely on are always made live, never cached. */
export const safeReadAbi = safeAbi

export type SafeState = { owners: Address[]; threshold: number; nonce: bigint; version: string }

/** Any viem client with public actions (read client, dev client, test client). */
export type ChainReader = Pick<PublicClient, 'readContract' | 'getChainId' | 'getCode'>

/**
 * Owners, threshold and nonce of a Safe, read live.
 * @throws {SafeTransactionInvalidError} (BW_SAFE_TX_INVALID) the address does not answer as a Safe.
 */
export async function readSafeState(client: ChainReader, { safe }: { safe: Address }): Promise<SafeState> {
  try {
    const [owners, threshold, nonce, version] = await Promise.all([
      client.readContract({ address: safe, abi: safeReadAbi, functionName: 'getOwners' }),
      client.readContract({ address: safe, abi: safeReadAbi, functionName: 'getThreshold' }),
      client.readContract({ address: safe, abi: safeReadAbi, functionName: 'nonce' }),
      client.readContract({ address: safe, abi: safeReadAbi, functionName: 'VERSION' }),
    ])
    return { owners: owners.map((owner) => getAddress(owner)), threshold: Number(threshold), nonce, version }
  } catch (error) {
    throw new SafeTransactionInvalidError({ message: `${safe} does not answer as a Safe (getOwners, getThreshold, nonce, VERSION).`, cause: error })
  }
}
