import { getAddress } from 'viem'
import type { LifecycleContext } from '../lifecycle/context.js'
import { getPatch } from '../lifecycle/getPatch.js'
import { recordValidationRun, type ValidationOutcome } from '../lifecycle/recordValidationRun.js'
import { transitionPatch } from '../lifecycle/transitionPatch.js'
import type { Actor, Patch } from '../lifecycle/types.js'
import { ManifestInvalidError } from '../validate/errors.js'
import type { PatchManifest } from '../validate/manifest.js'
import { createReport, type ValidationReport } from '../validate/report.js'
import { runPipeline } from '../validate/runPipeline.js'
import type { PipelineEvent, StageId } from '../validate/stage.js'

export type ValidatePatchParameters = {
  manifest: PatchManifest
  /** Where the manifest was read from (its relative paths resolve from `manifestDir`; named in errors). */
  manifestFile: string
  manifestDir: string
  rpcUrl?: string | undefined
  blockNumber?: bigint | undefined
  stages?: readonly StageId[] | undefined
  reproducibility?: boolean | undefined
  env?: NodeJS.ProcessEnv | undefined
  toolVersion: string
  /** Attach the run to this patch: it moves to `validating`, then by the stored run to `validated` / `rejected`. */
  patch?: { context: LifecycleContext; id: string; actor: Actor } | undefined
  onEvent?: ((event: PipelineEvent | { type: 'patch-moved'; patchId: string; from: string; to: string }) => void) | undefined
  signal?: AbortSignal | undefined
}

export type ValidatePatchReturnType = { report: ValidationReport; patch: Patch | undefined; outcome: ValidationOutcome | undefined }

/**
 * Validates a patch: runs the pipeline on its manifest and builds the report; with `patch`, checks
 * the manifest upgrades exactly the patch's proxies, moves the patch to `validating`, and stores the
 * run — the only way the patch becomes `validated` (`recordValidationRun`). A run in which a stage
 * could not run leaves the patch `validating` (stored as errored): nothing was judged.
 */
export async function validatePatch(parameters: ValidatePatchParameters): Promise<ValidatePatchReturnType> {
  const { manifest, patch: attach } = parameters
  const emit = parameters.onEvent ?? (() => undefined)
  let patch: Patch | undefined
  if (attach) {
    patch = await getPatch(attach.context, attach.id, attach.actor)
    assertSameTargets(parameters.manifestFile, manifest, patch)
    if (patch.status !== 'validating') {
      const from = patch.status
      patch = (await transitionPatch(attach.context, { id: attach.id, to: 'validating', expectedStatus: from, evidence: { note: `validation of ${parameters.manifestFile}` } }, attach.actor)).patch
      emit({ type: 'patch-moved', patchId: attach.id, from, to: 'validating' })
    }
  }
  const run = await runPipeline({
    manifest,
    manifestDir: parameters.manifestDir,
    rpcUrl: parameters.rpcUrl,
    blockNumber: parameters.blockNumber,
    stages: parameters.stages,
    reproducibility: parameters.reproducibility,
    env: parameters.env,
    onEvent: emit,
    signal: parameters.signal,
  })
  const report = createReport(run, { toolVersion: parameters.toolVersion })
  if (!attach || !patch) return { report, patch, outcome: undefined }
  const recorded = await recordValidationRun(attach.context, { patchId: attach.id, report: { hash: report.hash, ...report.document } as never }, attach.actor)
  if (recorded.outcome !== 'errored') emit({ type: 'patch-moved', patchId: attach.id, from: 'validating', to: recorded.outcome })
  return { report, patch: recorded.patch, outcome: recorded.outcome }
}

/** The run must be about the proxies the patch names, or its verdict says nothing about the patch. */
function assertSameTargets(file: string, manifest: PatchManifest, patch: Patch) {
  // A diamond cut's target is the diamond itself.
  const inManifest = new Set([...manifest.targets.map((target) => getAddress(target.proxy)), ...(manifest.diamondCut ? [getAddress(manifest.diamondCut.diamond)] : [])])
  const inPatch = new Set(patch.targets.map((target) => getAddress(target.proxy)))
  const missing = [...inPatch].filter((proxy) => !inManifest.has(proxy))
  const extra = [...inManifest].filter((proxy) => !inPatch.has(proxy))
  if (missing.length + extra.length > 0) {
    throw new ManifestInvalidError({
      file,
      issues: [
        ...missing.map((proxy) => ({ path: 'targets', message: `patch ${patch.id} upgrades ${proxy}, which the manifest does not validate` })),
        ...extra.map((proxy) => ({ path: 'targets', message: `${proxy} is not a target of patch ${patch.id}` })),
      ],
    })
  }
}
