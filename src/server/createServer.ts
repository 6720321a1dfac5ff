import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import type { LifecycleContext } from '../lifecycle/context.js'
import { can } from '../lifecycle/permissions.js'
import type { Actor } from '../lifecycle/types.js'
import { ForbiddenError } from '../lifecycle/errors.js'
import { actorOfToken, type ApiToken } from './auth.js'
import { InputInvalidError, RateLimitedError, RouteNotFoundError, UnauthenticatedError } from './errors.js'
import { errorBody, findUnstorableValue, toHttpError } from './httpErrors.js'
import { resolveServerOptions, type ServerOptionsInput } from './options.js'
import type { RouteDefinition, RouteEnvironment } from './route.js'
import { apiRoutes } from './routes/all.js'
import { errorResponse, jsonSchema } from './schemas.js'
import { createReadCache, SerializedJson } from './readCache.js'
import { createTokenCache } from './tokenCache.js'
import { createAlertFeed, createTransitionFeed } from './feeds.js'
import { readDashboardFile } from './dashboardFiles.js'
import type { DemoDevnet } from '../operations/playDemo.js'
import { registerMetricsRoutes } from '../metrics/registerMetricsRoutes.js'
import { failInterruptedJobs } from '../jobs/failInterruptedJobs.js'

export type CreateServerParameters = {
  /** The lifecycle context (store + audit signing key) every route runs against. */
  context: LifecycleContext
  options?: ServerOptionsInput
  /** Where pino writes its JSON log lines (default: stdout). */
  logStream?: { write(line: string): void } | undefined
  /** The devnet to show in the dashboard's inventory and to play the demo incident on (`npm start`). */
  devnet?: DemoDevnet | undefined
  /** A built dashboard (`web/dist`) to serve at `/`; API routes keep their paths. */
  dashboardDir?: string | undefined
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified API token of the request, if it carried one. */
    bulwarkToken: ApiToken | null
    /** Why the request is not authenticated, when it is not. */
    bulwarkAuthFailure: 'missing' | 'malformed' | 'unknown' | null
  }
}

const anonymous: Actor = Object.freeze({ id: 'anonymous', roles: [] })

/**
 * Builds the HTTP API: every route of `routes/all.ts` with its schemas, the permission check
 * against the lifecycle's table, rate limiting, the body limit, JSON errors with stable
 * codes, and the OpenAPI document at `GET /openapi.json`. Call `app.listen()` to serve (the
 * caller owns the store: `app.close()` does not close it).
 */
