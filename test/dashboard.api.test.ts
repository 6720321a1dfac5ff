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
import type { DemoRun } from '../src/operations/playDemo.js'
import { startTestServer, type TestServer } from '../src/server/testServer.js'
import { decodeFunctionData, getAddress, parseAbi, type Hex } from 'viem'
import { createReadClient } from '../src/chain/clients.js'
import { devAccount, devRoles } from '../src/chain/devAccounts.js'
import { loadRelease } from '../src/release/releaseRecords.js'
import { signPlannedSafeTransaction } from '../src/release/safeTransactions.js'

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

/** A step of the patch's stored release plan (what an owner's wallet would be shown). */
async function plannedStep(patchId: string, step: number) {
  return (await loadRelease(dashboard.context.store, patchId)).plan.safeTransactions[step]!
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
    // The run waits for the last approval, so it is certainly still playing here. Exploit, the monitor's pause (the demo waits up
    // to 180 s for it on a loaded machine), validation and planning come first.
    // A failed run ends the wait at once, and the test fails with its reason (the step and what the monitor did).
    await expect.poll(async () => ((await get('/demo')).body.run as DemoRun | null)?.status ?? 'none', { timeout: 300_000, interval: 100 }).toMatch(/^(waiting|failed)$/)
    const started = (await get('/demo')).body.run as DemoRun
    expect(started.status, started.error ?? '').toBe('waiting')
    const again = await fetch(`${dashboard.base}/demo/runs`, { method: 'POST', headers: { authorization: `Bearer ${dashboard.token}`, 'content-type': 'application/json' }, body: '{"approvals":"auto"}' })
    expect(again.status).toBe(409)
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('BW_DEMO_RUNNING')
    const waiting = (await get('/demo')).body.run as DemoRun
    expect(waiting.steps.find((step) => step.id === 'approve')?.status).toBe('waiting')
    // A Safe owner confirms the schedule transaction in the dashboard: the confirmation is verified live and becomes the approval.
    const { signature } = await signPlannedSafeTransaction(devAccount(devRoles.safeOwners[1]!), await plannedStep(waiting.patchId!, 0))
    const approval = await fetch(`${dashboard.base}/multisig-transactions/${waiting.signing!.safeTxHashes[0]}/confirmations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${dashboard.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ signature }),
    })
    expect(approval.status).toBe(201)
    expect(await demo).toBe(0)
    const printed = demoIo.json<{ ok: boolean; run: DemoRun }>()
    expect(printed.ok).toBe(true)
    expect(printed.run.steps.map((step) => [step.id, step.status])).toEqual(
      ['exploit', 'pause', 'advisory', 'validate', 'approve', 'release', 'verify', 'unpause'].map((id) => [id, 'done']),
    )
  }, 480_000)

  test('incident view: the monitor\'s responder (the guardian key) sent the pause; the release module sent the release', async () => {
    const { body } = await get('/demo')
    expect(body.available).toBe(true)
    const run = body.run as DemoRun
    expect(run.status).toBe('done')
    expect(run.error).toBeNull()
    expect(run.advisoryId).toMatch(/^ADV-\d+$/)
    // The pause: a transaction the monitor's response pipeline recorded as mined, sent from the guardian key.
    const reader = createReadClient({ rpcUrl: anvil.rpcUrl })
    const pause = await reader.getTransaction({ hash: run.pause!.txHash })
    expect(getAddress(pause.from)).toBe(getAddress(protocol.guardian))
    expect(pause.to?.toLowerCase()).toBe(protocol.lendingPool.proxy.toLowerCase())
    expect(decodeFunctionData({ abi: parseAbi(['function pauseFor(uint256)']), data: pause.input }).functionName).toBe('pauseFor')
    const responses = await dashboard.context.store.query<{ tx_hash: string; status: string; kind: string }>("SELECT tx_hash, status, kind FROM monitor_responses WHERE status = 'mined'")
    expect(responses.map((r) => r.tx_hash)).toContain(run.pause!.txHash)
    // The advisory was opened by the monitor and contained by its pause.
    const advisory = (await get(`/advisories/${run.advisoryId}`)).body.advisory as { reporter: string }
    expect(advisory.reporter).toMatch(/^bulwark monitor/)
    // The release: the transactions the release module executed, recorded with the plan, each a Safe execTransaction of the plan's Safe.
    const executions = await dashboard.context.store.query<{ tx_hash: string; purpose: string }>('SELECT tx_hash, purpose FROM release_executions WHERE patch_id = $1 ORDER BY step', [run.patchId])
    expect(executions.map((e) => e.purpose)).toEqual(['schedule', 'execute'])
    for (const execution of executions) {
      const transaction = await reader.getTransaction({ hash: execution.tx_hash as Hex })
      expect(transaction.to?.toLowerCase()).toBe(protocol.safe.toLowerCase())
      expect(decodeFunctionData({ abi: parseAbi(['function execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)']), data: transaction.input }).functionName).toBe('execTransaction')
    }
    expect(run.signing?.reportHash).toMatch(/^0x[0-9a-f]{64}$/)
    expect(run.latency).not.toBeNull()
  })

  test('releases view: from the store — the plan, its executed transactions and the stored verification', async () => {
    const { body } = await get('/releases')
    const releases = body.releases as { patch: { id: string; status: string }; release: { route: string; executions: unknown[] } | null; verification: { ok: boolean; checks: { ok: boolean }[] } | null; overrides: unknown[] }[]
    expect(releases).toHaveLength(1)
    expect(releases[0]!.patch.status).toBe('verified')
    expect(releases[0]!.release).toMatchObject({ route: 'standard' })
    expect(releases[0]!.release!.executions).toHaveLength(2)
    expect(releases[0]!.verification?.ok).toBe(true)
    expect(releases[0]!.verification!.checks.length).toBeGreaterThan(0)
    expect(releases[0]!.verification!.checks.every((check) => check.ok)).toBe(true)
    expect(releases[0]!.overrides).toEqual([])
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
    expect(alerts.some((alert) => alert.response.kind === 'pause')).toBe(true)
    const ids = alerts.map((alert) => alert.streamId)
    expect(ids).toEqual([...ids].sort((a, b) => b - a))
  })
})
