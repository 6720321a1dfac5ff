import path from 'node:path'
import { z } from 'zod'
import type { LifecycleContext } from '../../lifecycle/context.js'
import { getPatch } from '../../lifecycle/getPatch.js'
import { recordValidationRun, type RecordValidationRunInput } from '../../lifecycle/recordValidationRun.js'
import { transitionPatch } from '../../lifecycle/transitionPatch.js'
import type { Actor } from '../../lifecycle/types.js'
import { loadManifest } from '../../validate/loadManifest.js'
import { createReport, reportJson } from '../../validate/report.js'
import { runPipeline } from '../../validate/runPipeline.js'
import { stageIds, type StageId } from '../../validate/stage.js'
import type { JobHandler } from '../jobContext.js'

export const validateJobInputSchema = z.strictObject({
  /** Absolute path of the manifest, readable by every worker (shared storage, or the same checkout). */
  manifestFile: z.string().refine((file) => path.isAbsolute(file), 'must be an absolute path'),
  rpcUrl: z.string().optional(),
  block: z.string().regex(/^\d+$/).optional(),
  stages: z.array(z.enum(stageIds as unknown as [StageId, ...StageId[]])).optional(),
  noRebuild: z.boolean().optional(),
  patchId: z.string().optional(),
})
export type ValidateJobInput = z.infer<typeof validateJobInputSchema>

type PipelineOutcome = { ok: boolean; hash: string; verdict: string; blockingFindings: number; erroredStages: string[]; manifestHash: unknown; counts: unknown; report: unknown }

/**
 * A validation as a job, in three stages: the patch moves to `validating` (atomic with its
 * marker), the pipeline runs (forks only: nothing reaches the chain; its report is the stored
 * result), the verdict moves the patch (atomic). A retry after a crash repeats at most the
 * pipeline; an audit entry is never written twice.
 *
 * TODO(operations): call src/operations/validatePatch when it lands; this mirrors `bulwark validate`.
 */
export function validateJob({ signingKey }: Pick<LifecycleContext, 'signingKey'>): JobHandler {
  return async (context) => {
    const input = validateJobInputSchema.parse(context.job.input)
    const actor: Actor = { id: context.job.createdBy, roles: ['admin'] }
    const lifecycle = (store: LifecycleContext['store']): LifecycleContext => ({ store, signingKey })
    if (input.patchId !== undefined) {
      const patchId = input.patchId
      await context.atomicStage('patch-validating', async (store) => {
        const patch = await getPatch(lifecycle(store), patchId, actor)
        if (patch.status === 'validating') return { status: patch.status }
        const moved = await transitionPatch(
          lifecycle(store),
          { id: patchId, to: 'validating', expectedStatus: patch.status, evidence: { note: `job ${context.job.id}: validate ${path.basename(input.manifestFile)}` } },
          actor,
        )
        return { status: moved.patch.status }
      })
    }
    const outcome = await context.stage('pipeline', async (): Promise<PipelineOutcome> => {
      const manifest = await loadManifest(input.manifestFile)
      let reporting = Promise.resolve()
      const run = await runPipeline({
        manifest,
        manifestDir: path.dirname(input.manifestFile),
        rpcUrl: input.rpcUrl,
        blockNumber: input.block === undefined ? undefined : BigInt(input.block),
        stages: input.stages,
        reproducibility: !input.noRebuild,
        signal: context.signal,
        onEvent: (event) => {
          const data =
            event.type === 'stage-finished'
              ? { stage: event.stage, status: event.result.status, findings: event.result.findings.length, durationMs: event.result.durationMs }
              : { stage: event.stage, event: event.type, ...('message' in event ? { message: event.message } : {}) }
          reporting = reporting.then(() => context.progress(data)).catch(() => undefined)
        },
      })
      await reporting
      const report = createReport(run, { toolVersion: 'bulwark-worker' })
      const { document } = report
      return {
        ok: report.ok,
        hash: report.hash,
        verdict: document.verdict,
        blockingFindings: document.blockingFindings,
        erroredStages: [...document.erroredStages],
        manifestHash: document.manifestHash,
        counts: document.counts,
        // `{ hash, ...document }`, as `bulwark validate --report` writes it: what a validation run stores.
        report: JSON.parse(reportJson(report)) as unknown,
      }
    })
    let patchStatus: string | undefined
    if (input.patchId !== undefined) {
      const patchId = input.patchId
      // The stored run moves the patch by its verdict (an errored run leaves it validating), in one transaction with its audit entry.
      const moved = await context.atomicStage('validation-run', async (store) => {
        const recorded = await recordValidationRun(lifecycle(store), { patchId, report: outcome.report as RecordValidationRunInput['report'] }, actor)
        return { status: recorded.patch.status, runId: recorded.run.id }
      })
      patchStatus = moved.status
    }
    return { ok: outcome.ok, hash: outcome.hash, verdict: outcome.verdict, blockingFindings: outcome.blockingFindings, erroredStages: outcome.erroredStages, ...(patchStatus ? { patch: { id: input.patchId, status: patchStatus } } : {}) }
  }
}