export async function createServer({ context, options: input, logStream, devnet, dashboardDir }: CreateServerParameters): Promise<FastifyInstance> {
  const options = resolveServerOptions(input)
  const app = Fastify({
    bodyLimit: options.bodyLimit,
    exposeHeadRoutes: false,
    logger: {
      level: options.logLevel,
      // A token must never reach a log line.
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'], censor: '[redacted]' },
      ...(logStream ? { stream: logStream } : {}),
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    // Errors Fastify raises before any route or hook runs (a malformed percent-encoding, an over-long
    // path parameter) get the same `{ error: { code: "BW_…" } }` body as every other error.
    frameworkErrors: (error, _request, reply) => {
      const failure = toHttpError(error, { bodyLimit: options.bodyLimit })
      // the generic reply type of this early hook knows no status codes: send through the untyped view
      const raw = reply as unknown as { status(code: number): { type(value: string): { send(body: unknown): unknown } } }
      void raw.status(failure.httpStatus).type('application/json').send(errorBody(failure))
    },
  })
  // The embedded store's jobs run in its owner's process: those an earlier owner left unfinished are failed, not "running" for ever.
  await failInterruptedJobs(context.store)
  const tokens = createTokenCache(context.store, { ttlMs: options.tokenCacheMs })
  const feed = createTransitionFeed(context, { pollMs: options.eventsPollMs })
  const alerts = createAlertFeed(context, { pollMs: options.eventsPollMs })
  const reads = createReadCache(context.store, { maxEntries: options.readCacheEntries })
  const env: RouteEnvironment = { context, options, tokens, feed, alerts, reads, streams: new Set(), devnet }
  // On PostgreSQL other processes write too (another API process, the CLI, a monitor): their inserts
  // NOTIFY (migration 75) and wake this process's feeds at once; the poll stays as the safety net.
  // A token revoked elsewhere leaves this process's token cache at once too (migration 76).
  const stopListening = await context.store.listen?.('bulwark_changes', (change) => {
    if (change === 'lifecycle_transitions') feed.poke()
    else if (change === 'monitor_alert_stream') alerts.poke()
    else if (change.startsWith('api_tokens:')) tokens.evict(Number(change.slice('api_tokens:'.length)))
  })
  // Open event streams would keep `close()` waiting for ever: end them first.
  app.addHook('preClose', async () => {
    for (const end of [...env.streams]) end()
    feed.close()
    alerts.close()
    await stopListening?.()
  })

  app.decorateRequest('bulwarkToken', null)
  app.decorateRequest('bulwarkAuthFailure', null)
  // Resolving the token first lets the rate limit count per token; refusing happens later (preParsing),
  // after the rate limit, so unauthenticated floods are limited too.
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization
    if (header === undefined || header === '') {
      request.bulwarkAuthFailure = 'missing'
      return
    }
    const match = /^Bearer ([^\s]+)$/i.exec(header)
    if (!match) {
      request.bulwarkAuthFailure = 'malformed'
      return
    }
    const token = await tokens.resolve(match[1]!)
    if (token) request.bulwarkToken = token
    else request.bulwarkAuthFailure = 'unknown'
  })

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Bulwark API',
        version: '1',
        description: 'Advisories, patches, latency and the audit log. Errors are `{ "error": { "code", "message", … } }` with the codes of docs/errors.md.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token (`bulwark token create`).' } } },
    },
  })
  await app.register(rateLimit, {
    global: true,
    max: options.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request: FastifyRequest) => (request.bulwarkToken ? `token:${request.bulwarkToken.id}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) => new RateLimitedError({ max: Number(context.max), retryAfterSeconds: Math.ceil(context.ttl / 1000) }),
  })

  app.setErrorHandler((error, request, reply) => {
    const failure = toHttpError(error, { bodyLimit: options.bodyLimit })
    if (failure.httpStatus >= 500) request.log.error({ err: error }, 'request failed')
    return reply.status(failure.httpStatus).type('application/json').send(errorBody(failure))
  })
  app.setNotFoundHandler(async (request, reply) => {
    const page = dashboardDir && request.method === 'GET' ? await readDashboardFile(dashboardDir, request.url) : undefined
    if (page) return reply.status(200).type(page.type).header('cache-control', page.cache).send(page.body)
    const failure = new RouteNotFoundError({ method: request.method, url: request.url })
    return reply.status(failure.httpStatus).type('application/json').send(errorBody(failure))
  })

  for (const route of apiRoutes) registerRoute(app, route, env)
  // /metrics and /ready, and request timing (src/metrics)
  registerMetricsRoutes(app, { store: context.store })
  await app.ready()
  return app
}

function registerRoute(app: FastifyInstance, route: RouteDefinition, env: RouteEnvironment): void {
  const { permission } = route
  app.route({
    method: route.method,
    url: route.url,
    schema: {
      summary: route.summary,
      tags: [route.tag],
      ...(permission === null
        ? { security: [] }
        : { security: [{ bearer: [] }], description: permission === 'authenticated' ? 'Needs any valid token.' : `Needs permission \`${permission}\`.` }),
      ...(route.params ? { params: jsonSchema(route.params, 'input') } : {}),
      ...(route.querystring ? { querystring: jsonSchema(route.querystring, 'input') } : {}),
      ...(route.body ? { body: jsonSchema(route.body, 'input') } : {}),
      response: {
        ...(route.response === 'stream'
          ? { [route.status]: { description: 'A text/event-stream of transitions.', content: { 'text/event-stream': { schema: { type: 'string' } } } } }
          : { [route.status]: jsonSchema(route.response, 'output') }),
        '4xx': jsonSchema(errorResponse, 'output'),
        '5xx': jsonSchema(errorResponse, 'output'),
      },
    },
    // After validation (and coercion): text PostgreSQL cannot store (NUL, lone surrogates) and numbers
    // JSON allows but arithmetic does not (1e999 parses as Infinity) are refused here, by field.
    preHandler: async (request) => {
      for (const [part, value] of [['params', request.params], ['querystring', request.query], ['body', request.body]] as const) {
        const problem = findUnstorableValue(value, part)
        if (problem) throw new InputInvalidError(problem)
      }
    },
    // Before the body is read and validated: a caller without the right role learns nothing about the schema.
    preParsing: async (request) => {
      if (permission === null) return
      const token = request.bulwarkToken
      if (!token) throw new UnauthenticatedError({ reason: request.bulwarkAuthFailure ?? 'missing' })
      const actor = actorOfToken(token)
      if (permission !== 'authenticated' && !can(actor, permission)) throw new ForbiddenError({ permission, roles: actor.roles })
    },
    handler: async (request, reply) => {
      const actor = request.bulwarkToken ? actorOfToken(request.bulwarkToken) : anonymous
      const result = await route.handler({ params: request.params, query: request.query, body: request.body, actor, env, request, reply })
      if (route.response === 'stream') return reply
      // Cached answers were serialized by this route's serializer already; a JSON string is sent as is.
      if (result instanceof SerializedJson) return reply.status(route.status).type('application/json; charset=utf-8').send(result.text)
      return reply.status(route.status).send(result)
    },
  })
}
