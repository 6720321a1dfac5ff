import { z } from 'zod'
import { roles } from '../../lifecycle/types.js'
import { createApiToken, listApiTokens, revokeApiToken } from '../auth.js'
import { defineRoute } from '../route.js'
import { apiTokenResponse, toJsonValue } from '../schemas.js'

const tokenId = z.strictObject({ id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) })

export const listTokensRoute = defineRoute({
  method: 'GET',
  url: '/tokens',
  summary: 'Active API tokens (never the tokens themselves).',
  tag: 'tokens',
  permission: 'token:manage',
  response: z.strictObject({ tokens: z.array(apiTokenResponse) }),
  handler: async ({ env }) => ({ tokens: toJsonValue(await listApiTokens(env.context.store)) }),
})

export const createTokenRoute = defineRoute({
  method: 'POST',
  url: '/tokens',
  summary: 'Creates an API token; the response is the only time the token is shown.',
  tag: 'tokens',
  permission: 'token:manage',
  body: z.strictObject({ label: z.string().min(1).max(64), roles: z.array(z.enum(roles)).min(1).max(roles.length) }),
  status: 201,
  response: z.strictObject({ token: z.string(), apiToken: apiTokenResponse }),
  handler: async ({ body, actor, env }) => {
    const { token, ...apiToken } = await createApiToken(env.context, body, actor)
    return { token, apiToken: toJsonValue(apiToken) }
  },
})

export const revokeTokenRoute = defineRoute({
  method: 'DELETE',
  url: '/tokens/:id',
  summary: 'Revokes an API token.',
  tag: 'tokens',
  permission: 'token:manage',
  params: tokenId,
  response: z.strictObject({ revoked: apiTokenResponse }),
  handler: async ({ params, actor, env }) => {
    const revoked = await revokeApiToken(env.context, params, actor)
    env.tokens.evict(revoked.id)
    return { revoked: toJsonValue(revoked) }
  },
})
