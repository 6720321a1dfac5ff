import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { decodeFunctionData, getAddress, parseAbi, type Hex } from 'viem'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createReadClient } from '../src/chain/clients.js'
import { deployDemoProtocol, type DemoProtocol } from '../src/chain/deployDemoProtocol.js'
import { startAnvil, type Anvil } from '../src/chain/startAnvil.js'
import { startDashboard } from '../src/cli/commands/startDashboard.js'
import { captureIo } from '../src/cli/testIo.js'
import { compileProject } from '../src/compile/compileProject.js'
import { currentDemoRun } from '../src/operations/playDemo.js'
import { findChromium } from './chromium.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const dist = path.join(root, 'web', 'dist')
const shots = path.join(root, 'test-results', 'dashboard')

let anvil: Anvil
let protocol: DemoProtocol
let cwd: string
let dashboard: Awaited<ReturnType<typeof startDashboard>>
let browser: BrowserContext
let profile: string
let url: string

beforeAll(async () => {
  if (!existsSync(path.join(dist, 'index.html'))) throw new Error('web/dist is not built: run `npm run build` first')
  const build = await compileProject({ root })
  anvil = await startAnvil()
  protocol = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build })
  // The server `npm start` runs (startDashboard): the devnet attached and the monitor in-process with the
  // guardian key, which is what pauses the pool. A bare createServer has no monitor, so nothing pauses.
  cwd = await mkdtemp(path.join(tmpdir(), 'bulwark-browser-'))
  dashboard = await startDashboard({ io: captureIo(cwd).io, devnet: { rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, protocol }, port: 0 })
  expect(dashboard.monitoring).toBe(true)
  url = dashboard.url
  await mkdir(shots, { recursive: true })
  // The system's Chromium when there is one, else the one from the npm registry; none is a failure that names what is missing.
  const executable = await findChromium()
  console.log(`browser: ${executable.source}`)
  profile = await mkdtemp(path.join(tmpdir(), 'bulwark-chromium-'))
  // A fresh --user-data-dir per run (playwright passes it from launchPersistentContext).
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: executable.executablePath,
    env: { ...process.env, ...executable.env },
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  })
}, 240_000)

afterAll(async () => {
  await browser?.close()
  await dashboard?.close()
  await anvil?.stop()
  if (profile) await rm(profile, { recursive: true, force: true })
  if (cwd) await rm(cwd, { recursive: true, force: true })
})

/** Waits until the step is done; a failed step fails the test at once with the reason the page shows under it. */
async function stepDone(page: Page, step: string, timeout: number) {
  const item = page.locator(`li[data-step="${step}"]`)
  try {
    await page.locator(`li[data-step="${step}"][data-status="done"], li[data-step="${step}"][data-status="failed"]`).waitFor({ timeout })
  } catch (error) {
    // The server plays the run in this process: say where it stands.
    const run = currentDemoRun()
    throw new Error(`demo step ${step} not finished after ${timeout} ms; run ${run?.status}: ${JSON.stringify(run?.steps.map((s) => [s.id, s.status, s.detail]))}`, { cause: error })
  }
  if ((await item.getAttribute('data-status')) === 'failed') {
    await page.screenshot({ path: path.join(shots, `failed-${step}.png`), fullPage: true })
    throw new Error(`demo step ${step} failed: ${await item.textContent()}`)
  }
}

