import { spawn, type ChildProcess } from 'node:child_process'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { main } from '../cli/main.js'
import { captureIo } from '../cli/testIo.js'
import { deployDemoProtocol, type DemoProtocol } from '../chain/deployDemoProtocol.js'
import { startAnvil, type Anvil } from '../chain/startAnvil.js'
import { compileProject } from '../compile/compileProject.js'
import { openLifecycle } from '../lifecycle/context.js'
import { createAdvisory } from '../lifecycle/createAdvisory.js'
import { createPatch } from '../lifecycle/createPatch.js'
import { testActors } from '../lifecycle/testing.js'
import { transitionAdvisory } from '../lifecycle/transitionAdvisory.js'
import { openStore, type Store } from '../store/openStore.js'
import { testDatabaseUrl } from '../store/testDatabaseUrl.js'
import { waitForJob } from './jobQueue.js'
import { getJob, listJobEvents } from './jobRecords.js'
import { parsePrometheusText } from '../metrics/parsePrometheusText.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const sources = ['contracts/examples/LendingPool.sol', 'contracts/examples/LendingPoolV2.sol']

let anvil: Anvil
let demo: DemoProtocol
let dir: string
let store: Store
let env: NodeJS.ProcessEnv
const workers: ChildProcess[] = []

/** How long a worker process may take to start (tsx, the store, the queue) on a loaded machine before the test names why. */
const readyWithinMs = 120_000

