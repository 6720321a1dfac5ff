import { z } from 'zod'
import type { LifecycleContext } from '../../lifecycle/context.js'
import { getPatch } from '../../lifecycle/getPatch.js'
import { executeRelease } from '../../operations/executeRelease.js'
import type { JobHandler } from '../jobContext.js'
import { jobActorSchema, progressReporter } from './jobActor.js'
import type { OperationsSetup } from './operationsSetup.js'

export const releaseExecuteJobInputSchema = z.strictObject({ patchId: z.string().min(1).max(100), actor: jobActorSchema })
export type ReleaseExecuteJobInput = z.infer<typeof releaseExecuteJobInputSchema>

/**
 * `executeRelease` as a job: the next step of the patch's stored plan, submitted by the setup's
 * submitter key with the owners' stored confirmations, the mined transaction checked on chain
 * before the patch moves. A retry after the step was mined is refused by the store and the gate
 * (BW_RELEASE_ALREADY_EXECUTED, or the next step's checks): a step never runs twice.
 */
export function releaseExecuteJob({ signingKey, setup }: Pick<LifecycleContext, 'signingKey'> & { setup: OperationsSetup }): JobHandler {
  return async (context) => {
    const input = releaseExecuteJobInputSchema.parse(context.job.input)
    const lifecycle: LifecycleContext = { store: context.store, signingKey }
    return context.stage('execute', async () => {
      const patch = await getPatch(lifecycle, input.patchId, input.actor)
      const reporter = progressReporter(context.progress)
      const executed = await executeRelease({ context: lifecycle, actor: input.actor, patchId: input.patchId, rpcUrl: setup.rpcUrlOf(patch.chainId), submitter: setup.submitter(), onProgress: reporter.say })
      await reporter.flushed()
      return {
        step: executed.step,
        purpose: executed.executed.purpose,
        transactionHash: executed.executed.transactionHash,
        blockNumber: executed.executed.blockNumber.toString(),
        safeTxHash: executed.executed.safeTxHash,
        releaseStatus: executed.release.status,
        patch: { id: executed.patch.id, status: executed.patch.status },
        ...(executed.readyAt ? { readyAt: executed.readyAt } : {}),
      }
    })
  }
}
