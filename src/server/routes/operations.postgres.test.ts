import { generateKeyPairSync, randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { deployDemoProtocol, type DemoProtocol } from '../../chain/deployDemoProtocol.js'
import { startAnvil, type Anvil } from '../../chain/startAnvil.js'
import { jobHandlers } from '../../cli/commands/jobHandlers.js'
import { bulwarkRoot } from '../../compile/bulwarkRoot.js'
import { compileProject } from '../../compile/compileProject.js'
import { openJobQueue, type JobQueue } from '../../jobs/jobQueue.js'
import { listJobEvents } from '../../jobs/jobRecords.js'
import { startWorker, type Worker } from '../../jobs/startWorker.js'
import type { LifecycleContext } from '../../lifecycle/context.js'
import { signingKeyFromPem } from '../../lifecycle/signingKey.js'
import type { Role } from '../../lifecycle/types.js'
import { openStore } from '../../store/openStore.js'
import { testDatabaseUrl } from '../../store/testDatabaseUrl.js'
import { createApiToken } from '../auth.js'
import { createServer } from '../createServer.js'

// The API's operation routes on PostgreSQL: the route only queues the job (pg-boss), and a worker
// — here startWorker with the handlers `bulwark worker` runs, in this process — takes and runs it.
let anvil: Anvil
let demo: DemoProtocol
let context: LifecycleContext
let app: FastifyInstance
let queue: JobQueue
let worker: Worker
const tokens = {} as Record<Role, string>
const saved = { DATABASE_URL: process.env.DATABASE_URL, BULWARK_QUEUE_SCHEMA: process.env.BULWARK_QUEUE_SCHEMA }

beforeAll(async () => {
  anvil = await startAnvil()
  demo = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build: await compileProject({ root: bulwarkRoot() }) })
  // A fresh schema on the test server for the store's tables, and one beside it for pg-boss.
  const schema = `bulwark_ops_${randomBytes(5).toString('hex')}`
  const admin = await openStore({ databaseUrl: testDatabaseUrl() })
  await admin.query(`CREATE SCHEMA ${schema}`)
  await admin.close()
  const databaseUrl = `${testDatabaseUrl()}?options=${encodeURIComponent(`-c search_path=${schema}`)}`
  // The server queues with the environment's DATABASE_URL, as `bulwark serve` on PostgreSQL does (this file runs in its own process).
  process.env.DATABASE_URL = databaseUrl
  process.env.BULWARK_QUEUE_SCHEMA = `${schema}_queue`
  const { privateKey } = generateKeyPairSync('ed25519')
  context = { store: await openStore({ databaseUrl }), signingKey: signingKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()) }
  for (const role of ['admin', 'responder'] as const) tokens[role] = (await createApiToken(context, { roles: [role], label: `${role}-ops-pg` }, { id: 'test-setup', roles: ['admin'] })).token
  app = await createServer({ context, options: { logLevel: 'silent' }, devnet: { rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, protocol: demo } })
  queue = await openJobQueue(context.store, { databaseUrl, schema: `${schema}_queue` })
  // The worker's own configuration (its environment): the RPC endpoint of the chain.
  const { validate } = jobHandlers(context, { [`BULWARK_RPC_URL_${anvil.chainId}`]: anvil.rpcUrl })
  worker = await startWorker({ store: context.store, queue, databaseUrl, handlers: { validate }, pollMs: 200 })
}, 300_000)

afterAll(async () => {
  await worker?.stop({ abort: true })
  await queue?.close()
  await app?.close()
  await context?.store.close()
  await anvil?.stop()
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
})

const call = async (method: 'GET' | 'POST', url: string, role: Role, payload?: object) => {
  const response = await app.inject({ method, url, headers: { authorization: `Bearer ${tokens[role]}` }, ...(payload === undefined ? {} : { payload }) })
  return { status: response.statusCode, body: response.json() }
}

test('POST /patches/:id/validation-runs on PostgreSQL is queued and run by a worker: the patch is validated', async () => {
  const { body: created } = await call('POST', '/advisories', 'responder', { title: 'LendingPool reentrancy', severity: 'critical', reporter: 'ops test' })
  expect((await call('POST', `/advisories/${created.advisory.id}/transitions`, 'responder', { to: 'triaged' })).status).toBe(200)
  const { body } = await call('POST', '/patches', 'responder', { advisoryId: created.advisory.id, title: 'LendingPool V2', route: 'standard', targets: [{ proxy: demo.lendingPool.proxy, newImplementation: demo.lendingPool.implementation }] })
  const patchId = body.patch.id as string
  const manifest = {
    version: 1,
    advisory: { id: created.advisory.id, title: 'LendingPool reentrancy', severity: 'critical' },
    chain: { chainId: anvil.chainId },
    targets: [{ name: 'LendingPool', proxy: demo.lendingPool.proxy, kind: 'uups', implementation: { sources: ['contracts/examples/LendingPool.sol', 'contracts/examples/LendingPoolV2.sol'], contract: 'LendingPoolV2' } }],
  }

  const started = await call('POST', `/patches/${patchId}/validation-runs`, 'responder', { manifest, stages: ['build', 'upgrade-safety'], noRebuild: true })
  expect(started.status, JSON.stringify(started.body)).toBe(201)
  expect(started.body.job).toMatchObject({ kind: 'validate', state: 'queued', workerId: null })
  let job = started.body.job as { id: string; state: string; workerId: string | null; attempts: number; error: unknown; result: Record<string, unknown> | null }
  for (const deadline = Date.now() + 240_000; job.state !== 'completed' && job.state !== 'failed' && Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 250))) {
    job = (await call('GET', `/jobs/${job.id}`, 'responder')).body.job
  }
  expect(job.error, JSON.stringify(job.error)).toBeNull()
  // Run by the worker, not in the API process.
  expect(job).toMatchObject({ state: 'completed', workerId: worker.id, attempts: 1, result: { ok: true, verdict: 'pass', patch: { id: patchId, status: 'validated' } } })
  expect((await listJobEvents(context.store, { jobId: job.id })).filter((event) => event.type !== 'progress').map((event) => [event.type, event.workerId])).toEqual([
    ['queued', null],
    ['started', worker.id],
    ['completed', worker.id],
  ])
  expect((await call('GET', `/patches/${patchId}`, 'responder')).body.patch.status).toBe('validated')
}, 300_000)
