import { z } from 'zod'
import { createPatch, createPatchInputSchema } from '../../lifecycle/createPatch.js'
import { getPatch } from '../../lifecycle/getPatch.js'
import { listPatches, listPatchesFilterSchema } from '../../lifecycle/listPatches.js'
import { recordApproval, recordApprovalInputSchema } from '../../lifecycle/recordApproval.js'
import { transitionPatch, transitionPatchInputSchema } from '../../lifecycle/transitionPatch.js'
import { visibilityKey } from '../readCache.js'
import { defineRoute } from '../route.js'
import { advisoryResponse, approvalResponse, patchResponse, toJsonValue, transitionResponse } from '../schemas.js'

const patchParams = z.strictObject({ id: z.string().min(1).max(100) })

export const listPatchesRoute = defineRoute({
  method: 'GET',
  url: '/patches',
  summary: 'Patches the caller may see, newest first; `advisoryId` narrows to one advisory.',
  tag: 'patches',
  permission: 'advisory:read',
  querystring: listPatchesFilterSchema,
  response: z.strictObject({ patches: z.array(patchResponse) }),
  handler: async ({ query, actor, env, reply }) =>
    env.reads.json(`patches|${visibilityKey(actor)}|${JSON.stringify(query)}`, (value) => String(reply.serialize(value)), async () => ({ patches: toJsonValue(await listPatches(env.context, query, actor)) })),
})

export const createPatchRoute = defineRoute({
  method: 'POST',
  url: '/patches',
  summary: 'Proposes a patch for a triaged advisory (which then enters `patching`).',
  tag: 'patches',
  permission: 'patch:create',
  body: createPatchInputSchema,
  status: 201,
  response: z.strictObject({ patch: patchResponse, advisory: advisoryResponse, transitions: z.array(transitionResponse) }),
  handler: async ({ body, actor, env }) => {
    const result = toJsonValue(await createPatch(env.context, body, actor))
    env.feed.poke()
    return result
  },
})

export const getPatchRoute = defineRoute({
  method: 'GET',
  url: '/patches/:id',
  summary: 'One patch with its approvals; 404 BW_PATCH_NOT_FOUND when absent or its advisory is embargoed from the caller.',
  tag: 'patches',
  permission: 'advisory:read',
  params: patchParams,
  response: z.strictObject({ patch: patchResponse }),
  handler: async ({ params, actor, env, reply }) =>
    env.reads.json(`patch|${visibilityKey(actor)}|${params.id}`, (value) => String(reply.serialize(value)), async () => ({ patch: toJsonValue(await getPatch(env.context, params.id, actor)) })),
})

export const transitionPatchRoute = defineRoute({
  method: 'POST',
  url: '/patches/:id/transitions',
  summary: 'Moves the patch along its state machine; releasing or verifying it moves its advisory too.',
  tag: 'patches',
  permission: 'patch:transition',
  params: patchParams,
  body: transitionPatchInputSchema.omit({ id: true }),
  response: z.strictObject({ patch: patchResponse, advisory: advisoryResponse, transitions: z.array(transitionResponse) }),
  handler: async ({ params, body, actor, env }) => {
    const result = toJsonValue(await transitionPatch(env.context, { ...body, id: params.id }, actor))
    env.feed.poke()
    return result
  },
})

export const approvePatchRoute = defineRoute({
  method: 'POST',
  url: '/patches/:id/approvals',
  summary: "Records the calling signer's approval; the approval that reaches the threshold moves the patch to `approved`.",
  tag: 'patches',
  permission: 'patch:approve',
  params: patchParams,
  body: recordApprovalInputSchema.omit({ patchId: true }),
  status: 201,
  response: z.strictObject({ patch: patchResponse, approval: approvalResponse, transition: transitionResponse.optional() }),
  handler: async ({ params, body, actor, env }) => {
    const result = toJsonValue(await recordApproval(env.context, { ...body, patchId: params.id }, actor))
    env.feed.poke()
    return result
  },
})
