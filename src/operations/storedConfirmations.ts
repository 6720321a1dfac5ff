import { size, sliceHex, type Address, type Hex } from 'viem'
import { packedSignatures } from '../authorize/getConfirmations.js'
import type { ChainReader } from '../authorize/readSafeState.js'
import type { LifecycleContext } from '../lifecycle/context.js'
import { releaseReportHash } from './releaseReportHash.js'

/**
 * The owners' stored confirmations of a planned Safe transaction (`bulwark sign confirm`), re-verified
 * live against the Safe's owners, threshold and nonce and the release's current report hash, one
 * 65-byte signature per owner, as `executeReleaseStep` takes them.
 * @throws {ThresholdNotMetError} BW_THRESHOLD_NOT_MET: fewer valid confirmations than the threshold.
 */
export async function storedConfirmations(client: ChainReader, context: Pick<LifecycleContext, 'store'>, { safeTxHash }: { safeTxHash: Hex }): Promise<{ signer: Address; signature: Hex }[]> {
  const packed = await packedSignatures(client, context.store, { safeTxHash, currentReportHash: releaseReportHash(context) })
  if (size(packed.signatures) !== packed.owners.length * 65) throw new Error('packed signatures are not 65 bytes per owner')
  return packed.owners.map((signer, index) => ({ signer, signature: sliceHex(packed.signatures, index * 65, index * 65 + 65) }))
}
