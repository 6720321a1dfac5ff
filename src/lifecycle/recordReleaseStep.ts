import { getAddress, parseEventLogs, type Hash, type PublicClient } from 'viem'
import { releaseGateAbi } from '../chain/releaseGateAbi.js'
import { safeAbi } from '../chain/safeAbi.js'
import { loadRelease, recordReleaseExecution, type ReleaseRecord } from '../release/releaseRecords.js'
import type { Transaction } from '../store/openStore.js'
import type { LifecycleContext } from './context.js'
import { ReleaseNotOnChainError, TransitionIllegalError } from './errors.js'
import { runChange } from './ledger.js'
import { loadPatch } from './loadRecords.js'
import { assertCan } from './permissions.js'
import { movePatch, type TransitionPatchReturnType } from './transitionPatch.js'
import type { Actor } from './types.js'


export type ReleaseStepReader = Pick<PublicClient, 'getTransactionReceipt' | 'readContract'>
export type RecordReleaseStepReturnType = TransitionPatchReturnType & { release: ReleaseRecord }

/**
 * Records one executed step of a patch's stored release plan, and moves the patch — `scheduled`
 * after a schedule step, `released` after the last — only after reading the chain: the
 * transaction is mined and succeeded, it was sent to the plan's Safe and the Safe emitted
 * `ExecutionSuccess` for the planned safeTxHash, the plan binds the patch's validated report, and
 * after the last step the ReleaseGate records the gate patch as released with that report.
 *
 * @throws {ReleaseNotOnChainError} BW_RELEASE_NOT_ON_CHAIN: any of those checks fails; nothing is recorded.
 */
export async function recordReleaseStep(
  context: LifecycleContext,
  { patchId, step, transactionHash }: { patchId: string; step: number; transactionHash: Hash },
  actor: Actor,
  { client }: { client: ReleaseStepReader },
): Promise<RecordReleaseStepReturnType> {
  assertCan(actor, 'patch:transition')
  const record = await loadRelease(context.store, patchId)
  const { plan } = record
  const planned = plan.safeTransactions[step]
  const refuse = (reason: string): never => {
    throw new ReleaseNotOnChainError({ patchId, transactionHash, reason })
  }
  if (!planned) refuse(`is not a step of plan ${plan.hash} (it has ${plan.safeTransactions.length}).`)
  const receipt = await client.getTransactionReceipt({ hash: transactionHash }).catch(() => undefined)
  if (!receipt) refuse('is not mined on this chain.')
  if (receipt!.status !== 'success') refuse(`reverted in block ${receipt!.blockNumber}.`)
  if (!receipt!.to || getAddress(receipt!.to) !== getAddress(planned!.safe)) refuse(`was sent to ${receipt!.to ?? 'no address'}, not the plan's Safe ${planned!.safe}.`)
  const executed = parseEventLogs({ abi: safeAbi, eventName: 'ExecutionSuccess', logs: receipt!.logs }).filter((log) => getAddress(log.address) === getAddress(planned!.safe))
  if (!executed.some((log) => log.args.txHash.toLowerCase() === planned!.safeTxHash.toLowerCase())) refuse(`did not execute the planned Safe transaction ${planned!.safeTxHash}.`)
  const last = step === plan.safeTransactions.length - 1
  if (last) {
    const onGate = await client.readContract({ address: plan.gate, abi: releaseGateAbi, functionName: 'patchOf', args: [plan.gatePatchId] })
    if (onGate.releasedAt === 0n) refuse(`was mined, but the gate ${plan.gate} does not record gate patch ${plan.gatePatchId} as released.`)
    if (onGate.reportHash.toLowerCase() !== plan.reportHash.toLowerCase()) refuse(`released report ${onGate.reportHash} on the gate, not the plan's ${plan.reportHash}.`)
  }

  return runChange(context, actor, async (change) => {
    const { patch, advisory } = await loadPatch(change.tx, patchId, actor, { forUpdate: true })
    if (patch.reportHash?.toLowerCase() !== plan.reportHash.toLowerCase()) refuse(`executes plan ${plan.hash} for report ${plan.reportHash}, but the patch's validated report is ${patch.reportHash ?? 'none'}.`)
    const to = last ? 'released' : 'scheduled'
    const from = last ? ['approved', 'scheduled'] : ['approved']
    if (!from.includes(patch.status)) {
      throw new TransitionIllegalError({ subject: `Patch ${patchId}`, current: patch.status, requested: to, allowed: [], hint: `A release step is recorded only for an approved${last ? ' or scheduled' : ''} patch.` })
    }
    const release = await recordReleaseExecution(
      { transaction: (work) => work(change.tx as Transaction) },
      { patchId, step, purpose: planned!.purpose, safeTxHash: planned!.safeTxHash, transactionHash, blockNumber: receipt!.blockNumber, at: change.at },
    )
    const moved = await movePatch(change, {
      patch,
      advisory,
      to,
      evidence: {
        note: `${plan.route.name} ${planned!.purpose}: ${transactionHash} (block ${receipt!.blockNumber}), checked on chain`,
        data: {
          reportHash: plan.reportHash,
          planHash: plan.hash,
          safeTxHash: planned!.safeTxHash,
          txHash: transactionHash,
          txHashes: release.executions.map((execution) => execution.transactionHash),
          blockNumber: receipt!.blockNumber.toString(),
          from: receipt!.from,
        },
      },
    })
    return { ...moved, release }
  })
}
