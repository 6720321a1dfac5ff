import { z } from 'zod'
import { roles } from '../../lifecycle/types.js'
import { defineRoute } from '../route.js'

/** Liveness and readiness: answers 200 when the database answers. No token needed. */
export const healthRoute = defineRoute({
  method: 'GET',
  url: '/health',
  summary: 'Whether the server and its database answer.',
  tag: 'meta',
  permission: null,
  response: z.strictObject({ ok: z.literal(true), store: z.enum(['pglite', 'postgres']) }),
  handler: async ({ env }) => {
    await env.context.store.query('SELECT 1')
    return { ok: true as const, store: env.context.store.kind }
  },
})

/** The OpenAPI 3.1 document of this server (public: it describes routes, not data). */
export const openApiRoute = defineRoute({
  method: 'GET',
  url: '/openapi.json',
  summary: 'The OpenAPI document of this API.',
  tag: 'meta',
  permission: null,
  response: z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) }),
  handler: async ({ request }) => request.server.swagger() as unknown as { openapi: string; paths: Record<string, unknown> },
})

/** Who the token belongs to: the actor id the audit log records for it, and its roles. */
export const whoamiRoute = defineRoute({
  method: 'GET',
  url: '/whoami',
  summary: "The calling token's actor id (its label) and roles.",
  tag: 'meta',
  permission: 'authenticated',
  response: z.strictObject({ actor: z.strictObject({ id: z.string(), roles: z.array(z.enum(roles)) }) }),
  handler: async ({ actor }) => ({ actor: { id: actor.id, roles: [...actor.roles] } }),
})
