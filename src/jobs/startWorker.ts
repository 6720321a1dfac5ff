import { randomUUID } from 'node:crypto'
import os from 'node:os'
import pg from 'pg'
import { BaseError } from '../errors/BaseError.js'
import type { Store } from '../store/openStore.js'
import { stopIdleForks } from '../validate/stages/idleForks.js'
import { createJobContext, type JobHandler } from './jobContext.js'
import { queueOf, type JobKind } from './jobKinds.js'
import { jobsChannel, type JobQueue } from './jobQueue.js'
import { appendJobEvent, finishJob, getJob, startJobAttempt, type JobError } from './jobRecords.js'

export type StartWorkerParameters = {
  store: Store
  queue: JobQueue
  /** The same server as the store: the worker's liveness lock lives on a connection of its own. */
  databaseUrl: string
  handlers: Partial<Record<JobKind, JobHandler>>
  /** Jobs run at once (default 1). */
  concurrency?: number | undefined
  /** How often an idle slot asks for work, and how often dead workers' jobs are looked for (default 500 ms). */
  pollMs?: number | undefined
  onLog?: ((line: string) => void) | undefined
  onJobEnd?: ((event: { kind: JobKind; outcome: 'completed' | 'failed' | 'retrying'; seconds: number }) => void) | undefined
}

export type Worker = {
  id: string
  kinds: JobKind[]
  /** Jobs running now, by id. */
  running: ReadonlyMap<string, JobKind>
  /** Finishes the running jobs (or, with `{ abort: true }`, aborts them: they are retried elsewhere) and releases the lease. */
  stop(options?: { abort?: boolean }): Promise<void>
}

/** Advisory-lock class of worker liveness locks (the second key is hashtext(worker id)). */
const workerLockClass = 7302

/**
 * A worker: `concurrency` slots, each taking one job at a time from the queues of the kinds it
 * has handlers for. Liveness is a PostgreSQL session advisory lock held on a connection of its
 * own: when the process dies (kill -9, a lost machine), the server drops the connection and the
 * lock with it. Every worker looks for jobs marked running by a worker whose lock it can take:
 * that worker is gone, so its jobs go back to the queue (pg-boss `fail` → retry) and another
 * worker runs them, skipping the stages the dead one finished.
 */
