import type { LocalAccount } from 'viem'
import { createDevClient } from '../chain/clients.js'
import { connectChain } from '../chain/connectChain.js'
import type { LifecycleContext } from '../lifecycle/context.js'
import { TransitionIllegalError } from '../lifecycle/errors.js'
import { getPatch } from '../lifecycle/getPatch.js'
import { recordReleaseStep } from '../lifecycle/recordReleaseStep.js'
import { recordSafeApprovals } from '../lifecycle/recordSafeApprovals.js'
import type { Actor, Patch } from '../lifecycle/types.js'
import { ReleaseAlreadyExecutedError } from '../release/errors.js'
import { executeReleaseStep, type ExecuteReleaseStepReturnType } from '../release/executeReleaseStep.js'
import { loadRelease, nextReleaseStep, type ReleaseRecord } from '../release/releaseRecords.js'
import { releaseSimulatorRuntime } from '../release/releaseSimulatorRuntime.js'
import { storedConfirmations } from './storedConfirmations.js'

export type ExecuteReleaseParameters = {
  context: LifecycleContext
  actor: Actor
  patchId: string
  rpcUrl: string
  /** The account that submits `execTransaction` (any funded key: the owners' confirmations authorize). */
  submitter: LocalAccount
  onProgress?: ((message: string) => void) | undefined
}

export type ExecuteReleaseReturnType = {
  step: number
  executed: ExecuteReleaseStepReturnType
  release: ReleaseRecord
  patch: Patch
  /** When the timelock delay of a scheduled plan ends (ISO), for a step that is not the last. */
  readyAt: string | undefined
}

/**
 * Executes the next step of a patch's stored release plan — where a patch becomes released: the
 * owners' stored confirmations of that Safe transaction are re-verified live and become the
 * patch's approvals (`recordSafeApprovals`), the release module submits the step
 * (`executeReleaseStep`: nonce, threshold, timelock delay and a simulation checked first), and the
 * mined transaction is checked on chain before the patch moves to `scheduled` or `released`
 * (`recordReleaseStep`).
 */
export async function executeRelease(parameters: ExecuteReleaseParameters): Promise<ExecuteReleaseReturnType> {
  const { context, actor, patchId } = parameters
  const say = parameters.onProgress ?? (() => undefined)
  const record = await loadRelease(context.store, patchId)
  const step = nextReleaseStep(record)
  if (record.status === 'released' || record.status === 'verified' || step === undefined) {
    throw new ReleaseAlreadyExecutedError({ patchId, where: `the store records its release as ${record.status}${record.executions.length > 0 ? ` in ${record.executions.map((e) => e.transactionHash).join(', ')}` : ''}` })
  }
  const { client, chainId } = await connectChain({ rpcUrl: parameters.rpcUrl })
  const { plan } = record
  const transaction = plan.safeTransactions[step]!

  let patch = await getPatch(context, patchId, actor)
  if (patch.status === 'awaiting_approval') {
    const approvals = await recordSafeApprovals(context, { patchId, safeTxHash: transaction.safeTxHash }, actor, { client })
    for (const rejected of approvals.rejected) say(`confirmation of ${rejected.owner} not counted: ${rejected.reason}`)
    patch = approvals.patch
  }
  const last = step === plan.safeTransactions.length - 1
  const allowed: Patch['status'][] = last ? ['approved', 'scheduled'] : ['approved']
  if (!allowed.includes(patch.status)) {
    throw new TransitionIllegalError({
      subject: `Patch ${patchId}`,
      current: patch.status,
      requested: last ? 'released' : 'scheduled',
      allowed,
      hint: patch.status === 'awaiting_approval' ? `It has ${patch.approvals.length} of ${patch.requiredApprovals} approvals; more owners must confirm (bulwark sign confirm ${transaction.safeTxHash}).` : 'Nothing was sent.',
    })
  }
  const signatures = await storedConfirmations(client, context, { safeTxHash: transaction.safeTxHash })

  say(`executing step ${step + 1}/${plan.safeTransactions.length} (${transaction.purpose}) of the ${plan.route.name} plan with ${signatures.length} owner signature(s)`)
  const sender = createDevClient({ rpcUrl: parameters.rpcUrl, chainId, account: parameters.submitter })
  const executed = await executeReleaseStep(sender, { plan, step, signatures, simulatorRuntime: await releaseSimulatorRuntime() })
  const recorded = await recordReleaseStep(context, { patchId, step, transactionHash: executed.transactionHash }, actor, { client })
  let readyAt: string | undefined
  if (!last && plan.route.delay > 0) {
    const block = await client.getBlock({ blockNumber: executed.blockNumber })
    readyAt = new Date((Number(block.timestamp) + plan.route.delay) * 1000).toISOString()
  }
  return { step, executed, release: recorded.release, patch: recorded.patch, readyAt }
}
