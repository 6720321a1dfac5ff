import type { Address, Hash, Hex } from 'viem'
import type { DevClient } from '../chain/clients.js'
import { execTransactionArgs } from '../chain/execSafeTransaction.js'
import { safeAbi, timelockControllerAbi } from './abis.js'
import type { SignedDiamondCutPlan } from './buildDiamondCutPlan.js'
import { ReleaseAlreadyExecutedError, ReleaseNonceConflictError, ReleaseNotReadyError, ReleaseRevertedError, ReleaseSignaturesMissingError } from './errors.js'
import { namedRevert } from './executeReleaseStep.js'
import { toSafeTransaction } from './safeTransactions.js'

export type ExecuteDiamondCutStepParameters = {
  plan: SignedDiamondCutPlan
  /** Index into `plan.safeTransactions`: 0 schedules the batch, 1 executes it. */
  step: number
  /** Owner confirmations of that Safe transaction (`signPlannedSafeTransaction`). */
  signatures: readonly { signer: Address; signature: Hex }[]
}

export type ExecuteDiamondCutStepReturnType = { purpose: 'schedule' | 'execute'; transactionHash: Hash; blockNumber: bigint }

/**
 * Submits one Safe transaction of a diamond-cut plan once it is safe to: the batch has not run, the
 * Safe is at the planned nonce, enough signatures, the delay has passed (execute), and the inner call
 * succeeds in simulation as the Safe (a revert is named and nothing is sent).
 *
 * @throws {ReleaseAlreadyExecutedError} the batch is already scheduled (schedule) or done.
 * @throws {ReleaseNonceConflictError} the Safe is at another nonce than signed for.
 * @throws {ReleaseSignaturesMissingError} fewer signatures than the threshold.
 * @throws {ReleaseNotReadyError} not scheduled, or the delay has not passed.
 * @throws {ReleaseRevertedError} the call reverts (the reason, e.g. LibDiamondCut's).
 */
export async function executeDiamondCutStep(client: DevClient, { plan, step, signatures }: ExecuteDiamondCutStepParameters): Promise<ExecuteDiamondCutStepReturnType> {
  const transaction = plan.safeTransactions[step]
  if (!transaction || transaction.purpose === 'release') throw new RangeError(`plan ${plan.hash} has no step ${step}`)
  const label = `diamond cut ${transaction.purpose}`
  const { timelock, operationId } = plan.operation
  const [done, readyAt, nonce, threshold] = await Promise.all([
    client.readContract({ address: timelock, abi: timelockControllerAbi, functionName: 'isOperationDone', args: [operationId] }),
    client.readContract({ address: timelock, abi: timelockControllerAbi, functionName: 'getTimestamp', args: [operationId] }),
    client.readContract({ address: transaction.safe, abi: safeAbi, functionName: 'nonce' }),
    client.readContract({ address: transaction.safe, abi: safeAbi, functionName: 'getThreshold' }),
  ])
  if (done) throw new ReleaseAlreadyExecutedError({ patchId: plan.patchId, where: `timelock operation ${operationId} is done` })
  if (transaction.purpose === 'schedule' && readyAt > 0n) throw new ReleaseAlreadyExecutedError({ patchId: plan.patchId, where: 'its timelock operation is already scheduled' })
  if (nonce !== BigInt(transaction.nonce)) throw new ReleaseNonceConflictError({ step: label, planned: BigInt(transaction.nonce), current: nonce })
  if (BigInt(signatures.length) < threshold) throw new ReleaseSignaturesMissingError({ step: label, have: signatures.length, threshold: Number(threshold) })
  if (transaction.purpose === 'execute') {
    const { timestamp } = await client.getBlock({ blockTag: 'latest' })
    if (readyAt === 0n || readyAt > timestamp + 1n) throw new ReleaseNotReadyError({ operationId, readyAt: Number(readyAt), now: Number(timestamp) })
  }
  try {
    await client.call({ account: transaction.safe, to: transaction.to, data: transaction.data, gas: 30_000_000n })
  } catch (error) {
    throw new ReleaseRevertedError({ step: label, reason: namedRevert(error) ?? (error instanceof Error ? error.message.split('\n')[0]! : String(error)), cause: error })
  }
  const safeTransaction = toSafeTransaction(transaction)
  let hash: Hash
  try {
    hash = await client.writeContract({
      address: transaction.safe,
      abi: safeAbi,
      functionName: 'execTransaction',
      args: execTransactionArgs(safeTransaction, signatures),
      chain: client.chain,
      account: client.account,
    })
  } catch (error) {
    throw new ReleaseRevertedError({ step: label, reason: namedRevert(error) ?? (error instanceof Error ? error.message.split('\n')[0]! : String(error)), cause: error })
  }
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  if (receipt.status !== 'success') throw new ReleaseRevertedError({ step: label, reason: `transaction ${hash} reverted on chain` })
  return { purpose: transaction.purpose, transactionHash: hash, blockNumber: receipt.blockNumber }
}