export async function startWorker({ store, queue, databaseUrl, handlers, concurrency = 1, pollMs = 500, onLog, onJobEnd }: StartWorkerParameters): Promise<Worker> {
  const id = randomUUID()
  const kinds = Object.keys(handlers) as JobKind[]
  const log = onLog ?? (() => undefined)
  const lease = new pg.Client({ connectionString: databaseUrl, application_name: `bulwark-worker ${id}` })
  lease.on('error', () => undefined)
  await lease.connect()
  await lease.query('SELECT pg_advisory_lock($1, hashtext($2))', [workerLockClass, id])
  await store.query('INSERT INTO bulwark_workers (id, host, pid, queues, concurrency) VALUES ($1, $2, $3, $4, $5)', [id, os.hostname(), process.pid, JSON.stringify(kinds), concurrency])

  const running = new Map<string, JobKind>()
  const controllers = new Map<string, AbortController>()
  let stopping = false
  const sleepers = new Set<() => void>()
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer)
        sleepers.delete(wake)
        resolve()
      }
      const timer = setTimeout(wake, ms)
      sleepers.add(wake)
    })

  async function runOne(kind: JobKind, jobId: string, retryCount: number, retryLimit: number): Promise<void> {
    const handler = handlers[kind]!
    const name = queueOf(kind)
    const existing = await getJob(store, jobId)
    // Completed in the store but not in pg-boss: the worker died between the two writes.
    if (existing.state === 'completed') {
      await queue.boss.complete(name, jobId)
      return
    }
    const controller = new AbortController()
    controllers.set(jobId, controller)
    running.set(jobId, kind)
    const started = performance.now()
    try {
      const job = await startJobAttempt(store, { id: jobId, workerId: id })
      log(`job ${jobId} (${kind}) attempt ${job.attempts} started`)
      const result = await handler(createJobContext({ job, workerId: id, store, signal: controller.signal }))
      await finishJob(store, { id: jobId, workerId: id, outcome: { result } })
      await queue.boss.complete(name, jobId, { done: true })
      log(`job ${jobId} (${kind}) completed`)
      onJobEnd?.({ kind, outcome: 'completed', seconds: (performance.now() - started) / 1000 })
    } catch (cause) {
      const error = jobErrorOf(cause)
      const final = retryCount >= retryLimit
      await finishJob(store, { id: jobId, workerId: id, outcome: { error, final } }).catch(() => undefined)
      await queue.boss.fail(name, jobId, error).catch(() => undefined)
      log(`job ${jobId} (${kind}) ${final ? 'failed' : 'will be retried'}: ${error.code} ${error.message.split('\n')[0]}`)
      onJobEnd?.({ kind, outcome: final ? 'failed' : 'retrying', seconds: (performance.now() - started) / 1000 })
    } finally {
      running.delete(jobId)
      controllers.delete(jobId)
    }
  }

  async function slot(index: number): Promise<void> {
    let turn = index
    while (!stopping) {
      let took = false
      for (let i = 0; i < kinds.length && !stopping; i++) {
        const kind = kinds[(turn + i) % kinds.length]!
        const [job] = await queue.boss.fetch<{ id: string }>(queueOf(kind), { batchSize: 1, includeMetadata: true }).catch((error: unknown) => {
          log(`fetch from ${queueOf(kind)} failed: ${String(error)}`)
          return []
        })
        if (!job) continue
        took = true
        await runOne(kind, job.id, job.retryCount, job.retryLimit)
        break
      }
      turn++
      if (!took && !stopping) await sleep(pollMs)
    }
  }

  async function reclaim(): Promise<void> {
    const rows = await store.query<{ id: string; kind: JobKind; worker_id: string }>(`SELECT id, kind, worker_id FROM bulwark_jobs WHERE state = 'running' AND worker_id <> $1`, [id])
    const byWorker = new Map<string, typeof rows>()
    for (const row of rows) byWorker.set(row.worker_id, [...(byWorker.get(row.worker_id) ?? []), row])
    for (const [deadCandidate, jobs] of byWorker) {
      const [probe] = (await lease.query<{ free: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS free', [workerLockClass, deadCandidate])).rows
      if (!probe?.free) continue
      await lease.query('SELECT pg_advisory_unlock($1, hashtext($2))', [workerLockClass, deadCandidate])
      await store.query('UPDATE bulwark_workers SET stopped_at = coalesce(stopped_at, now()) WHERE id = $1', [deadCandidate])
      for (const job of jobs) {
        const [taken] = await store.query<{ id: string }>(`UPDATE bulwark_jobs SET state = 'queued', worker_id = NULL WHERE id = $1 AND worker_id = $2 AND state = 'running' RETURNING id`, [job.id, deadCandidate])
        if (!taken) continue
        const error = { code: 'BW_WORKER_LOST', message: `worker ${deadCandidate} is gone (its lease connection closed) while running this job` }
        await appendJobEvent(store, { jobId: job.id, type: 'reclaimed', data: error, workerId: id })
        await queue.boss.fail(queueOf(job.kind), job.id, error)
        const after = await queue.boss.getJobById(queueOf(job.kind), job.id)
        if (after?.state === 'failed') await store.query(`UPDATE bulwark_jobs SET state = 'failed', error = $2, finished_at = now() WHERE id = $1`, [job.id, JSON.stringify(error)])
        log(`job ${job.id} (${job.kind}) reclaimed from lost worker ${deadCandidate}`)
      }
    }
  }

  // An enqueue anywhere NOTIFYs (jobQueue.ts): idle slots fetch at once instead of at their next poll.
  const stopListening = await store.listen?.(jobsChannel, () => {
    for (const wake of [...sleepers]) wake()
  })
  const reclaimer = (async () => {
    while (!stopping) {
      await reclaim().catch((error: unknown) => log(`reclaim failed: ${String(error)}`))
      await new Promise((resolve) => setTimeout(resolve, pollMs).unref())
    }
  })()
  const slots = Array.from({ length: Math.max(1, concurrency) }, (_, index) => slot(index))
  log(`worker ${id} on ${os.hostname()} pid ${process.pid}: ${kinds.join(', ')} × ${concurrency}`)

  return {
    id,
    kinds,
    running,
    async stop({ abort = false } = {}) {
      stopping = true
      for (const wake of [...sleepers]) wake()
      if (abort) for (const controller of controllers.values()) controller.abort(new Error('worker stopping'))
      await Promise.allSettled([...slots, reclaimer])
      await stopListening?.().catch(() => undefined)
      // Validations keep their fork anvils for the worker's next job (idleForks.ts); a stopping worker
      // stops them, or `bulwark worker` outlived SIGTERM by their 2 min idle time.
      await stopIdleForks().catch(() => undefined)
      await store.query('UPDATE bulwark_workers SET stopped_at = now() WHERE id = $1', [id]).catch(() => undefined)
      await lease.end().catch(() => undefined)
    },
  }
}

function jobErrorOf(cause: unknown): JobError {
  if (cause instanceof BaseError) return { code: cause.code, message: cause.message }
  const code = (cause as { code?: unknown } | null)?.code
  if (typeof code === 'string' && code.startsWith('BW_')) return { code, message: cause instanceof Error ? cause.message : String(cause) }
  return { code: 'BW_INTERNAL', message: cause instanceof Error ? cause.message : String(cause) }
}
