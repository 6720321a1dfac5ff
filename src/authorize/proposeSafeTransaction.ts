import { getAddress, isAddressEqual, isHex, size, zeroAddress, type Address, type Hex } from 'viem'
import type { SafeOperation, SafeTransaction } from '../chain/execSafeTransaction.js'
import type { Store } from '../store/openStore.js'
import { decodeSafeCalldata } from './decodeSafeCalldata.js'
import { ReportHashMismatchError, SafeNonceStaleError, SafeTransactionInvalidError, SignatureDuplicateError, SignatureInvalidError } from './errors.js'
import { hashSafeTransaction, type SafeTransactionHashes } from './hashSafeTransaction.js'
import { canonicalMultiSend } from './knownMultiSend.js'
import { readSafeState, type ChainReader } from './readSafeState.js'
import { insertConfirmation, insertSafeTransaction, loadSafeTransaction, type ReportHashSource, type SafeTransactionRecord, type ValidationSummary } from './safeTransactionRecords.js'
import { verifySafeSignature } from './verifySafeSignature.js'

/** Shaped like the Safe Transaction Service's POST /safes/{safe}/multisig-transactions/ body, plus the patch binding. */
export type ProposeSafeTransactionParameters = {
  chainId: number
  safe: Address
  to: Address
  value?: bigint | undefined
  data?: Hex | undefined
  operation?: SafeOperation | undefined
  safeTxGas?: bigint | undefined
  baseGas?: bigint | undefined
  gasPrice?: bigint | undefined
  gasToken?: Address | undefined
  refundReceiver?: Address | undefined
  /** Default: the Safe's current nonce. */
  nonce?: bigint | undefined
  /** The Service's `contractTransactionHash`: when given it must equal the hash Bulwark computes. */
  safeTxHash?: Hex | undefined
  /** The lifecycle patch this transaction releases, and the validation report hash it is proposed under. */
  patchId: string
  reportHash: Hex
  validation: ValidationSummary
  /** The patch's current report hash (from the lifecycle): a proposal under an older one is refused. */
  currentReportHash: ReportHashSource
  /** Who proposes (actor id). */
  proposer: string
  /** Optional first confirmation: the proposing owner's address and signature (the Service's `sender` + `signature`). */
  sender?: Address | undefined
  signature?: Hex | undefined
  /** MultiSend deployments the Safe may DELEGATECALL, besides the canonical 1.4.1 ones. */
  multiSend?: readonly Address[] | undefined
}

export type ProposeSafeTransactionReturnType = { record: SafeTransactionRecord; hashes: SafeTransactionHashes; created: boolean; confirmedBy: Address | null }

/**
 * Records a Safe transaction for signing, bound to `{ chainId, safe, nonce, safeTxHash, reportHash, patchId }`.
 *
 * @throws {SafeTransactionInvalidError} BW_SAFE_TX_INVALID: other chain, not a Safe, malformed field, hash mismatch, or already proposed under another binding.
 * @throws {SafeNonceStaleError} BW_SAFE_NONCE_STALE: the nonce is below the Safe's.
 * @throws {ReportHashMismatchError} BW_REPORT_HASH_MISMATCH: `reportHash` is not the patch's current one, or an approvePatch in the calldata approves another.
 * @throws {SignatureInvalidError | SignatureDuplicateError} for the optional first signature.
 */
