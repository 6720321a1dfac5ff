import path from 'node:path'
import { getAddress } from 'viem'
import { z } from 'zod'
import type { LifecycleContext } from '../../lifecycle/context.js'
import { getPatch } from '../../lifecycle/getPatch.js'
import { recordValidationRun, type RecordValidationRunInput } from '../../lifecycle/recordValidationRun.js'
import { transitionPatch } from '../../lifecycle/transitionPatch.js'
import type { Actor, Patch } from '../../lifecycle/types.js'
import { ManifestInvalidError } from '../../validate/errors.js'
import { loadManifest, parseManifest } from '../../validate/loadManifest.js'
import type { PatchManifest } from '../../validate/manifest.js'
import { createReport, reportJson } from '../../validate/report.js'
import { runPipeline } from '../../validate/runPipeline.js'
import { stageIds, type StageId } from '../../validate/stage.js'
import type { JobHandler } from '../jobContext.js'
import { jobActorSchema } from './jobActor.js'
import type { OperationsSetup } from './operationsSetup.js'

const absolute = z.string().refine((file) => path.isAbsolute(file), 'must be an absolute path')

export const validateJobInputSchema = z.strictObject({
  /** Absolute path of the manifest, readable by every worker (shared storage, or the same checkout). */
  manifestFile: absolute.optional(),
  /** Or the manifest itself (the API's validations), its relative paths resolving from `manifestDir`. */
  manifest: z.record(z.string(), z.unknown()).optional(),
  manifestDir: absolute.optional(),
  rpcUrl: z.string().optional(),
  /** The API's validations: the RPC endpoint of this chain comes from the worker's own environment (operationsSetup), never from the stored input. */
  rpcOfChain: z.strictObject({ chainId: z.number().int().positive().nullable() }).optional(),
  block: z.string().regex(/^\d+$/).optional(),
  stages: z.array(z.enum(stageIds as unknown as [StageId, ...StageId[]])).optional(),
  noRebuild: z.boolean().optional(),
  patchId: z.string().optional(),
  /** Who started it (the API's caller); default: the job's creator as admin (`bulwark job enqueue`). */
  actor: jobActorSchema.optional(),
}).refine((input) => (input.manifestFile === undefined) !== (input.manifest === undefined || input.manifestDir === undefined), 'give manifestFile, or manifest with manifestDir')
export type ValidateJobInput = z.infer<typeof validateJobInputSchema>

type PipelineOutcome = { ok: boolean; hash: string; verdict: string; blockingFindings: number; erroredStages: string[]; manifestHash: unknown; counts: unknown; report: unknown }

/**
 * A validation as a job, in three stages: the patch moves to `validating` (atomic with its
 * marker), the pipeline runs (forks only: nothing reaches the chain; its report is the stored
 * result), the verdict moves the patch (atomic). A retry after a crash repeats at most the
 * pipeline; an audit entry is never written twice.
 *
 * It mirrors `validatePatch` (src/operations) in stages a retry can skip, with the same check that
 * the manifest upgrades exactly the patch's proxies.
 */
export function validateJob({ signingKey, setup }: Pick<LifecycleContext, 'signingKey'> & { setup?: OperationsSetup | undefined }): JobHandler {
  return async (context) => {
    const input = validateJobInputSchema.parse(context.job.input)
    const actor: Actor = input.actor ?? { id: context.job.createdBy, roles: ['admin'] }
    const lifecycle = (store: LifecycleContext['store']): LifecycleContext => ({ store, signingKey })
    const manifestName = input.manifestFile === undefined ? 'the submitted manifest' : path.basename(input.manifestFile)
    const readManifest = async () => (input.manifest === undefined ? loadManifest(input.manifestFile!) : parseManifest(JSON.stringify(input.manifest), 'manifest'))
    if (input.patchId !== undefined) {
      const patchId = input.patchId
      const manifest = await readManifest()
      await context.atomicStage('patch-validating', async (store) => {
        const patch = await getPatch(lifecycle(store), patchId, actor)
        assertManifestTargetsPatch(manifestName, manifest, patch)
        if (patch.status === 'validating') return { status: patch.status }
        const moved = await transitionPatch(
          lifecycle(store),
          { id: patchId, to: 'validating', expectedStatus: patch.status, evidence: { note: `job ${context.job.id}: validate ${manifestName}` } },
          actor,
        )
        return { status: moved.patch.status }
      })
    }
    const outcome = await context.stage('pipeline', async (): Promise<PipelineOutcome> => {
      const manifest = await readManifest()
      let reporting = Promise.resolve()
      const run = await runPipeline({
        manifest,
        manifestDir: input.manifestDir ?? path.dirname(input.manifestFile!),
        rpcUrl: input.rpcUrl ?? (input.rpcOfChain && setup ? setup.rpcUrlOf(input.rpcOfChain.chainId) : undefined),
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

/** The run must be about the proxies the patch names, or its verdict says nothing about the patch (as `validatePatch` checks). */
export function assertManifestTargetsPatch(file: string, manifest: PatchManifest, patch: Patch): void {
  // A diamond cut's target is the diamond itself.
  const inManifest = new Set([...manifest.targets.map((target) => getAddress(target.proxy)), ...(manifest.diamondCut ? [getAddress(manifest.diamondCut.diamond)] : [])])
  const inPatch = new Set(patch.targets.map((target) => getAddress(target.proxy)))
  const missing = [...inPatch].filter((proxy) => !inManifest.has(proxy))
  const extra = [...inManifest].filter((proxy) => !inPatch.has(proxy))
  if (missing.length + extra.length === 0) return
  throw new ManifestInvalidError({
    file,
    issues: [
      ...missing.map((proxy) => ({ path: 'targets', message: `patch ${patch.id} upgrades ${proxy}, which the manifest does not validate` })),
      ...extra.map((proxy) => ({ path: 'targets', message: `${proxy} is not a target of patch ${patch.id}` })),
    ],
  })
}
