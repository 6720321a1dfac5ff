import { generateKeyPairSync } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { deployDemoProtocol } from '../src/chain/deployDemoProtocol.js'
import { startAnvil, type Anvil } from '../src/chain/startAnvil.js'
import { compileProject } from '../src/compile/compileProject.js'
import type { LifecycleContext } from '../src/lifecycle/context.js'
import { signingKeyFromPem } from '../src/lifecycle/signingKey.js'
import { createApiToken } from '../src/server/auth.js'
import { createServer } from '../src/server/createServer.js'
import { currentDemoRun } from '../src/operations/playDemo.js'
import { openStore } from '../src/store/openStore.js'
import { findChromium } from './chromium.js'
import type { FastifyInstance } from 'fastify'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const dist = path.join(root, 'web', 'dist')
const shots = path.join(root, 'test-results', 'dashboard')

let anvil: Anvil
let app: FastifyInstance
let context: LifecycleContext
let browser: BrowserContext
let profile: string
let url: string

beforeAll(async () => {
  if (!existsSync(path.join(dist, 'index.html'))) throw new Error('web/dist is not built: run `npm run build` first')
  const build = await compileProject({ root })
  anvil = await startAnvil()
  const protocol = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build })
  const { privateKey } = generateKeyPairSync('ed25519')
  context = { store: await openStore({ dataDir: 'memory://' }), signingKey: signingKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()) }
  const { token } = await createApiToken(context, { roles: ['admin', 'responder', 'signer'], label: 'browser-operator' }, { id: 'test', roles: ['admin'] })
  app = await createServer({ context, devnet: { rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, protocol }, dashboardDir: dist, options: { logLevel: 'silent', eventsPollMs: 200 } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/#token=${token}`
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
  await app?.close()
  await context?.store.close()
  await anvil?.stop()
  if (profile) await rm(profile, { recursive: true, force: true })
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
  for (const step of ['exploit', 'pause', 'advisory', 'validate']) await stepDone(page, step, 120_000)
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
}, 420_000)
