import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, test } from 'vitest'
import { openLifecycle, type LifecycleContext } from '../lifecycle/context.js'
import { createApiToken } from '../server/auth.js'
import { createServer } from '../server/createServer.js'
import { failInterruptedJobs } from './failInterruptedJobs.js'
import { getJob, insertJob, listJobEvents, startJobAttempt } from './jobRecords.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
let dir: string | undefined
let context: LifecycleContext | undefined

afterAll(async () => {
  await context?.store.close().catch(() => undefined)
  if (dir) await rm(dir, { recursive: true, force: true })
})

/**
 * A process that owns the embedded store in `cwd`, as `bulwark serve` does: it runs one job to the
 * end, starts another (running, on its in-process worker) and queues a third, prints their ids and
 * waits, holding the store, until it is killed.
 */
function startOwner(cwd: string) {
  const script = `
    const { openLifecycle } = await import('./src/lifecycle/context.ts')
    const { insertJob, startJobAttempt, finishJob } = await import('./src/jobs/jobRecords.ts')
    const { store } = await openLifecycle({ cwd: ${JSON.stringify(cwd)}, env: {} })
    const worker = 'api-in-process:' + process.pid
    const ids = { completed: crypto.randomUUID(), running: crypto.randomUUID(), queued: crypto.randomUUID() }
    for (const id of Object.values(ids)) await insertJob(store, { id, kind: 'intel-scan', input: {}, createdBy: 'alice' })
    await startJobAttempt(store, { id: ids.completed, workerId: worker })
    await finishJob(store, { id: ids.completed, workerId: worker, outcome: { result: { ok: true } } })
    await startJobAttempt(store, { id: ids.running, workerId: worker })
    console.log(JSON.stringify({ ...ids, worker }))
    setInterval(() => undefined, 60_000)`
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const ready = new Promise<{ completed: string; running: string; queued: string; worker: string }>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const line = out.split('\n').find((entry) => entry.startsWith('{'))
      if (line) resolve(JSON.parse(line) as never)
    })
    child.stderr.on('data', (chunk: Buffer) => void (out += chunk.toString()))
    child.once('exit', (code, signal) => reject(new Error(`the store's owner exited (${signal ?? code}) before its jobs were written:\n${out}`)))
  })
  return { child, ready }
}

test('embedded store: jobs a killed owner left running or queued are failed BW_JOB_INTERRUPTED when the next server starts; finished ones and its own stay', async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bulwark-interrupted-'))
  const owner = startOwner(dir)
  let ids: Awaited<typeof owner.ready>
  try {
    ids = await owner.ready
  } finally {
    // kill -9: no shutdown hook runs, as in a crash or an OOM kill.
    await new Promise((resolve) => {
      if (owner.child.exitCode !== null || owner.child.signalCode !== null) return resolve(undefined)
      owner.child.once('exit', resolve)
      owner.child.kill('SIGKILL')
    })
  }

  // The next owner (the stale store lock is taken over): before its server starts, the jobs look alive.
  context = await openLifecycle({ cwd: dir, env: {} })
  const { store } = context
  expect((await getJob(store, ids.running)).state).toBe('running')
  expect((await getJob(store, ids.queued)).state).toBe('queued')
  // A job this process starts before its server does is its own: left alone.
  const own = crypto.randomUUID()
  await insertJob(store, { id: own, kind: 'verify', input: {}, createdBy: 'bob' })
  await startJobAttempt(store, { id: own, workerId: `api-in-process:${process.pid}` })

  const app = await createServer({ context, options: { logLevel: 'silent' } })
  try {
    const { token } = await createApiToken(context, { roles: ['admin'], label: 'interrupted-admin' }, { id: 'test-setup', roles: ['admin'] })
    const show = async (id: string) => (await app.inject({ method: 'GET', url: `/jobs/${id}`, headers: { authorization: `Bearer ${token}` } })).json<{ job: { state: string; workerId: string | null; finishedAt: string | null; error: { code: string; message: string } | null; result: unknown } }>().job
    const running = await show(ids.running)
    expect(running).toMatchObject({ state: 'failed', workerId: null, error: { code: 'BW_JOB_INTERRUPTED', message: `Job ${ids.running} (intel-scan) was running on ${ids.worker} when the process that owned the embedded store stopped; nothing finished it. Start it again.` } })
    expect(running.finishedAt).not.toBeNull()
    expect((await show(ids.queued)).error).toEqual({ code: 'BW_JOB_INTERRUPTED', message: `Job ${ids.queued} (intel-scan) was queued when the process that owned the embedded store stopped; nothing finished it. Start it again.` })
    expect(await show(ids.completed)).toMatchObject({ state: 'completed', error: null, result: { ok: true } })
    expect((await show(own)).state).toBe('running')
    // /events and `bulwark job show` read the same record: a `failed` event ends each interrupted job.
    expect((await listJobEvents(store, { jobId: ids.running })).map((event) => event.type)).toEqual(['queued', 'started', 'failed'])
    expect((await listJobEvents(store, { jobId: ids.queued })).map((event) => event.type)).toEqual(['queued', 'failed'])
  } finally {
    await app.close()
  }
  // Marked once: a second start finds nothing left.
  expect(await failInterruptedJobs(store)).toEqual([])
}, 300_000)