test('the dashboard plays the demo: each stage appears, a signer approves in the browser, the release is verified; no console errors', async () => {
  const page = await browser.newPage()
  const consoleErrors: string[] = []
  page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()))
  page.on('pageerror', (error) => consoleErrors.push(error.message))
  await page.goto(url)
  await page.getByRole('button', { name: 'Run the demo incident' }).click()
  // The demo waits up to 180 s for the monitor's pause (a loaded CI machine); the page waits a little longer.
  for (const step of ['exploit', 'pause', 'advisory', 'validate']) await stepDone(page, step, step === 'pause' ? 200_000 : 120_000)
  await page.locator('li[data-step="approve"][data-status="waiting"]').waitFor({ timeout: 60_000 })
  await page.screenshot({ path: path.join(shots, '1-incident-waiting.png'), fullPage: true })

  await page.getByRole('link', { name: 'Approvals' }).click()
  await expect.poll(() => page.getByTestId('approval-progress').textContent(), { timeout: 30_000 }).toBe('1 of 2')
  await expect.poll(async () => (await page.locator('dd.hash').first().textContent()) ?? '', { timeout: 30_000 }).toMatch(/^0x[0-9a-f]{64}$/)
  await page.screenshot({ path: path.join(shots, '2-approvals.png'), fullPage: true })
  await page.getByRole('button', { name: 'Approve as signer' }).click()
  // The approval that reaches the threshold moves the patch out of awaiting_approval: the card leaves the list, the view keeps the message.
  await expect.poll(() => page.getByTestId('approval-message').textContent(), { timeout: 30_000 }).toMatch(/^Approval recorded for PATCH-/)
  await page.getByRole('button', { name: 'Approve as signer' }).waitFor({ state: 'detached', timeout: 30_000 })

  await page.getByRole('link', { name: 'Incident' }).click()
  for (const step of ['approve', 'release', 'verify', 'unpause']) await stepDone(page, step, 120_000)
  await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 30_000 }).toBe('done')
  await assertSenders(page)
  await page.screenshot({ path: path.join(shots, '3-incident-done.png'), fullPage: true })

  await page.getByRole('link', { name: 'Releases' }).click()
  await expect.poll(() => page.locator('[data-testid^="release-"]').first().textContent(), { timeout: 30_000 }).toBe('verified')
  await page.screenshot({ path: path.join(shots, '4-releases.png'), fullPage: true })

  await page.getByRole('link', { name: 'Advisories' }).click()
  await page.getByTestId('verdict').waitFor({ timeout: 30_000 })
  expect(await page.getByTestId('verdict').textContent()).toBe('pass')
  await page.getByRole('link', { name: 'Inventory' }).click()
  await page.getByRole('img', { name: /Control graph/ }).waitFor({ timeout: 60_000 })
  await page.screenshot({ path: path.join(shots, '5-inventory.png'), fullPage: true })
  // A phone viewport: the same views render.
  await page.setViewportSize({ width: 390, height: 844 })
  await page.screenshot({ path: path.join(shots, '6-inventory-phone.png'), fullPage: true })

  expect(consoleErrors).toEqual([])
}, 600_000)

/**
 * Who sent what, from the chain and the store: the pause came from the monitor's responder (the
 * guardian key, recorded in its response ledger), the approval the browser made is a verified EIP-712
 * PatchApproval of the demo signer, and the release went through the release module (its recorded
 * executions, each the plan Safe's execTransaction).
 */
async function assertSenders(page: Page) {
  const run = currentDemoRun()!
  expect(run.status).toBe('done')
  const reader = createReadClient({ rpcUrl: anvil.rpcUrl })
  const pause = await reader.getTransaction({ hash: run.pause!.txHash })
  expect(getAddress(pause.from)).toBe(getAddress(protocol.guardian))
  expect(pause.to?.toLowerCase()).toBe(protocol.lendingPool.proxy.toLowerCase())
  expect(decodeFunctionData({ abi: parseAbi(['function pauseFor(uint256)']), data: pause.input }).functionName).toBe('pauseFor')
  const responses = await dashboard.context.store.query<{ tx_hash: string }>("SELECT tx_hash FROM monitor_responses WHERE status = 'mined' AND kind = 'contract-call'")
  expect(responses.map((r) => r.tx_hash)).toContain(run.pause!.txHash)
  expect(await page.locator('li[data-step="pause"]').textContent()).toContain(run.pause!.txHash)

  const approvals = await dashboard.context.store.query<{ signer: string; kind: string }>('SELECT signer, kind FROM patch_approvals WHERE patch_id = $1 ORDER BY at', [run.patchId])
  expect(approvals.map((a) => `${a.kind} ${a.signer.toLowerCase()}`)).toEqual([`safe-confirmation ${protocol.safeOwners[0]!.toLowerCase()}`, `eip712 ${run.signing!.demoSigner.address.toLowerCase()}`])

  const executions = await dashboard.context.store.query<{ tx_hash: string; purpose: string }>('SELECT tx_hash, purpose FROM release_executions WHERE patch_id = $1 ORDER BY step', [run.patchId])
  expect(executions.map((e) => e.purpose)).toEqual(['schedule', 'execute'])
  for (const execution of executions) {
    const transaction = await reader.getTransaction({ hash: execution.tx_hash as Hex })
    expect(transaction.to?.toLowerCase()).toBe(protocol.safe.toLowerCase())
    expect(decodeFunctionData({ abi: parseAbi(['function execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)']), data: transaction.input }).functionName).toBe('execTransaction')
  }
}
