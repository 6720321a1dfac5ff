import type { FastifyReply, FastifyRequest } from 'fastify'
import type { z } from 'zod'
import type { LifecycleContext } from '../lifecycle/context.js'
import type { Permission } from '../lifecycle/permissions.js'
import type { Actor } from '../lifecycle/types.js'
import type { ServerOptions } from './options.js'
import type { DemoDevnet } from '../operations/playDemo.js'
import type { ReadCache, SerializedJson } from './readCache.js'
import type { AlertFeed, TransitionFeed } from './feeds.js'
import type { TokenCache } from './tokenCache.js'

/** What a handler runs with: the lifecycle context, the caller, the server's options and shared state. */
export type RouteEnvironment = {
  context: LifecycleContext
  options: ServerOptions
  tokens: TokenCache
  feed: TransitionFeed
  /** Alerts raised by any monitor sharing the database. */
  alerts: AlertFeed
  reads: ReadCache
  /** Ends each open event stream; run when the server closes. */
  streams: Set<() => void>
  /** The devnet this server was started with (`npm start`): the inventory view and the demo incident use it. */
  devnet?: DemoDevnet | undefined
}

export type HandlerInput<P, Q, B> = {
  params: P
  query: Q
  body: B
  /** The token's owner. On public routes: `{ id: 'anonymous', roles: [] }`. */
  actor: Actor
  env: RouteEnvironment
  request: FastifyRequest
  reply: FastifyReply
}

/**
 * One API route: method, path, the permission it needs (from the lifecycle's table; `null` for
 * the few public routes), zod schemas for each part of the request and for the success
 * response, and a handler whose argument and return types are inferred from those schemas.
 * Every route of the server is a value of this type, so tests enumerate them (the role matrix).
 */
export type RouteDefinition = {
  method: 'GET' | 'POST' | 'DELETE'
  url: string
  summary: string
  tag: string
  /** `null`: public; `'authenticated'`: any valid token, whatever its roles. */
  permission: Permission | 'authenticated' | null
  params?: z.ZodType | undefined
  querystring?: z.ZodType | undefined
  body?: z.ZodType | undefined
  /** Success status and body; `stream` routes answer `text/event-stream` and have no JSON body. */
  status: 200 | 201
  response: z.ZodType | 'stream'
  handler: (input: HandlerInput<unknown, unknown, unknown>) => Promise<unknown>
}

// The request as Fastify validated it (JSON Schema of the zod input side): zod's input types, not its transformed output.
type Infer<S> = S extends z.ZodType ? z.input<S> : undefined

export function defineRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType | 'stream' = z.ZodType,
>(route: {
  method: RouteDefinition['method']
  url: string
  summary: string
  tag: string
  permission: Permission | 'authenticated' | null
  params?: P
  querystring?: Q
  body?: B
  status?: 200 | 201
  response: R
  handler: (input: HandlerInput<Infer<P>, Infer<Q>, Infer<B>>) => Promise<R extends z.ZodType ? z.input<R> | SerializedJson : void>
}): RouteDefinition {
  return { ...route, status: route.status ?? 200, handler: route.handler as RouteDefinition['handler'] }
}
