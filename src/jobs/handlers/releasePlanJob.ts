import { z } from 'zod'
import type { LifecycleContext } from '../../lifecycle/context.js'
import { getPatch } from '../../lifecycle/getPatch.js'
import { planRelease } from '../../operations/planRelease.js'
import { releaseRouteNames } from '../../release/plan.js'
import type { JobHandler } from '../jobContext.js'
import { jobActorSchema, progressReporter } from './jobActor.js'
import type { OperationsSetup } from './operationsSetup.js'

export const releasePlanJobInputSchema = z.strictObject({
  patchId: z.string().min(1).max(100),
  route: z.enum(releaseRouteNames).optional(),
  replace: z.boolean().optional(),
  actor: jobActorSchema,
})
export type ReleasePlanJobInput = z.infer<typeof releasePlanJobInputSchema>

/**
 * `planRelease` as a job: the plan built from the patch's stored validation report on a route of
 * the release configuration, its Safe transactions proposed, the patch moved to `awaiting_approval`.
 * One stage: proposals are idempotent, and a retry after the plan was stored is refused by the
 * patch's status (nothing is planned twice).
 */
export function releasePlanJob({ signingKey, setup }: Pick<LifecycleContext, 'signingKey'> & { setup: OperationsSetup }): JobHandler {
  return async (context) => {
    const input = releasePlanJobInputSchema.parse(context.job.input)
    const lifecycle: LifecycleContext = { store: context.store, signingKey }
    return context.stage('plan', async () => {
      const { release, projectFile } = await setup.release()
      const patch = await getPatch(lifecycle, input.patchId, input.actor)
      const reporter = progressReporter(context.progress)
      const planned = await planRelease({
        context: lifecycle,
        actor: input.actor,
        patchId: input.patchId,
        rpcUrl: setup.rpcUrlOf(patch.chainId),
        release,
        projectFile,
        route: input.route,
        auditors: setup.auditors(),
        replace: input.replace,
        onProgress: reporter.say,
      })
      await reporter.flushed()
      return {
        planHash: planned.plan.hash,
        reportHash: planned.plan.reportHash,
        route: planned.route.name,
        safe: planned.route.safe,
        proposals: planned.proposals,
        patch: { id: planned.patch.id, status: planned.patch.status },
      }
    })
  }
}
