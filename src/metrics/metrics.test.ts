import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseEther, type PublicClient } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDevClient, createReadClient } from '../chain/clients.js'
import { devAccount } from '../chain/devAccounts.js'
import { startAnvil } from '../chain/startAnvil.js'
import { createDetectors } from '../monitor/detectors/createDetectors.js'
import { parsePolicy } from '../monitor/policy.js'
import { startMonitor } from '../monitor/runMonitor.js'
import type { Alert } from '../monitor/types.js'
import { startTestServer, type TestServer } from '../server/testServer.js'
import { openStore } from '../store/openStore.js'
import { parsePrometheusText } from './parsePrometheusText.js'
import { serveMetrics } from './serveMetrics.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ dataDir: 'memory://' })
})
afterAll(async () => server?.close())

describe('GET /metrics', () => {
  test('parses as the Prometheus text format and carries the API, job and monitor series', async () => {
    await server.app.inject({ method: 'GET', url: '/health' })
    await server.app.inject({ method: 'GET', url: '/whoami', headers: { authorization: `Bearer ${server.tokens.viewer}` } })
    await server.context.store.query(`INSERT INTO bulwark_jobs (id, kind, input, state, created_by) VALUES ('j-metrics', 'validate', '{}', 'queued', 'test')`)
    const response = await server.app.inject({ method: 'GET', url: '/metrics' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
    const { samples, types } = parsePrometheusText(response.body)
    expect(types.get('bulwark_http_request_duration_seconds')).toBe('histogram')
    const healthCount = samples.find((s) => s.name === 'bulwark_http_request_duration_seconds_count' && s.labels['route'] === '/health' && s.labels['status'] === '200')
    expect(healthCount?.value).toBeGreaterThanOrEqual(1)
    expect(samples.find((s) => s.name === 'bulwark_jobs' && s.labels['state'] === 'queued')?.value).toBe(1)
    for (const [name, type] of [
      ['bulwark_job_duration_seconds', 'histogram'],
      ['bulwark_monitor_blocks_behind_head', 'gauge'],
      ['bulwark_monitor_transactions_total', 'counter'],
      ['bulwark_monitor_detector_seconds', 'histogram'],
      ['bulwark_monitor_responses_total', 'counter'],
      ['bulwark_monitor_lease_held', 'gauge'],
    ] as const) expect(types.get(name), name).toBe(type)
  })

  test('a malformed line would be refused by the parser (the check can fail)', () => {
    expect(() => parsePrometheusText('bulwark_x{a="1" 2')).toThrow(/not Prometheus text format/)
  })
})

describe('GET /ready', () => {
  test('ready with a live monitor lease, 503 naming the shard when its heartbeat is stale', async () => {
    await server.context.store.query(`INSERT INTO monitor_leases (shard, holder, acquired_at, heartbeat_at) VALUES ('chain:31337', 'monitor-a', now(), now())`)
    const live = await server.app.inject({ method: 'GET', url: '/ready' })
    expect(live.statusCode).toBe(200)
    expect(live.json()).toMatchObject({ ready: true, database: { ok: true }, monitors: [{ shard: 'chain:31337', holder: 'monitor-a', stale: false }] })
    await server.context.store.query(`UPDATE monitor_leases SET heartbeat_at = now() - interval '1 minute' WHERE shard = 'chain:31337'`)
    const stale = await server.app.inject({ method: 'GET', url: '/ready' })
    expect(stale.statusCode).toBe(503)
    expect(stale.json()).toMatchObject({ ready: false, monitors: [{ shard: 'chain:31337', stale: true }] })
  })
})

describe('GET /metrics of a running monitor', () => {
  test('records blocks behind head, transactions and blocks judged, detector time and responses by outcome, per chain', async () => {
    const anvil = await startAnvil()
    const dir = await mkdtemp(path.join(tmpdir(), 'bulwark-metrics-monitor-'))
    const store = await openStore({ dataDir: path.join(dir, 'db') })
    const metrics = await serveMetrics({ port: 0 })
    try {
      const sender = devAccount(1)
      const wallet = createDevClient({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: sender })
      const alerts: Alert[] = []
      // the watched account sends most of its ETH away: a large outflow, answered by the notify rule
      const monitor = await startMonitor({
        client: createReadClient({ rpcUrl: anvil.rpcUrl }) as unknown as PublicClient,
        store,
        chain: { id: anvil.chainId, name: 'anvil' },
        scope: { contracts: [sender.address], releaseGates: [], authorities: [] },
        detectors: createDetectors(),
        policy: parsePolicy({ rules: [{ name: 'notify', minScore: 0, respond: [{ kind: 'notify' }] }] }),
        sinks: [{ name: 'memory', send: async (alert) => void alerts.push(alert) }],
        pendingIntervalMs: 0,
        blockIntervalMs: 50,
      })
      try {
        const hash = await wallet.sendTransaction({ to: devAccount(2).address, value: parseEther('9000') })
        await wallet.waitForTransactionReceipt({ hash, pollingInterval: 20 })
        const deadline = Date.now() + 60_000
        while (!alerts.some((alert) => alert.detector === 'large-outflow') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
        expect(alerts.map((alert) => alert.detector)).toContain('large-outflow')
      } finally {
        await monitor.stop()
      }
      const response = await fetch(metrics.url)
      expect(response.status).toBe(200)
      const { samples } = parsePrometheusText(await response.text())
      const chain = String(anvil.chainId)
      const value = (name: string, labels: Record<string, string> = {}) =>
        samples.find((s) => s.name === name && s.labels['chain'] === chain && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value
      expect(value('bulwark_monitor_transactions_total')).toBeGreaterThanOrEqual(1)
      expect(value('bulwark_monitor_blocks_total')).toBeGreaterThanOrEqual(1)
      expect(value('bulwark_monitor_detector_seconds_count')).toBe(value('bulwark_monitor_blocks_total'))
      expect(value('bulwark_monitor_blocks_behind_head')).toBe(0)
      expect(value('bulwark_monitor_responses_total', { outcome: 'skipped' })).toBeGreaterThanOrEqual(1)
      // one series per chain (and outcome), never per transaction or block
      expect(samples.filter((s) => s.name === 'bulwark_monitor_transactions_total')).toHaveLength(1)
    } finally {
      await metrics.close()
      await store.close()
      await anvil.stop()
      await rm(dir, { recursive: true, force: true })
    }
  }, 180_000)
})
