import type { Hex } from 'viem'
import type { Store } from '../store/openStore.js'
import { ReportHashMismatchError, SafeNonceStaleError, SafeTransactionInvalidError, SafeTransactionNotFoundError } from './errors.js'
import { hashSafeTransaction, type SafeTransactionHashes } from './hashSafeTransaction.js'
import { readSafeState, type ChainReader, type SafeState } from './readSafeState.js'
import { loadSafeTransaction, type ReportHashSource, type SafeTransactionRecord } from './safeTransactionRecords.js'

export type BoundProposal = { record: SafeTransactionRecord; hashes: SafeTransactionHashes; state: SafeState; currentReportHash: Hex | null }

/**
 * Loads a proposal and checks everything its signatures are bound to, live: the RPC serves its chain,
 * the stored transaction still hashes to its safeTxHash (an edited row cannot borrow signatures),
 * its patch's current report hash is the one it was proposed under, and its nonce is not used up.
 */
export async function loadBoundProposal(
  client: ChainReader,
  store: Pick<Store, 'query'>,
  { safeTxHash, currentReportHash }: { safeTxHash: Hex; currentReportHash: ReportHashSource },
): Promise<BoundProposal> {
  const record = await loadSafeTransaction(store, safeTxHash)
  if (!record) throw new SafeTransactionNotFoundError({ safeTxHash })
  const chainId = await client.getChainId()
  if (chainId !== record.chainId) throw new SafeTransactionInvalidError({ message: `Safe transaction ${safeTxHash} is for chain ${record.chainId}, but the RPC endpoint serves chain ${chainId}.` })
  const hashes = hashSafeTransaction({ chainId: record.chainId, safe: record.safe, transaction: record.transaction })
  if (hashes.safeTxHash !== record.safeTxHash.toLowerCase()) {
    throw new SafeTransactionInvalidError({ message: `The stored transaction no longer hashes to ${safeTxHash} (it hashes to ${hashes.safeTxHash}): its fields were changed after proposal.` })
  }
  const current = await currentReportHash(record.patchId)
  if (current === null || current.toLowerCase() !== record.reportHash.toLowerCase()) {
    throw new ReportHashMismatchError({ patchId: record.patchId, bound: record.reportHash, current, where: 'patch' })
  }
  const state = await readSafeState(client, { safe: record.safe })
  if (record.transaction.nonce < state.nonce) throw new SafeNonceStaleError({ safe: record.safe, nonce: record.transaction.nonce, currentNonce: state.nonce })
  return { record, hashes, state, currentReportHash: current }
}
