import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startTestServer, type TestServer } from '../server/testServer.js'
import { parsePrometheusText } from './parsePrometheusText.js'

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
