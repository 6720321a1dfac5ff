/**
 * HTTP API latency and throughput: `GET /advisories` (a page of 100) and `GET /advisories/:id`,
 * driven by 200 concurrent keep-alive connections (node:http with a keep-alive agent — lighter than
 * fetch, so the figures measure the server more than the client; the client runs in a worker
 * thread so it does not share the server's event loop), on PGlite and, when
 * BULWARK_TEST_DATABASE_URL or DATABASE_URL is set, on PostgreSQL. Prints p50/p99 and requests/s;
 * never fails on an absolute time. Target from issue 4: p99 under 50 ms.
 *
 * BENCH_API_REQUESTS (default 20000) bounds each measurement, BENCH_API_SECONDS (default 15) too,
 * whichever comes first; BENCH_API_CONCURRENCY (default 200).
 */
import { generateKeyPairSync } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { Worker } from 'node:worker_threads'
import { cpus, loadavg } from 'node:os'
import { createAdvisory } from '../src/lifecycle/createAdvisory.js'
import type { LifecycleContext } from '../src/lifecycle/context.js'
import { signingKeyFromPem } from '../src/lifecycle/signingKey.js'
import { transitionAdvisory } from '../src/lifecycle/transitionAdvisory.js'
import type { Actor } from '../src/lifecycle/types.js'
import { createApiToken } from '../src/server/auth.js'
import { createServer } from '../src/server/createServer.js'
import { openStore, type OpenStoreParameters } from '../src/store/openStore.js'

const totalRequests = Number(process.env.BENCH_API_REQUESTS ?? 20000)
const maxSeconds = Number(process.env.BENCH_API_SECONDS ?? 15)
const concurrency = Number(process.env.BENCH_API_CONCURRENCY ?? 200)
const seedCount = 200
const targetP99Ms = 50

type Figures = { requests: number; errors: number; seconds: number; p50: number; p99: number; max: number }

type Load = { urls: string[]; headers: Record<string, string>; totalRequests: number; maxSeconds: number; concurrency: number }

/**
 * The load generator, run in a worker thread (plain JavaScript, so the worker needs no TypeScript
 * loader): `concurrency` loops of fetch over `urls` in turn; posts the sorted latencies back.
 */
const loadWorkerSource = `
const { parentPort, workerData } = require('node:worker_threads')
const http = require('node:http')
const { urls, headers, totalRequests, maxSeconds, concurrency } = workerData
// One keep-alive socket per loop: the 200 connections stay open, as with a pool of real clients.
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
const latencies = []
let errors = 0
let issued = 0
let started = 0
let deadline = 0
function get(url) {
  return new Promise((resolve) => {
    const request = http.get(url, { agent, headers }, (response) => {
      response.on('data', () => {})
      response.on('end', () => resolve(response.statusCode))
      response.on('error', () => resolve(0))
    })
    request.on('error', () => resolve(0))
  })
}
async function worker() {
  while (issued < totalRequests && performance.now() < deadline) {
    const i = issued++
    const t0 = performance.now()
    const status = await get(urls[i % urls.length])
    if (status !== 200) errors += 1
    latencies.push(performance.now() - t0)
  }
}
// The connections are opened by untimed first requests: the figures are the steady state.
Promise.all(Array.from({ length: concurrency }, () => get(urls[0])))
  .then(() => {
    started = performance.now()
    deadline = started + maxSeconds * 1000
    return Promise.all(Array.from({ length: concurrency }, worker))
  })
  .then(() => {
    agent.destroy()
    parentPort.postMessage({ latencies: latencies.sort((a, b) => a - b), errors, seconds: (performance.now() - started) / 1000 })
  })
`

function figuresOf({ latencies, errors, seconds }: { latencies: number[]; errors: number; seconds: number }): Figures {
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil(q * latencies.length) - 1))] ?? Number.NaN
  return { requests: latencies.length, errors, seconds, p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? Number.NaN }
}