export async function proposeSafeTransaction(client: ChainReader, store: Pick<Store, 'transaction'>, parameters: ProposeSafeTransactionParameters): Promise<ProposeSafeTransactionReturnType> {
  const { chainId, patchId, reportHash, validation, proposer } = parameters
  const safe = getAddress(parameters.safe)
  for (const [field, value] of [['reportHash', reportHash], ['safeTxHash', parameters.safeTxHash]] as const) {
    if (value !== undefined && (!isHex(value, { strict: true }) || size(value) !== 32)) throw new SafeTransactionInvalidError({ message: `${field} must be 32 bytes in hex.` })
  }
  const data = parameters.data ?? '0x'
  if (!isHex(data, { strict: true })) throw new SafeTransactionInvalidError({ message: 'data must be hex.' })
  const served = await client.getChainId()
  if (served !== chainId) throw new SafeTransactionInvalidError({ message: `The transaction is for chain ${chainId}, but the RPC endpoint serves chain ${served}.` })
  const state = await readSafeState(client, { safe })
  const transaction: SafeTransaction = {
    to: getAddress(parameters.to),
    value: parameters.value ?? 0n,
    data: data.toLowerCase() as Hex,
    operation: parameters.operation ?? 0,
    safeTxGas: parameters.safeTxGas ?? 0n,
    baseGas: parameters.baseGas ?? 0n,
    gasPrice: parameters.gasPrice ?? 0n,
    gasToken: getAddress(parameters.gasToken ?? zeroAddress),
    refundReceiver: getAddress(parameters.refundReceiver ?? zeroAddress),
    nonce: parameters.nonce ?? state.nonce,
  }
  if (transaction.nonce < state.nonce) throw new SafeNonceStaleError({ safe, nonce: transaction.nonce, currentNonce: state.nonce })
  const hashes = hashSafeTransaction({ chainId, safe, transaction })
  if (parameters.safeTxHash !== undefined && parameters.safeTxHash.toLowerCase() !== hashes.safeTxHash) {
    throw new SafeTransactionInvalidError({ message: `The given safeTxHash ${parameters.safeTxHash} is not the hash of this transaction on chain ${chainId} for Safe ${safe} (${hashes.safeTxHash}).` })
  }
  const current = await parameters.currentReportHash(patchId)
  if (current === null || current.toLowerCase() !== reportHash.toLowerCase()) throw new ReportHashMismatchError({ patchId, bound: reportHash, current, where: 'patch' })
  const decoded = decodeSafeCalldata({ safe, ...transaction, multiSend: [...canonicalMultiSend, ...(parameters.multiSend ?? [])] })
  for (const approval of decoded.approvals) {
    if (approval.reportHash.toLowerCase() !== reportHash.toLowerCase()) throw new ReportHashMismatchError({ patchId, bound: reportHash, current: approval.reportHash, where: 'calldata' })
  }

  let confirmation: Awaited<ReturnType<typeof verifySafeSignature>> | undefined
  if (parameters.signature !== undefined) {
    confirmation = await verifySafeSignature(client, { safe, safeTxHash: hashes.safeTxHash, signature: parameters.signature, state })
    if (parameters.sender !== undefined && !isAddressEqual(parameters.sender, confirmation.owner)) {
      throw new SignatureInvalidError({ safeTxHash: hashes.safeTxHash, reason: `it was signed by ${confirmation.owner}, not by the sender ${getAddress(parameters.sender)}`, signer: confirmation.owner })
    }
  }

  const record = { safeTxHash: hashes.safeTxHash, chainId, safe, transaction, patchId, reportHash: reportHash.toLowerCase() as Hex, validation, proposer }
  return store.transaction(async (tx) => {
    const created = await insertSafeTransaction(tx, record)
    const stored = (await loadSafeTransaction(tx, hashes.safeTxHash, { forUpdate: true }))!
    if (!created && (stored.patchId !== patchId || stored.reportHash !== record.reportHash)) {
      throw new SafeTransactionInvalidError({ message: `Safe transaction ${hashes.safeTxHash} was already proposed for patch ${stored.patchId} under report ${stored.reportHash}.` })
    }
    if (confirmation) {
      const inserted = await insertConfirmation(tx, { safeTxHash: hashes.safeTxHash, owner: confirmation.owner, signature: confirmation.signature, kind: confirmation.kind, reportHash: record.reportHash, submittedBy: proposer })
      if (!inserted) throw new SignatureDuplicateError({ safeTxHash: hashes.safeTxHash, owner: confirmation.owner })
    }
    return { record: stored, hashes, created, confirmedBy: confirmation?.owner ?? null }
  })
}
