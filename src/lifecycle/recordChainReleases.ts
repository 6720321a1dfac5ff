import { getAddress, parseEventLogs, type Hash, type PublicClient } from 'viem'
import { releaseGateAbi } from '../chain/releaseGateAbi.js'
import { safeAbi } from '../chain/safeAbi.js'
import { loadRelease } from '../release/releaseRecords.js'
import type { LifecycleContext } from './context.js'
import { ReleaseNotOnChainError, TransitionIllegalError } from './errors.js'
import { runChange } from './ledger.js'
import { loadPatch } from './loadRecords.js'
import { assertCan } from './permissions.js'
import { movePatch, type TransitionPatchReturnType } from './transitionPatch.js'
import type { Actor } from './types.js'


export type ChainReleaseReader = Pick<PublicClient, 'getTransactionReceipt' | 'readContract'>

export type RecordChainReleasesParameters = {
  patchId: string
  /** `scheduled`: every chain ran its schedule step; `released`: every chain ran its last step. */
  to: 'scheduled' | 'released'
  /** Each chain's stored release (`PATCH-n@chainId`) and a reader of that chain. */
  chains: readonly { chainId: number; releaseId: string; client: ChainReleaseReader }[]
  /** What the move is evidence of beyond the transactions (pauses, the window between releases). */
  data?: Record<string, unknown> | undefined
}

/**
 * Moves a multi-chain patch to `scheduled` or `released` once every chain shows it: each chain's
 * recorded step transaction is mined, succeeded, was sent to that plan's Safe and emitted its
 * `ExecutionSuccess` for the planned safeTxHash; for `released` each chain's ReleaseGate records its
 * gate patch released with that chain's report; and every chain's report hash is one of the
 * patch's validated (combined) report. One chain short of that moves nothing.
 *
 * @throws {ReleaseNotOnChainError} BW_RELEASE_NOT_ON_CHAIN: a chain does not show the step.
 */
export async function recordChainReleases(context: LifecycleContext, { patchId, to, chains, data }: RecordChainReleasesParameters, actor: Actor): Promise<TransitionPatchReturnType> {
  assertCan(actor, 'patch:transition')
  const evidence: Record<string, unknown>[] = []
  const validated = await context.store.query<{ report: unknown }>('SELECT v.report FROM validation_runs v JOIN patches p ON p.validation_run_id = v.id WHERE p.id = $1', [patchId])
  const raw = validated[0]?.report
  const combined = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { chains?: { chainId: number; reportHash: string }[] } | undefined
  for (const chain of chains) {
    const record = await loadRelease(context.store, chain.releaseId)
    const { plan } = record
    const step = to === 'released' ? plan.safeTransactions.length - 1 : 0
    const planned = plan.safeTransactions[step]!
    const execution = record.executions.find((entry) => entry.step === step)
    const refuse = (reason: string): never => {
      throw new ReleaseNotOnChainError({ patchId, transactionHash: execution?.transactionHash ?? ('0x' as Hash), reason: `(chain ${chain.chainId}) ${reason}` })
    }
    if (!execution) refuse(`has no recorded ${planned.purpose} step.`)
    if (!combined?.chains?.some((entry) => entry.chainId === chain.chainId && entry.reportHash.toLowerCase() === plan.reportHash.toLowerCase())) {
      refuse(`executes report ${plan.reportHash}, which is not chain ${chain.chainId}'s report in the patch's validated report.`)
    }
    const receipt = await chain.client.getTransactionReceipt({ hash: execution!.transactionHash }).catch(() => undefined)
    if (!receipt) refuse('is not mined on this chain.')
    if (receipt!.status !== 'success') refuse(`reverted in block ${receipt!.blockNumber}.`)
    if (!receipt!.to || getAddress(receipt!.to) !== getAddress(planned.safe)) refuse(`was sent to ${receipt!.to ?? 'no address'}, not the plan's Safe ${planned.safe}.`)
    const executed = parseEventLogs({ abi: safeAbi, eventName: 'ExecutionSuccess', logs: receipt!.logs }).filter((log) => getAddress(log.address) === getAddress(planned.safe))
    if (!executed.some((log) => log.args.txHash.toLowerCase() === planned.safeTxHash.toLowerCase())) refuse(`did not execute the planned Safe transaction ${planned.safeTxHash}.`)
    if (to === 'released') {
      const onGate = await chain.client.readContract({ address: plan.gate, abi: releaseGateAbi, functionName: 'patchOf', args: [plan.gatePatchId] })
      if (onGate.releasedAt === 0n) refuse(`was mined, but the gate ${plan.gate} does not record gate patch ${plan.gatePatchId} as released.`)
      if (onGate.reportHash.toLowerCase() !== plan.reportHash.toLowerCase()) refuse(`released report ${onGate.reportHash} on the gate, not the plan's ${plan.reportHash}.`)
    }
    evidence.push({ chainId: chain.chainId, releaseId: chain.releaseId, planHash: plan.hash, reportHash: plan.reportHash, safeTxHash: planned.safeTxHash, txHash: execution!.transactionHash, blockNumber: receipt!.blockNumber.toString() })
  }

  return runChange(context, actor, async (change) => {
    const { patch, advisory } = await loadPatch(change.tx, patchId, actor, { forUpdate: true })
    const from = to === 'released' ? ['approved', 'scheduled'] : ['approved']
    if (!from.includes(patch.status)) {
      throw new TransitionIllegalError({ subject: `Patch ${patchId}`, current: patch.status, requested: to, allowed: [], hint: `A multi-chain release step is recorded only for an approved${to === 'released' ? ' or scheduled' : ''} patch.` })
    }
    return movePatch(change, {
      patch,
      advisory,
      to,
      evidence: {
        note: `${to} on chains ${chains.map((chain) => chain.chainId).join(', ')}: ${evidence.map((entry) => `${String(entry.chainId)} ${String(entry.txHash)} (block ${String(entry.blockNumber)})`).join('; ')}, checked on chain`,
        data: { reportHash: patch.reportHash, chains: evidence, ...data },
      },
    })
  })
}