/** Drives the load from a worker thread and returns its figures. */
function driveInWorker(load: Pick<Load, 'urls' | 'headers'>): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(loadWorkerSource, { eval: true, workerData: { ...load, totalRequests, maxSeconds, concurrency } })
    worker.once('message', (result: { latencies: number[]; errors: number; seconds: number }) => resolve(figuresOf(result)))
    worker.once('error', reject)
    worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`load worker exited with ${code}`))))
  })
}

async function benchBackend(name: string, storeParameters: OpenStoreParameters): Promise<void> {
  const { privateKey } = generateKeyPairSync('ed25519')
  const context: LifecycleContext = {
    store: await openStore(storeParameters),
    signingKey: signingKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
  }
  const run = Math.random().toString(36).slice(2, 8)
  const admin: Actor = { id: 'bench-setup', roles: ['admin'] }
  const responder: Actor = { id: `bench-responder-${run}`, roles: ['responder'] }
  const { token } = await createApiToken(context, { roles: ['viewer'], label: `bench-viewer-${run}` }, admin)
  const seeded = performance.now()
  const ids: string[] = []
  for (let i = 0; i < seedCount; i += 1) {
    const { advisory } = await createAdvisory(
      context,
      { title: `Bench advisory ${i}`, severity: (['low', 'medium', 'high', 'critical'] as const)[i % 4]!, reporter: 'bench', description: 'x'.repeat(400), embargoed: i % 10 === 0 },
      responder,
    )
    if (i % 3 === 0) await transitionAdvisory(context, { id: advisory.id, to: 'triaged' }, responder)
    if (!advisory.embargoed) ids.push(advisory.id)
  }
  const seedSeconds = (performance.now() - seeded) / 1000

  // The limit is lifted: this measures the API, not the limiter refusing it.
  const app = await createServer({ context, options: { rateLimitPerMinute: 10_000_000, logLevel: 'warn' } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const headers = { authorization: `Bearer ${token}` }
  try {
    console.log(`\n${name}: ${seedCount} advisories seeded in ${seedSeconds.toFixed(1)} s; ${concurrency} concurrent connections, up to ${totalRequests} requests or ${maxSeconds} s each`)
    // Warm-up: connections, JIT, caches.
    await driveInWorker({ urls: [`${base}/advisories?limit=10`], headers })
    const scenarios: [string, string[]][] = [
      ['GET /advisories (page of 100)', [`${base}/advisories`]],
      ['GET /advisories/:id', ids.map((id) => `${base}/advisories/${id}`)],
    ]
    for (const [label, urls] of scenarios) {
      const f = await driveInWorker({ urls, headers })
      console.log(
        `  ${label.padEnd(30)} p50 ${f.p50.toFixed(1).padStart(7)} ms   p99 ${f.p99.toFixed(1).padStart(7)} ms   max ${f.max.toFixed(0).padStart(5)} ms   ` +
          `${(f.requests / f.seconds).toFixed(0).padStart(6)} req/s   ${f.requests} requests, ${f.errors} errors   ` +
          `p99 / target ${(f.p99 / targetP99Ms).toFixed(2)}`,
      )
    }
  } finally {
    await app.close()
    await context.store.close()
  }
}

// Closed-loop latency is concurrency ÷ throughput: on a shared machine the tail mostly measures the neighbours.
console.log(`${cpus().length} CPUs, load average ${loadavg().map((load) => load.toFixed(1)).join(' / ')} (1/5/15 min) at start`)
await benchBackend('PGlite (embedded, in memory)', { dataDir: 'memory://' })
const postgresUrl = process.env.BULWARK_TEST_DATABASE_URL ?? process.env.DATABASE_URL
if (postgresUrl) await benchBackend('PostgreSQL', { databaseUrl: postgresUrl })
else console.log('\nPostgreSQL: skipped (set BULWARK_TEST_DATABASE_URL or DATABASE_URL)')
