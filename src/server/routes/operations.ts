import path from 'node:path'
import { z } from 'zod'
import { operationsSetup, type OperationsSetup } from '../../jobs/handlers/operationsSetup.js'
import { releaseExecuteJob } from '../../jobs/handlers/releaseExecuteJob.js'
import { releasePlanJob } from '../../jobs/handlers/releasePlanJob.js'
import { assertManifestTargetsPatch, validateJob } from '../../jobs/handlers/validateJob.js'
import { verifyJob } from '../../jobs/handlers/verifyJob.js'
import { TransitionIllegalError } from '../../lifecycle/errors.js'
import { getPatch } from '../../lifecycle/getPatch.js'
import type { Actor } from '../../lifecycle/types.js'
import { ReleaseAlreadyExecutedError, ReleasePlanInvalidError } from '../../release/errors.js'
import { releaseRouteNames } from '../../release/plan.js'
import { loadRelease, nextReleaseStep } from '../../release/releaseRecords.js'
import { parseManifest } from '../../validate/loadManifest.js'
import { stageIds, type StageId } from '../../validate/stage.js'
import { InputInvalidError } from '../errors.js'
import { defineRoute, type RouteEnvironment } from '../route.js'
import { jobJson, jobResponse, startOperationJob, visibleJob } from './operationJobs.js'

/**
 * The lifecycle's long steps, started through the API: each checks what it can at once (the patch
 * exists for the caller, its state, the server's configuration) and answers a coded 4xx, or starts
 * the operation of src/operations as a job and answers 201 with the job. Progress, the result and
 * the patch's transitions arrive on /events; GET /jobs/{id} shows the record.
 */

const patchParams = z.strictObject({ id: z.string().min(1).max(100) })
const started = z.strictObject({ job: jobResponse })

function setupOf(env: RouteEnvironment): OperationsSetup {
  return operationsSetup(process.env, env.devnet)
}

const actorOf = (actor: Actor) => ({ id: actor.id, roles: [...actor.roles] })

/** Manifest paths resolve inside the server's project folder: no absolute path, no `..` segment. */
function assertPathsStayInside(value: unknown, field: string): void {
  if (typeof value === 'string') {
    if (path.isAbsolute(value) || value.split(/[\\/]/).includes('..')) throw new InputInvalidError({ field, message: 'paths in a manifest submitted to the API must be relative to the project folder, without ".."' })
    return
  }
  if (Array.isArray(value)) value.forEach((item, index) => assertPathsStayInside(item, `${field}.${index}`))
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) if (key !== 'rpcUrl') assertPathsStayInside(item, `${field}.${key}`)
}

export const startValidationRoute = defineRoute({
  method: 'POST',
  url: '/patches/:id/validation-runs',
  summary:
    "Validates the patch: the pipeline runs on the submitted manifest (which must upgrade exactly the patch's proxies) against the server's RPC endpoint for the manifest's chain, as a job; the stored run moves the patch to `validated` or `rejected`. 400 BW_MANIFEST_INVALID / BW_INPUT_INVALID, 404 BW_PATCH_NOT_FOUND, 409 BW_TRANSITION_ILLEGAL or BW_OPERATION_NOT_CONFIGURED.",
  tag: 'operations',
  permission: 'patch:transition',
  params: patchParams,
  body: z.strictObject({
    /** The patch manifest (docs/validate.md); its `chain.rpcUrl` is ignored: the server uses its own endpoint for `chain.chainId`. */
    manifest: z.record(z.string(), z.unknown()),
    stages: z.array(z.enum(stageIds as unknown as [StageId, ...StageId[]])).min(1).max(stageIds.length).optional(),
    block: z.string().regex(/^\d{1,20}$/, 'must be a block number').optional(),
    noRebuild: z.boolean().optional(),
  }),
  status: 201,
  response: started,
  handler: async ({ params, body, actor, env }) => {
    const patch = await getPatch(env.context, params.id, actor)
    if (patch.status !== 'proposed' && patch.status !== 'validating') {
      throw new TransitionIllegalError({ subject: `Patch ${patch.id}`, current: patch.status, requested: 'validating', allowed: [], hint: 'Only a proposed patch (or one whose validation errored) is validated; propose a new patch for a changed fix.' })
    }
    assertPathsStayInside(body.manifest, 'body.manifest')
    const manifest = parseManifest(JSON.stringify(body.manifest), 'manifest')
    assertManifestTargetsPatch('manifest', manifest, patch)
    const setup = setupOf(env)
    const chainId = manifest.chain.chainId ?? patch.chainId
    setup.rpcUrlOf(chainId)
    const input = {
      manifest: body.manifest,
      manifestDir: setup.projectRoot(),
      // The endpoint (it may carry an API key) is resolved where the job runs, never stored with it.
      rpcOfChain: { chainId },
      patchId: patch.id,
      actor: actorOf(actor),
      ...(body.stages ? { stages: body.stages } : {}),
      ...(body.block ? { block: body.block } : {}),
      ...(body.noRebuild !== undefined ? { noRebuild: body.noRebuild } : {}),
    }
    const job = await startOperationJob(env, { kind: 'validate', input, actor, handler: validateJob({ signingKey: env.context.signingKey, setup }) })
    return { job: jobJson(job) }
  },
})

