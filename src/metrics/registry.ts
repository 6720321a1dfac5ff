import client from 'prom-client'
import type { Store } from '../store/openStore.js'

/**
 * The Prometheus series of one Bulwark process (`GET /metrics`). Every process kind (API,
 * worker, monitor) registers the same names; a series a process does not feed stays empty.
 * Rates (tx/s, requests/s) are the scraper's `rate()` over the counters.
 */
export const registry = new client.Registry()
client.collectDefaultMetrics({ register: registry, prefix: 'bulwark_process_' })

export const httpRequestSeconds = new client.Histogram({
  name: 'bulwark_http_request_duration_seconds',
  help: 'API request latency from the first byte in to the last byte out, by route pattern and status.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
})

export const jobSeconds = new client.Histogram({
  name: 'bulwark_job_duration_seconds',
  help: 'Time one job attempt ran on a worker, by kind and how it ended.',
  labelNames: ['kind', 'outcome'] as const,
  buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600],
  registers: [registry],
})

export const monitorBlocksBehind = new client.Gauge({
  name: 'bulwark_monitor_blocks_behind_head',
  help: "Blocks between the chain's head and the last block the monitor finished, per chain.",
  labelNames: ['chain'] as const,
  registers: [registry],
})

export const monitorTransactions = new client.Counter({
  name: 'bulwark_monitor_transactions_total',
  help: 'Transactions the monitor ran through its detectors, per chain (tx/s: rate()).',
  labelNames: ['chain'] as const,
  registers: [registry],
})

export const monitorBlocks = new client.Counter({
  name: 'bulwark_monitor_blocks_total',
  help: 'Blocks the monitor finished, per chain.',
  labelNames: ['chain'] as const,
  registers: [registry],
})

export const detectorSeconds = new client.Histogram({
  name: 'bulwark_monitor_detector_seconds',
  help: "Time the detectors spent on one block, per chain.",
  labelNames: ['chain'] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  registers: [registry],
})

export const monitorResponses = new client.Counter({
  name: 'bulwark_monitor_responses_total',
  help: 'Responses the monitor took, by outcome (sent, confirmed, failed, skipped, dry-run …).',
  labelNames: ['chain', 'outcome'] as const,
  registers: [registry],
})

export const monitorLeaseHeld = new client.Gauge({
  name: 'bulwark_monitor_lease_held',
  help: '1 while this process holds the monitor lease of the shard (chain), 0 while it stands by.',
  labelNames: ['shard'] as const,
  registers: [registry],
})

/** Jobs by state, read from the store at scrape time (one query; any process can serve it). */
export function registerQueueDepth(store: Pick<Store, 'query'>): void {
  if (registry.getSingleMetric('bulwark_jobs')) registry.removeSingleMetric('bulwark_jobs')
  new client.Gauge({
    name: 'bulwark_jobs',
    help: 'Jobs in the store by state (queued = queue depth).',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const rows = await store.query<{ state: string; count: string | number }>('SELECT state, count(*) AS count FROM bulwark_jobs GROUP BY state').catch(() => [])
      this.reset()
      for (const state of ['queued', 'running', 'completed', 'failed']) this.set({ state }, Number(rows.find((row) => row.state === state)?.count ?? 0))
    },
  })
}

export const metricsContentType = registry.contentType
