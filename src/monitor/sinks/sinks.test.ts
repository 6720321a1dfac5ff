import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { openStore, type Store } from '../../store/openStore.js'
import type { Alert } from '../types.js'
import { createAlertStreamSink, latestStreamAlertId, listStreamAlerts } from './alertStream.js'
import { createStdoutSink } from './createStdoutSink.js'
import { createWebhookSink } from './createWebhookSink.js'

const alert: Alert = {
  id: '0x1234567890abcdef1234567890abcdef',
  detector: 'reentrancy',
  severity: 'critical',
  chain: 31337,
  block: null,
  tx: `0x${'ab'.repeat(32)}`,
  addresses: ['0x5FbDB2315678afecb367f032d93F642f64180aa3'],
  summary: 'LendingPool re-entered 4 times',
  evidence: { reentries: 4 },
  pending: true,
  riskScore: 90,
  response: { kind: 'pause', tx: `0x${'cd'.repeat(32)}` },
  raisedAt: '2026-01-01T00:00:00.000Z',
}

let received: { url: string; headers: IncomingHttpHeaders; body: unknown }[] = []
let status = 200
let base: string
const server = createServer((request, response) => {
  let text = ''
  request.on('data', (chunk: Buffer) => (text += chunk.toString()))
  request.on('end', () => {
    received.push({ url: request.url ?? '', headers: request.headers, body: JSON.parse(text) })
    response.statusCode = status
    response.end('ok')
  })
})

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())))

describe('sinks', () => {
  test('stdout: one JSON line per alert with the stable fields', async () => {
    const lines: string[] = []
    await createStdoutSink((line) => lines.push(line)).send(alert)
    expect(lines).toHaveLength(1)
    expect(lines[0]).not.toContain('\n')
    expect(Object.keys(JSON.parse(lines[0]!))).toEqual(['id', 'detector', 'severity', 'chain', 'block', 'tx', 'addresses', 'summary', 'evidence', 'pending', 'riskScore', 'response', 'raisedAt'])
  })

  test('webhook: the alert as JSON; Slack-compatible: a text and blocks', async () => {
    received = []
    status = 200
    await createWebhookSink({ url: `${base}/hook`, format: 'json', headers: { authorization: 'Bearer t' } }).send(alert)
    await createWebhookSink({ url: `${base}/slack`, format: 'slack' }).send(alert)
    expect(received[0]).toMatchObject({ url: '/hook', headers: { 'content-type': 'application/json', authorization: 'Bearer t' }, body: alert })
    expect(received[1]!.url).toBe('/slack')
    const slack = received[1]!.body as { text: string; blocks: unknown[] }
    expect(slack.text).toBe(`[CRITICAL] reentrancy on chain 31337, mempool (pending): LendingPool re-entered 4 times — risk 90, pause (tx 0x${'cd'.repeat(32)})`)
    expect(slack.blocks).toHaveLength(2)
  })

  test('webhook: a non-2xx answer is an error naming the host', async () => {
    status = 500
    const sink = createWebhookSink({ url: `${base}/hook`, format: 'json' })
    await expect(sink.send(alert)).rejects.toThrow(`webhook 127.0.0.1:${new URL(base).port} answered HTTP 500`)
  })

  describe('live stream', () => {
    let store: Store
    let dir: string
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'bulwark-stream-'))
      store = await openStore({ dataDir: dir })
    })
    afterAll(async () => {
      await store.close()
      await rm(dir, { recursive: true, force: true })
    })

    test('alerts are readable in order by any process sharing the store, from a given id', async () => {
      const sink = createAlertStreamSink(store)
      const before = await latestStreamAlertId(store)
      await sink.send(alert)
      await sink.send({ ...alert, id: '0x2', riskScore: 50 })
      const all = await listStreamAlerts(store, { afterId: before })
      expect(all.map((entry) => entry.alert)).toEqual([alert, { ...alert, id: '0x2', riskScore: 50 }])
      expect(await listStreamAlerts(store, { afterId: all[0]!.id })).toEqual([all[1]])
      expect(await latestStreamAlertId(store)).toBe(all[1]!.id)
    })
  })
})
