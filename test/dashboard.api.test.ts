import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { deployDemoProtocol, type DemoProtocol } from '../src/chain/deployDemoProtocol.js'
import { startAnvil, type Anvil } from '../src/chain/startAnvil.js'
import { dashboardStateFile, startDashboard } from '../src/cli/commands/startDashboard.js'
import { main } from '../src/cli/main.js'
import { captureIo } from '../src/cli/testIo.js'
import { compileProject } from '../src/compile/compileProject.js'
import type { DemoRun } from '../src/server/playDemoIncident.js'
import { startTestServer, type TestServer } from '../src/server/testServer.js'

// The data behind each dashboard view, read through the HTTP API of the server `npm start` runs
// (startDashboard: devnet attached, monitor in-process), while `bulwark demo` plays the incident.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

let anvil: Anvil
let protocol: DemoProtocol
let cwd: string
let dashboard: Awaited<ReturnType<typeof startDashboard>>
let demo: Promise<number>
let demoIo: ReturnType<typeof captureIo>
let plain: TestServer

const get = async (url: string, token = dashboard.token) => {
  const response = await fetch(`${dashboard.base}${url}`, { headers: { authorization: `Bearer ${token}` } })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { error?: { code: string } } }
}

beforeAll(async () => {
  const build = await compileProject({ root })
  anvil = await startAnvil()
  protocol = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build })
  cwd = await mkdtemp(path.join(tmpdir(), 'bulwark-dashboard-'))
  dashboard = await startDashboard({ io: captureIo(cwd).io, devnet: { rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, protocol }, port: 0 })
  plain = await startTestServer({ dataDir: 'memory://' })
}, 180_000)

afterAll(async () => {
  await dashboard?.close()
  await plain?.close()
  await anvil?.stop()
  if (cwd) await rm(cwd, { recursive: true, force: true })
})

describe('without a devnet (plain `bulwark serve`)', () => {
  test('GET /inventory says unavailable; POST /demo/runs is 409 BW_DEMO_UNAVAILABLE', async () => {
    const inventory = await plain.app.inject({ method: 'GET', url: '/inventory', headers: { authorization: `Bearer ${plain.tokens.viewer}` } })
    expect(inventory.statusCode).toBe(200)
    expect(inventory.json()).toEqual({ available: false, labels: {}, inventory: null })
    const started = await plain.app.inject({ method: 'POST', url: '/demo/runs', headers: { authorization: `Bearer ${plain.tokens.admin}` }, payload: { approvals: 'auto' } })
    expect(started.statusCode).toBe(409)
    expect(started.json().error.code).toBe('BW_DEMO_UNAVAILABLE')
    const demoState = await plain.app.inject({ method: 'GET', url: '/demo', headers: { authorization: `Bearer ${plain.tokens.viewer}` } })
    expect(demoState.json()).toEqual({ available: false, run: null })
  })

  test('`bulwark demo` without a running dashboard fails with BW_DEMO_UNAVAILABLE', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'bulwark-nodash-'))
    try {
      const io = captureIo(empty)
      const code = await main(['demo', '--json'], io.io)
      expect(code).toBe(6)
      expect(io.json().error.code).toBe('BW_DEMO_UNAVAILABLE')
    } finally {
      await rm(empty, { recursive: true, force: true })
    }
  })
})

