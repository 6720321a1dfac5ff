import type { Address, Hex } from 'viem'
import type { Store } from '../store/openStore.js'
import { SignatureDuplicateError } from './errors.js'
import { loadBoundProposal } from './loadBoundProposal.js'
import type { ChainReader } from './readSafeState.js'
import { insertConfirmation, listConfirmationRecords, type ConfirmationRecord, type ReportHashSource } from './safeTransactionRecords.js'
import { verifySafeSignature } from './verifySafeSignature.js'

/** Shaped like the Safe Transaction Service's POST /multisig-transactions/{safeTxHash}/confirmations/ body. */
export type ConfirmSafeTransactionParameters = {
  safeTxHash: Hex
  signature: Hex
  currentReportHash: ReportHashSource
  /** Who submitted the signature (actor id); the owner is whoever the signature recovers to. */
  submittedBy: string
}

export type ConfirmSafeTransactionReturnType = { owner: Address; kind: ConfirmationRecord['kind']; confirmations: number; threshold: number }

/**
 * Adds one owner's confirmation after checking, live: the proposal's binding (chain, report hash,
 * nonce — see loadBoundProposal), that the signature recovers to a current owner over exactly this
 * safeTxHash, and that this owner has not confirmed before.
 *
 * @throws BW_SAFE_TX_NOT_FOUND, BW_SAFE_TX_INVALID, BW_REPORT_HASH_MISMATCH, BW_SAFE_NONCE_STALE, BW_SIGNATURE_INVALID, BW_SIGNATURE_DUPLICATE
 */
export async function confirmSafeTransaction(
  client: ChainReader,
  store: Pick<Store, 'query' | 'transaction'>,
  { safeTxHash, signature, currentReportHash, submittedBy }: ConfirmSafeTransactionParameters,
): Promise<ConfirmSafeTransactionReturnType> {
  const { record, hashes, state } = await loadBoundProposal(client, store, { safeTxHash, currentReportHash })
  const verified = await verifySafeSignature(client, { safe: record.safe, safeTxHash: hashes.safeTxHash, signature, state })
  return store.transaction(async (tx) => {
    await tx.query('SELECT safe_tx_hash FROM safe_transactions WHERE safe_tx_hash = $1 FOR UPDATE', [record.safeTxHash])
    const existing = await listConfirmationRecords(tx, record.safeTxHash)
    if (existing.some((confirmation) => confirmation.owner === verified.owner)) throw new SignatureDuplicateError({ safeTxHash: record.safeTxHash, owner: verified.owner })
    const inserted = await insertConfirmation(tx, { safeTxHash: record.safeTxHash, owner: verified.owner, signature: verified.signature, kind: verified.kind, reportHash: record.reportHash, submittedBy })
    if (!inserted) throw new SignatureDuplicateError({ safeTxHash: record.safeTxHash, owner: verified.owner })
    return { owner: verified.owner, kind: verified.kind, confirmations: existing.length + 1, threshold: state.threshold }
  })
}
