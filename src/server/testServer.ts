import { generateKeyPairSync } from 'node:crypto'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifyInstance } from 'fastify'
import type { LifecycleContext } from '../lifecycle/context.js'
import { signingKeyFromPem } from '../lifecycle/signingKey.js'
import { roles, type Role } from '../lifecycle/types.js'
import { openStore, type OpenStoreParameters } from '../store/openStore.js'
import { testDatabaseUrl } from '../store/testDatabaseUrl.js'
import { createApiToken } from './auth.js'
import { createServer } from './createServer.js'
import type { ServerOptionsInput } from './options.js'

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv

/**
 * The databases the server suites run on: PGlite and PostgreSQL (`testDatabaseUrl`), always. The
 * URL is read when the store opens, so a missing server fails the PostgreSQL variant's tests
 * with the reason instead of failing the file while it is collected.
 */
export function testBackends(): [string, OpenStoreParameters][] {
  const postgres = {
    get databaseUrl() {
      return testDatabaseUrl()
    },
  }
  return [
    ['PGlite', { dataDir: 'memory://' }],
    ['PostgreSQL', postgres],
  ]
}

export type TestServer = {
  app: FastifyInstance
  context: LifecycleContext
  /** One token per role, labelled uniquely for this run (runs may share a PostgreSQL server). */
  tokens: Record<Role, string>
  /** Actor ids (token labels) per role. */
  labels: Record<Role, string>
  close(): Promise<void>
}

/** A server over a fresh lifecycle context, with one token per role. */
export async function startTestServer(store: OpenStoreParameters, options: ServerOptionsInput = {}): Promise<TestServer> {
  const { privateKey } = generateKeyPairSync('ed25519')
  const context: LifecycleContext = {
    store: await openStore(store),
    signingKey: signingKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
  }
  const run = Math.random().toString(36).slice(2, 10)
  const tokens = {} as Record<Role, string>
  const labels = {} as Record<Role, string>
  for (const role of roles) {
    labels[role] = `${role}-${run}`
    tokens[role] = (await createApiToken(context, { roles: [role], label: labels[role] }, { id: 'test-setup', roles: ['admin'] })).token
  }
  const app = await createServer({ context, options: { logLevel: 'silent', ...options } })
  return {
    app,
    context,
    tokens,
    labels,
    async close() {
      await app.close()
      await context.store.close()
    },
  }
}

type OpenApiDocument = {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: object }> }> }>>
}

/**
 * Checks responses against the response schemas of the served OpenAPI document (not against
 * the server's own zod schemas): what a client generated from /openapi.json would expect.
 * Returns the list of problems (empty when the response conforms).
 */
export function openApiResponseValidator(document: unknown) {
  const doc = document as OpenApiDocument
  const ajv = new Ajv({ strict: false, allErrors: true })
  addFormats(ajv)
  const compiled = new Map<string, ValidateFunction>()
  return (route: { method: string; url: string }, response: { statusCode: number; headers: Record<string, unknown>; body?: string }): string[] => {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
    const operation = doc.paths[path]?.[route.method.toLowerCase()]
    if (!operation) return [`${route.method} ${path} is not in the OpenAPI document`]
    const status = String(response.statusCode)
    const key = status in operation.responses ? status : [`${status[0]}XX`, `${status[0]}xx`].find((range) => range in operation.responses)
    if (key === undefined) return [`${route.method} ${path}: status ${status} is not documented`]
    const content = operation.responses[key]?.content ?? {}
    const mediaType = String(response.headers['content-type'] ?? '').split(';')[0]!.trim()
    const entry = content[mediaType]
    if (!entry) return [`${route.method} ${path} ${status}: content type "${mediaType}" is not documented (${Object.keys(content).join(', ')})`]
    if (mediaType !== 'application/json') return []
    const cacheKey = `${route.method} ${path} ${key}`
    let validate = compiled.get(cacheKey)
    if (!validate) {
      validate = ajv.compile(entry.schema ?? {})
      compiled.set(cacheKey, validate)
    }
    if (validate(JSON.parse(response.body ?? 'null'))) return []
    return (validate.errors ?? []).map((error) => `${route.method} ${path} ${status}: ${error.instancePath || '(body)'} ${error.message ?? ''}`)
  }
}
