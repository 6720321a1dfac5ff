import { getAddress, type Address, type Hex } from 'viem'
import type { Store } from '../store/openStore.js'
import { readSafeState, type ChainReader } from './readSafeState.js'
import { listConfirmationRecords, listSafeTransactions, type ReportHashSource } from './safeTransactionRecords.js'

export type PendingSafeTransaction = {
  safeTxHash: Hex
  nonce: string
  to: Address
  operation: 0 | 1
  patchId: string
  reportHash: Hex
  /** False when the patch's report hash changed since proposal: its signatures no longer count. */
  reportHashCurrent: boolean
  confirmations: number
  threshold: number
  proposer: string
  proposedAt: string
}

/**
 * Proposals of one Safe not yet executable-or-executed, like the Service's
 * GET /safes/{safe}/multisig-transactions/?executed=false&nonce__gte={nonce}: nonce ≥ the Safe's live nonce.
 * The confirmation count is what is stored; `getConfirmations` re-verifies each one.
 */
export async function listPendingSafeTransactions(
  client: ChainReader,
  store: Pick<Store, 'query'>,
  { safe, currentReportHash }: { safe: Address; currentReportHash: ReportHashSource },
): Promise<{ chainId: number; safe: Address; nonce: string; threshold: number; owners: Address[]; transactions: PendingSafeTransaction[] }> {
  const chainId = await client.getChainId()
  const state = await readSafeState(client, { safe })
  const records = await listSafeTransactions(store, { chainId, safe: getAddress(safe), fromNonce: state.nonce })
  const reportHashes = new Map<string, Hex | null>()
  const transactions = await Promise.all(
    records.map(async (record) => {
      if (!reportHashes.has(record.patchId)) reportHashes.set(record.patchId, await currentReportHash(record.patchId))
      const current = reportHashes.get(record.patchId) ?? null
      const confirmations = await listConfirmationRecords(store, record.safeTxHash)
      return {
        safeTxHash: record.safeTxHash,
        nonce: record.transaction.nonce.toString(),
        to: record.transaction.to,
        operation: record.transaction.operation,
        patchId: record.patchId,
        reportHash: record.reportHash,
        reportHashCurrent: current !== null && current.toLowerCase() === record.reportHash,
        confirmations: confirmations.filter((c) => c.reportHash === record.reportHash).length,
        threshold: state.threshold,
        proposer: record.proposer,
        proposedAt: record.proposedAt.toISOString(),
      }
    }),
  )
  return { chainId, safe: getAddress(safe), nonce: state.nonce.toString(), threshold: state.threshold, owners: state.owners, transactions }
}
