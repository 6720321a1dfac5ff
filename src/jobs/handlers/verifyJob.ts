import { z } from 'zod'
import type { LifecycleContext } from '../../lifecycle/context.js'
import { getPatch } from '../../lifecycle/getPatch.js'
import { verifyPatchRelease } from '../../operations/verifyPatchRelease.js'
import type { JobHandler } from '../jobContext.js'
import { jobActorSchema, progressReporter } from './jobActor.js'
import type { OperationsSetup } from './operationsSetup.js'

export const verifyJobInputSchema = z.strictObject({ patchId: z.string().min(1).max(100), actor: jobActorSchema })
export type VerifyJobInput = z.infer<typeof verifyJobInputSchema>

/**
 * `verifyPatchRelease` as a job: `verifyRelease` from the chain against the patch's stored plan,
 * the result stored; a pass moves the patch (and its advisory) to `verified`. Reading the chain
 * again on a retry is harmless; the stored result is what counts.
 */
export function verifyJob({ signingKey, setup }: Pick<LifecycleContext, 'signingKey'> & { setup: OperationsSetup }): JobHandler {
  return async (context) => {
    const input = verifyJobInputSchema.parse(context.job.input)
    const lifecycle: LifecycleContext = { store: context.store, signingKey }
    return context.stage('verify', async () => {
      const patch = await getPatch(lifecycle, input.patchId, input.actor)
      const reporter = progressReporter(context.progress)
      const verified = await verifyPatchRelease(lifecycle, { patchId: input.patchId, rpcUrl: setup.rpcUrlOf(patch.chainId), actor: input.actor, onProgress: reporter.say })
      await reporter.flushed()
      return {
        ok: verified.result.ok,
        reportHash: verified.result.reportHash,
        checks: verified.result.checks,
        verificationId: verified.verification.id,
        patch: { id: verified.patch.id, status: verified.patch.status },
      }
    })
  }
}
