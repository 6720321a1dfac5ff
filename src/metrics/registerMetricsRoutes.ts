import type { FastifyInstance } from 'fastify'
import type { Store } from '../store/openStore.js'
import { httpRequestSeconds, registerQueueDepth, registry } from './registry.js'

/** A monitor lease whose holder has not written a heartbeat for this long is stale (its monitor is gone or stuck). */
const leaseStaleMs = 10_000

/**
 * Operations endpoints of an API process, outside the OpenAPI document and without a token
 * (scraped from inside the deployment; keep them off the public ingress):
 * `GET /metrics` (Prometheus text format) and `GET /ready` (database, monitor leases, queue).
 * Also times every request into `bulwark_http_request_duration_seconds`.
 */
export function registerMetricsRoutes(app: FastifyInstance, { store }: { store: Store }): void {
  registerQueueDepth(store)
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched'
    if (route === '/metrics') return
    httpRequestSeconds.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000)
  })
  app.get('/metrics', { config: { rateLimit: false } }, async (_request, reply) => {
    const body = await registry.metrics()
    return reply.type(registry.contentType).send(body)
  })
  app.get('/ready', { config: { rateLimit: false } }, async (_request, reply) => {
    const checks = await readiness(store)
    return reply.status(checks.ready ? 200 : 503).type('application/json').send(checks)
  })
}

export type Readiness = {
  ready: boolean
  database: { ok: boolean; ms: number; error?: string }
  monitors: { shard: string; holder: string; heartbeatAgeMs: number; stale: boolean }[]
  jobs?: { queued: number; running: number; oldestQueuedAgeMs: number | null }
}

/** Ready: the database answers and every monitor shard that has a lease has a live holder. */
export async function readiness(store: Pick<Store, 'query'>): Promise<Readiness> {
  const started = performance.now()
  try {
    await store.query('SELECT 1')
  } catch (error) {
    return { ready: false, database: { ok: false, ms: Math.round(performance.now() - started), error: error instanceof Error ? error.message.split('\n')[0]! : String(error) }, monitors: [] }
  }
  const database = { ok: true, ms: Math.round(performance.now() - started) }
  const leases = await store.query<{ shard: string; holder: string; age_ms: string | number }>(
    'SELECT shard, holder, extract(epoch FROM (now() - heartbeat_at)) * 1000 AS age_ms FROM monitor_leases ORDER BY shard',
  )
  const monitors = leases.map((lease) => ({ shard: lease.shard, holder: lease.holder, heartbeatAgeMs: Math.round(Number(lease.age_ms)), stale: Number(lease.age_ms) > leaseStaleMs }))
  const [jobs] = await store.query<{ queued: string | number; running: string | number; oldest_ms: string | number | null }>(
    `SELECT count(*) FILTER (WHERE state = 'queued') AS queued, count(*) FILTER (WHERE state = 'running') AS running,
            extract(epoch FROM (now() - min(created_at) FILTER (WHERE state = 'queued'))) * 1000 AS oldest_ms FROM bulwark_jobs`,
  )
  return {
    ready: monitors.every((monitor) => !monitor.stale),
    database,
    monitors,
    ...(jobs ? { jobs: { queued: Number(jobs.queued), running: Number(jobs.running), oldestQueuedAgeMs: jobs.oldest_ms === null ? null : Math.round(Number(jobs.oldest_ms)) } } : {}),
  }
}
