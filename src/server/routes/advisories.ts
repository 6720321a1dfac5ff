import { z } from 'zod'
import { createAdvisory, createAdvisoryInputSchema } from '../../lifecycle/createAdvisory.js'
import { getAdvisory } from '../../lifecycle/getAdvisory.js'
import { listAdvisories, listAdvisoriesFilterSchema } from '../../lifecycle/listAdvisories.js'
import { listTransitions } from '../../lifecycle/listTransitions.js'
import { setContainment, setContainmentInputSchema } from '../../lifecycle/setContainment.js'
import { transitionAdvisory, transitionAdvisoryInputSchema } from '../../lifecycle/transitionAdvisory.js'
import { visibilityKey } from '../readCache.js'
import { defineRoute } from '../route.js'
import { advisoryResponse, toJsonValue, transitionResponse } from '../schemas.js'

/** `:id` of an advisory (ADV-1…). */
export const advisoryParams = z.strictObject({ id: z.string().min(1).max(100) })

export const listAdvisoriesRoute = defineRoute({
  method: 'GET',
  url: '/advisories',
  summary: 'Advisories the caller may see, newest first (embargoed ones it is not cleared for are left out).',
  tag: 'advisories',
  permission: 'advisory:read',
  querystring: listAdvisoriesFilterSchema,
  response: z.strictObject({ advisories: z.array(advisoryResponse) }),
  handler: async ({ query, actor, env, reply }) =>
    env.reads.json(`advisories|${visibilityKey(actor)}|${JSON.stringify(query)}`, (value) => String(reply.serialize(value)), async () => ({ advisories: toJsonValue(await listAdvisories(env.context, query, actor)) })),
})

export const createAdvisoryRoute = defineRoute({
  method: 'POST',
  url: '/advisories',
  summary: 'Records a new advisory in `reported`.',
  tag: 'advisories',
  permission: 'advisory:create',
  body: createAdvisoryInputSchema,
  status: 201,
  response: z.strictObject({ advisory: advisoryResponse, transition: transitionResponse }),
  handler: async ({ body, actor, env }) => {
    const result = toJsonValue(await createAdvisory(env.context, body, actor))
    env.feed.poke()
    return result
  },
})

export const getAdvisoryRoute = defineRoute({
  method: 'GET',
  url: '/advisories/:id',
  summary: 'One advisory; 404 BW_ADVISORY_NOT_FOUND when absent or embargoed from the caller (the same answer).',
  tag: 'advisories',
  permission: 'advisory:read',
  params: advisoryParams,
  response: z.strictObject({ advisory: advisoryResponse }),
  handler: async ({ params, actor, env, reply }) =>
    env.reads.json(
      `advisory|${visibilityKey(actor)}|${params.id}`,
      (value) => String(reply.serialize(value)),
      async () => ({ advisory: toJsonValue(await getAdvisory(env.context, params.id, actor)) }),
      // getAdvisory reads the advisory's row and nothing else (loadAdvisory)
      { advisory: params.id },
    ),
})

export const listAdvisoryTransitionsRoute = defineRoute({
  method: 'GET',
  url: '/advisories/:id/transitions',
  summary: "The advisory's timeline: its own, its containment's and its patches' transitions, oldest first.",
  tag: 'advisories',
  permission: 'advisory:read',
  params: advisoryParams,
  response: z.strictObject({ transitions: z.array(transitionResponse) }),
  handler: async ({ params, actor, env }) => ({ transitions: toJsonValue(await listTransitions(env.context, { advisoryId: params.id }, actor)) }),
})

export const transitionAdvisoryRoute = defineRoute({
  method: 'POST',
  url: '/advisories/:id/transitions',
  summary: 'Moves the advisory along its state machine (409 BW_TRANSITION_ILLEGAL names the allowed moves).',
  tag: 'advisories',
  permission: 'advisory:transition',
  params: advisoryParams,
  body: transitionAdvisoryInputSchema.omit({ id: true }),
  response: z.strictObject({ advisory: advisoryResponse, transitions: z.array(transitionResponse) }),
  handler: async ({ params, body, actor, env }) => {
    const result = toJsonValue(await transitionAdvisory(env.context, { ...body, id: params.id }, actor))
    env.feed.poke()
    return result
  },
})

export const setContainmentRoute = defineRoute({
  method: 'POST',
  url: '/advisories/:id/containment',
  summary: 'Records that the protocol was contained (pause, lockdown, circuit breaker) or that containment was lifted.',
  tag: 'advisories',
  permission: 'advisory:contain',
  params: advisoryParams,
  body: setContainmentInputSchema.omit({ id: true }),
  response: z.strictObject({ advisory: advisoryResponse, transition: transitionResponse }),
  handler: async ({ params, body, actor, env }) => {
    const result = toJsonValue(await setContainment(env.context, { ...body, id: params.id }, actor))
    env.feed.poke()
    return result
  },
})
