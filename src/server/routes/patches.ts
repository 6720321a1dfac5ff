import { z } from 'zod'
import { createPatch, createPatchInputSchema } from '../../lifecycle/createPatch.js'
import { getPatch } from '../../lifecycle/getPatch.js'
import { listPatches, listPatchesFilterSchema } from '../../lifecycle/listPatches.js'
import { recordApproval, recordApprovalInputSchema } from '../../lifecycle/recordApproval.js'
import { listApprovalSigners, registerApprovalSigner, registerApprovalSignerInputSchema } from '../../lifecycle/registerApprovalSigner.js'
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
  summary: "Records an approval from its EIP-712 PatchApproval signature (a registered signer address, over patch id, validated report hash and chain id); 422 BW_APPROVAL_SIGNATURE_INVALID without one. The approval that reaches the threshold moves the patch to `approved`.",
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

export const registerApprovalSignerRoute = defineRoute({
  method: 'POST',
  url: '/approval-signers',
  summary: 'Registers (or, with `revoke: true`, revokes) an address whose EIP-712 PatchApproval signatures count as approvals. Admin only; audited.',
  tag: 'patches',
  permission: 'config:write',
  body: registerApprovalSignerInputSchema,
  status: 201,
  response: z.record(z.string(), z.unknown()),
  handler: async ({ body, actor, env }) => toJsonValue(await registerApprovalSigner(env.context, body, actor)) as Record<string, unknown>,
})

export const listApprovalSignersRoute = defineRoute({
  method: 'GET',
  url: '/approval-signers',
  summary: 'The registered approval signers (address, label, who registered them, revoked or not).',
  tag: 'patches',
  permission: 'advisory:read',
  response: z.strictObject({ signers: z.array(z.record(z.string(), z.unknown())) }),
  handler: async ({ actor, env }) => ({ signers: toJsonValue(await listApprovalSigners(env.context, actor)) as Record<string, unknown>[] }),
})
