/**
 * Used by release execution (src/release, part A): once a proposal reaches the threshold, call
 * `packedSignatures(client, store, { safeTxHash, currentReportHash })` and pass its `signatures`
 * to the Safe's `execTransaction` with `transaction`. Every stored confirmation is re-verified
 * live (owner set, report hash, nonce, hash) at that moment: none is trusted because it was once valid.
 */
import { concat, type Address, type Hex } from 'viem'
import type { SafeTransaction } from '../chain/execSafeTransaction.js'
import type { Store } from '../store/openStore.js'
import { BaseError } from '../errors/BaseError.js'
import { ThresholdNotMetError } from './errors.js'
import { loadBoundProposal, type BoundProposal } from './loadBoundProposal.js'
import type { ChainReader } from './readSafeState.js'
import { listConfirmationRecords, type ConfirmationRecord, type ReportHashSource } from './safeTransactionRecords.js'
import { verifySafeSignature } from './verifySafeSignature.js'

export type CheckedConfirmation = ConfirmationRecord & { valid: boolean; reason: string | null }

export type GetConfirmationsReturnType = BoundProposal & { confirmations: CheckedConfirmation[]; valid: number; thresholdMet: boolean }

/**
 * The proposal with each confirmation re-checked against the live Safe.
 * @throws the binding errors of loadBoundProposal (not found, report hash changed, nonce stale, wrong chain).
 */
export async function getConfirmations(
  client: ChainReader,
  store: Pick<Store, 'query'>,
  { safeTxHash, currentReportHash }: { safeTxHash: Hex; currentReportHash: ReportHashSource },
): Promise<GetConfirmationsReturnType> {
  const bound = await loadBoundProposal(client, store, { safeTxHash, currentReportHash })
  const stored = await listConfirmationRecords(store, bound.record.safeTxHash)
  const confirmations = await Promise.all(
    stored.map(async (confirmation): Promise<CheckedConfirmation> => {
      if (confirmation.reportHash !== bound.record.reportHash) return { ...confirmation, valid: false, reason: `given under report ${confirmation.reportHash}` }
      try {
        const verified = await verifySafeSignature(client, { safe: bound.record.safe, safeTxHash: bound.hashes.safeTxHash, signature: confirmation.signature, state: bound.state })
        if (verified.owner !== confirmation.owner) return { ...confirmation, valid: false, reason: `recovers to ${verified.owner}` }
        return { ...confirmation, valid: true, reason: null }
      } catch (error) {
        if (error instanceof BaseError && error.code === 'BW_SIGNATURE_INVALID') return { ...confirmation, valid: false, reason: (error as { reason?: string }).reason ?? error.shortMessage }
        throw error
      }
    }),
  )
  const valid = confirmations.filter((confirmation) => confirmation.valid).length
  return { ...bound, confirmations, valid, thresholdMet: valid >= bound.state.threshold }
}

export type PackedSignaturesReturnType = { safe: Address; safeTxHash: Hex; transaction: SafeTransaction; signatures: Hex; owners: Address[] }

/**
 * The `signatures` argument of `execTransaction`: the valid confirmations of `threshold` owners,
 * ordered by owner address ascending as Safe requires, packed r ‖ s ‖ v.
 * @throws {ThresholdNotMetError} (BW_THRESHOLD_NOT_MET) fewer valid confirmations than the threshold.
 */
export async function packedSignatures(
  client: ChainReader,
  store: Pick<Store, 'query'>,
  parameters: { safeTxHash: Hex; currentReportHash: ReportHashSource },
): Promise<PackedSignaturesReturnType> {
  const { record, state, confirmations, valid } = await getConfirmations(client, store, parameters)
  if (valid < state.threshold) {
    throw new ThresholdNotMetError({
      safeTxHash: record.safeTxHash,
      valid,
      threshold: state.threshold,
      rejected: confirmations.filter((c) => !c.valid).map((c) => `${c.owner}: ${c.reason ?? 'invalid'}`),
    })
  }
  const chosen = confirmations
    .filter((confirmation) => confirmation.valid)
    .sort((a, b) => (BigInt(a.owner) < BigInt(b.owner) ? -1 : 1))
    .slice(0, state.threshold)
  return { safe: record.safe, safeTxHash: record.safeTxHash, transaction: record.transaction, signatures: concat(chosen.map((c) => c.signature)), owners: chosen.map((c) => c.owner) }
}