/** A `bulwark worker` in its own process, as an operator runs it. */
function startWorkerProcess(extraArgs: string[] = []): { child: ChildProcess; ready: Promise<string>; metricsUrl: () => string | undefined; log: () => string } {
  const script = "const { main } = await import('./src/cli/main.ts'); process.exitCode = await main(process.argv.slice(1))"
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, 'worker', '--json', '--concurrency', '1', ...extraArgs], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  workers.push(child)
  let out = ''
  let metricsUrl: string | undefined
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready within ${readyWithinMs} ms:\n${out}`)), readyWithinMs)
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const line = out.split('\n').find((l) => l.includes('"worker ready"'))
      if (line) {
        clearTimeout(timer)
        const announced = JSON.parse(line) as { worker: string; metrics?: string }
        metricsUrl = announced.metrics
        resolve(announced.worker)
      }
    })
    child.stderr!.on('data', (chunk: Buffer) => void (out += chunk.toString()))
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`worker exited (${signal ?? code}) before ready:\n${out}`))
    })
  })
  return { child, ready, metricsUrl: () => metricsUrl, log: () => out }
}

/** Stops workers the test started, gracefully (SIGTERM: running jobs finish) or not, and waits for them to leave. */
async function stopWorkers(children: ChildProcess[], signal: NodeJS.Signals): Promise<void> {
  const alive = children.filter((child) => child.exitCode === null && child.signalCode === null)
  await Promise.all(alive.map((child) => new Promise((resolve) => {
    child.once('exit', resolve)
    child.kill(signal)
  })))
}

beforeAll(async () => {
  const build = await compileProject({ root })
  anvil = await startAnvil()
  demo = await deployDemoProtocol({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, build })
  dir = await mkdtemp(path.join(tmpdir(), 'bulwark-jobs-'))
  // One fresh schema on the test server: the store's tables through search_path, pg-boss's beside it.
  const schema = `bulwark_jobs_${randomBytes(5).toString('hex')}`
  const admin = await openStore({ databaseUrl: testDatabaseUrl() })
  await admin.query(`CREATE SCHEMA ${schema}`)
  await admin.close()
  const url = `${testDatabaseUrl()}?options=${encodeURIComponent(`-c search_path=${schema}`)}`
  env = { DATABASE_URL: url, BULWARK_QUEUE_SCHEMA: `${schema}_queue`, BULWARK_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }
  store = await openStore({ databaseUrl: url })
}, 300_000)

afterAll(async () => {
  for (const child of workers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  await store?.close()
  await anvil?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function manifestFile(name: string): Promise<string> {
  const file = path.join(dir, `${name}.json`)
  await writeFile(file, JSON.stringify({ version: 1, advisory: { id: 'BW-JOB-1' }, targets: [{ proxy: demo.lendingPool.proxy, implementation: { root, sources, contract: 'LendingPoolV2' } }] }))
  return file
}

const validateInput = (manifest: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ manifestFile: manifest, rpcUrl: anvil.rpcUrl, stages: ['upgrade-safety'], noRebuild: true, ...extra })

async function enqueue(input: string): Promise<string> {
  const cli = captureIo(dir, env)
  expect(await main(['job', 'enqueue', 'validate', '--input', input, '--json'], cli.io), cli.stderr()).toBe(0)
  return cli.json<{ job: { id: string } }>().job.id
}

describe('jobs on PostgreSQL with two worker processes', () => {
  test('ten validations enqueued all complete, spread over both workers, once each', async () => {
    const a = startWorkerProcess(['--metrics-port', '0'])
    const b = startWorkerProcess()
    try {
      const ids = await Promise.all([a.ready, b.ready])
      const manifest = await manifestFile('ten')
      const jobs = await Promise.all(Array.from({ length: 10 }, () => enqueue(validateInput(manifest))))
      const done = await Promise.all(jobs.map((id) => waitForJob(store, id, { timeoutMs: 240_000 })))
      for (const job of done) {
        expect(job.state).toBe('completed')
        expect(job.attempts).toBe(1)
        expect(job.result).toMatchObject({ ok: true, verdict: 'pass' })
      }
      expect(new Set(done.map((job) => job.workerId))).toEqual(new Set(ids))
      const events = await listJobEvents(store, { jobId: jobs[0]! })
      expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(['queued', 'started', 'progress', 'completed']))
      // Worker a's /metrics counts exactly the jobs it ran, in the Prometheus text format.
      const response = await fetch(a.metricsUrl()!)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
      const { samples, types } = parsePrometheusText(await response.text())
      expect(types.get('bulwark_job_duration_seconds')).toBe('histogram')
      const ranOnA = done.filter((job) => job.workerId === ids[0]).length
      const counted = samples.find((s) => s.name === 'bulwark_job_duration_seconds_count' && s.labels['kind'] === 'validate' && s.labels['outcome'] === 'completed')
      expect(counted?.value).toBe(ranOnA)
      expect(samples.some((s) => s.name.startsWith('bulwark_process_'))).toBe(true)
      // Stopped gracefully (SIGTERM): they finish and leave, so the next test's jobs go to its own workers.
      await stopWorkers([a.child, b.child], 'SIGTERM')
    } finally {
      // Failed or not, no worker of this test may stay to take the next test's job.
      await stopWorkers([a.child, b.child], 'SIGKILL')
    }
  }, 300_000)

  test('kill -9 of the worker mid-validation: the other worker completes the job, and the patch moves once', async () => {
    const lifecycle = await openLifecycle({ cwd: dir, env })
    let patchId: string
    try {
      const { advisory } = await createAdvisory(lifecycle, { title: 'pool drain', severity: 'critical', reporter: 'test' }, testActors.admin as never)
      await transitionAdvisory(lifecycle, { id: advisory.id, to: 'triaged' }, testActors.admin as never)
      const { patch } = await createPatch(
        lifecycle,
        { advisoryId: advisory.id, title: 'V2', route: 'standard', targets: [{ proxy: demo.lendingPool.proxy, newImplementation: demo.tokens.reward }] },
        testActors.admin as never,
      )
      patchId = patch.id
    } finally {
      await lifecycle.store.close()
    }
    const pids = new Map<string, ChildProcess>()
    const started = [startWorkerProcess(), startWorkerProcess()]
    try {
      const ids = await Promise.all(started.map((worker) => worker.ready))
      ids.forEach((workerId, index) => pids.set(workerId, started[index]!.child))
      const id = await enqueue(validateInput(await manifestFile('kill'), { patchId }))
      // Kill the worker that runs it as soon as the pipeline is under way (the patch already moved to validating).
      let victim: string | undefined
      for (const deadline = Date.now() + 120_000; Date.now() < deadline && !victim; ) {
        const events = await listJobEvents(store, { jobId: id })
        const job = await getJob(store, id)
        if (job.state === 'running' && events.some((event) => event.type === 'progress') && job.workerId && pids.has(job.workerId)) victim = job.workerId
        else if (job.state === 'completed' || job.state === 'failed') throw new Error(`the job ${job.state} before it could be killed: ${JSON.stringify(events.map((event) => event.type))}`)
        else await new Promise((resolve) => setTimeout(resolve, 50))
      }
      expect(victim, 'the job never started on a live worker').toBeDefined()
      expect((await getJob(store, id)).state).toBe('running')
      pids.get(victim!)!.kill('SIGKILL')
      const done = await waitForJob(store, id, { timeoutMs: 180_000 })
      expect(done.state).toBe('completed')
      expect(done.attempts).toBe(2)
      expect(done.workerId).not.toBe(victim)
      expect(done.result).toMatchObject({ ok: true, patch: { id: patchId, status: 'validated' } })
      const types = (await listJobEvents(store, { jobId: id })).map((event) => event.type)
      expect(types).toContain('reclaimed')
      // The stage that reached the audit log before the kill was not repeated.
      const moves = await store.query<{ to_status: string }>(`SELECT to_status FROM lifecycle_transitions WHERE machine = 'patch' AND subject_id = $1 ORDER BY id`, [patchId])
      expect(moves.map((move) => move.to_status).slice(-2)).toEqual(['validating', 'validated'])
      expect(moves.filter((move) => move.to_status === 'validating')).toHaveLength(1)
      expect(moves.filter((move) => move.to_status === 'validated')).toHaveLength(1)
    } finally {
      await stopWorkers(started.map((worker) => worker.child), 'SIGKILL')
    }
  }, 300_000)
})

describe('jobs on the embedded store', () => {
  test('`job enqueue` runs the validation in-process and records it like a worker would', async () => {
    const cwd = await mkdtemp(path.join(dir, 'embedded-'))
    const cli = captureIo(cwd, {})
    expect(await main(['job', 'enqueue', 'validate', '--input', validateInput(await manifestFile('embedded')), '--json'], cli.io), cli.stderr()).toBe(0)
    const { job } = cli.json<{ job: { id: string; state: string; attempts: number; result: { verdict: string } } }>()
    expect(job).toMatchObject({ state: 'completed', attempts: 1, result: { verdict: 'pass' } })
    const show = captureIo(cwd, {})
    expect(await main(['job', 'show', job.id, '--json'], show.io)).toBe(0)
    expect(show.json<{ stages: { stage: string }[] }>().stages.map((stage) => stage.stage)).toEqual(['pipeline'])
  }, 300_000)

  test('`bulwark worker` without PostgreSQL is BW_JOBS_NEED_POSTGRES', async () => {
    const cli = captureIo(dir, {})
    expect(await main(['worker', '--json'], cli.io)).toBe(2)
    expect(cli.json<{ error: { code: string } }>().error.code).toBe('BW_JOBS_NEED_POSTGRES')
  })
})