export const planReleaseRoute = defineRoute({
  method: 'POST',
  url: '/patches/:id/release/plan',
  summary:
    "Plans the release of a validated patch on a route of the server's release configuration (default: the patch's route), as a job: the atomic batch from the stored validation report, its Safe transactions proposed to the owners, the patch moved to `awaiting_approval`. 404 BW_PATCH_NOT_FOUND, 422 BW_RELEASE_PLAN_INVALID, 409 BW_OPERATION_NOT_CONFIGURED.",
  tag: 'operations',
  permission: 'safe-tx:propose',
  params: patchParams,
  body: z.strictObject({ route: z.enum(releaseRouteNames).optional(), replace: z.boolean().optional() }).optional(),
  status: 201,
  response: started,
  handler: async ({ params, body, actor, env }) => {
    const patch = await getPatch(env.context, params.id, actor)
    const replace = body?.replace ?? false
    if (patch.status !== 'validated' && !(replace && patch.status === 'awaiting_approval')) {
      throw new ReleasePlanInvalidError({ reason: `patch ${patch.id} is ${patch.status}; only a validated patch gets a release plan${patch.status === 'awaiting_approval' ? ' (send replace: true to plan it again)' : ''}.` })
    }
    const setup = setupOf(env)
    await setup.release()
    setup.rpcUrlOf(patch.chainId)
    const input = { patchId: patch.id, actor: actorOf(actor), ...(body?.route ? { route: body.route } : {}), ...(replace ? { replace } : {}) }
    const job = await startOperationJob(env, { kind: 'release-plan', input, actor, handler: releasePlanJob({ signingKey: env.context.signingKey, setup }) })
    return { job: jobJson(job) }
  },
})

export const executeReleaseRoute = defineRoute({
  method: 'POST',
  url: '/patches/:id/release/execute',
  summary:
    "Executes the next step of the patch's stored release plan, as a job: the owners' stored confirmations re-verified live, the step submitted by the server's release key, the mined transaction checked on chain before the patch moves to `scheduled` or `released`. 404 BW_PATCH_NOT_FOUND / BW_RELEASE_NOT_FOUND, 409 BW_RELEASE_ALREADY_EXECUTED or BW_OPERATION_NOT_CONFIGURED.",
  tag: 'operations',
  permission: 'patch:transition',
  params: patchParams,
  status: 201,
  response: started,
  handler: async ({ params, actor, env }) => {
    const patch = await getPatch(env.context, params.id, actor)
    const record = await loadRelease(env.context.store, patch.id)
    if (record.status === 'released' || record.status === 'verified' || nextReleaseStep(record) === undefined) {
      throw new ReleaseAlreadyExecutedError({ patchId: patch.id, where: `the store records its release as ${record.status}` })
    }
    const setup = setupOf(env)
    setup.submitter()
    setup.rpcUrlOf(patch.chainId)
    const job = await startOperationJob(env, { kind: 'release-execute', input: { patchId: patch.id, actor: actorOf(actor) }, actor, handler: releaseExecuteJob({ signingKey: env.context.signingKey, setup }) })
    return { job: jobJson(job) }
  },
})

export const startVerificationRoute = defineRoute({
  method: 'POST',
  url: '/patches/:id/verifications',
  summary:
    "Verifies a released patch from the chain (`verifyRelease` against its stored plan), as a job; the result is stored and a pass moves the patch and its advisory to `verified`. 404 BW_PATCH_NOT_FOUND / BW_RELEASE_NOT_FOUND, 409 BW_TRANSITION_ILLEGAL (not released yet) or BW_OPERATION_NOT_CONFIGURED.",
  tag: 'operations',
  permission: 'patch:transition',
  params: patchParams,
  status: 201,
  response: started,
  handler: async ({ params, actor, env }) => {
    const patch = await getPatch(env.context, params.id, actor)
    await loadRelease(env.context.store, patch.id)
    if (patch.status !== 'released' && patch.status !== 'verified') {
      throw new TransitionIllegalError({ subject: `Patch ${patch.id}`, current: patch.status, requested: 'verified', allowed: [], hint: 'Only a released patch is verified: execute its release first (POST /patches/{id}/release/execute).' })
    }
    const setup = setupOf(env)
    setup.rpcUrlOf(patch.chainId)
    const job = await startOperationJob(env, { kind: 'verify', input: { patchId: patch.id, actor: actorOf(actor) }, actor, handler: verifyJob({ signingKey: env.context.signingKey, setup }) })
    return { job: jobJson(job) }
  },
})

export const getJobRoute = defineRoute({
  method: 'GET',
  url: '/jobs/:id',
  summary: "A job (validation, release step, verification): state, progress, result or error. A patch's job is visible to whoever may see the patch; 404 BW_JOB_NOT_FOUND otherwise, exactly as for a job that does not exist.",
  tag: 'operations',
  permission: 'advisory:read',
  params: z.strictObject({ id: z.string().min(1).max(100) }),
  response: z.strictObject({ job: jobResponse }),
  handler: async ({ params, actor, env }) => ({ job: jobJson(await visibleJob(env.context, params.id, actor)) }),
})