describe('the dashboard server of `npm start`', () => {
  test('leaves its URL and token for `bulwark demo` (mode 0600)', async () => {
    const state = JSON.parse(await readFile(dashboardStateFile(cwd), 'utf8')) as { url: string; token: string }
    expect(state.url).toBe(dashboard.base)
    expect(dashboard.url).toBe(`${dashboard.base}/#token=${dashboard.token}`)
    expect(dashboard.monitoring).toBe(true)
  })

  test('inventory view: the chain of control of the demo protocol, named, with findings', async () => {
    const { status, body } = await get('/inventory')
    expect(status).toBe(200)
    expect(body.available).toBe(true)
    const labels = body.labels as Record<string, string>
    expect(labels[protocol.lendingPool.proxy]).toBe('LendingPool')
    expect(labels[protocol.safe]).toBeDefined()
    expect(labels[protocol.safeOwners[0]!]).toBe('Safe owner 1')
    const text = JSON.stringify(body.inventory)
    for (const address of [protocol.lendingPool.proxy, protocol.timelock, protocol.safe]) expect(text).toContain(address)
  })

  test('`bulwark demo --wait-for-signer` plays the incident through the API; a second start meanwhile is 409 BW_DEMO_RUNNING; a signer approves over the API', async () => {
    demoIo = captureIo(cwd)
    demo = main(['demo', '--wait-for-signer', '--json'], demoIo.io)
    // The run waits for the last approval, so it is certainly still playing here.
    await expect.poll(async () => ((await get('/demo')).body.run as DemoRun | null)?.status ?? 'none', { timeout: 60_000, interval: 100 }).toBe('waiting')
    const again = await fetch(`${dashboard.base}/demo/runs`, { method: 'POST', headers: { authorization: `Bearer ${dashboard.token}`, 'content-type': 'application/json' }, body: '{"approvals":"auto"}' })
    expect(again.status).toBe(409)
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('BW_DEMO_RUNNING')
    const waiting = (await get('/demo')).body.run as DemoRun
    expect(waiting.steps.find((step) => step.id === 'approve')?.status).toBe('waiting')
    const approval = await fetch(`${dashboard.base}/patches/${waiting.patchId}/approvals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${dashboard.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ digest: waiting.signing!.reportHash, note: 'approved in the test' }),
    })
    expect(approval.status).toBe(201)
    expect(await demo).toBe(0)
    const printed = demoIo.json<{ ok: boolean; run: DemoRun }>()
    expect(printed.ok).toBe(true)
    expect(printed.run.steps.map((step) => [step.id, step.status])).toEqual(
      ['exploit', 'pause', 'advisory', 'validate', 'approve', 'release', 'verify', 'unpause'].map((id) => [id, 'done']),
    )
  }, 240_000)

  test('incident view: GET /demo has every step, the alert and response, what signers sign, and the latency report', async () => {
    const { body } = await get('/demo')
    expect(body.available).toBe(true)
    const run = body.run as DemoRun
    expect(run.status).toBe('done')
    expect(run.error).toBeNull()
    expect(run.advisoryId).toMatch(/^ADV-\d+$/)
    expect(run.alerts[0]?.response).toMatch(/paused the LendingPool/)
    expect(run.signing?.verdict).toBe('pass')
    expect(run.signing?.reportHash).toMatch(/^0x[0-9a-f]{64}$/)
    expect(run.signing?.calls.map((call) => call.function)).toEqual(['approvePatch', 'release'])
    expect(run.latency).not.toBeNull()
  })

  test('releases view: the demo patch is verified with every on-chain check passing', async () => {
    const { body } = await get('/releases')
    const releases = body.releases as { patch: { id: string; status: string }; verification: { status: string; checks: { ok: boolean }[] } | null }[]
    expect(releases).toHaveLength(1)
    expect(releases[0]!.patch.status).toBe('verified')
    expect(releases[0]!.verification?.status).toBe('verified')
    expect(releases[0]!.verification?.checks.length).toBeGreaterThan(0)
    expect(releases[0]!.verification?.checks.every((check) => check.ok)).toBe(true)
  })

  test('advisories and approvals views: the advisory and its approved patch with the report hash', async () => {
    const run = (await get('/demo')).body.run as DemoRun
    const advisory = await get(`/advisories/${run.advisoryId}`)
    expect(advisory.status).toBe(200)
    const patch = await get(`/patches/${run.patchId}`)
    expect(patch.status).toBe(200)
    expect(JSON.stringify(patch.body)).toContain(run.signing!.reportHash)
    const awaiting = await get('/patches?status=awaiting_approval')
    expect(awaiting.body.patches).toEqual([])
  })

  test('alerts panel: GET /alerts serves what the in-process monitor raised (newest first)', async () => {
    // The exploit drains the pool through re-entered withdrawals: the monitor sees it in the block it was mined in.
    await expect.poll(async () => ((await get('/alerts')).body.alerts as unknown[]).length, { timeout: 20_000, interval: 250 }).toBeGreaterThan(0)
    const { status, body } = await get('/alerts')
    expect(status).toBe(200)
    const alerts = body.alerts as { streamId: number; detector: string; response: { kind: string } }[]
    expect(alerts.map((alert) => alert.detector)).toContain('reentrancy')
    for (const alert of alerts) expect(alert.response.kind).toBe('notify')
    const ids = alerts.map((alert) => alert.streamId)
    expect(ids).toEqual([...ids].sort((a, b) => b - a))
  })
})
