import { randomUUID } from 'node:crypto'
import pg from 'pg'
import PgBoss from 'pg-boss'
import type { Store } from '../store/openStore.js'
import { JobFailedError, JobsNeedPostgresError } from './errors.js'
import { jobKinds, queueOf, type JobKind } from './jobKinds.js'
import { getJob, insertJob, type JobRecord } from './jobRecords.js'

export type JobQueueOptions = {
  /** The PostgreSQL server the store uses (DATABASE_URL). */
  databaseUrl: string
  /** pg-boss's own schema (default `bulwark_queue`, or BULWARK_QUEUE_SCHEMA). */
  schema?: string | undefined
  /** Attempts after the first one (default 3). */
  retryLimit?: number | undefined
  /** Upper bound on one attempt (default 2 h): pg-boss fails a job active longer than this. */
  expireInSeconds?: number | undefined
}

export type JobQueue = {
  boss: PgBoss
  schema: string
  enqueue(kind: JobKind, input: Record<string, unknown>, createdBy: string): Promise<JobRecord>
  close(): Promise<void>
}

/**
 * The queue: pg-boss on the same PostgreSQL as the store. The job's record (input, progress,
 * result, events) lives in Bulwark's tables; pg-boss holds the delivery (which worker takes
 * what, retries). Both ids are the same uuid.
 */
export async function openJobQueue(store: Store, options: JobQueueOptions): Promise<JobQueue> {
  if (store.kind !== 'postgres') throw new JobsNeedPostgresError({ what: 'A job queue' })
  const schema = options.schema ?? process.env['BULWARK_QUEUE_SCHEMA'] ?? 'bulwark_queue'
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    schema,
    max: 3,
    application_name: 'bulwark-jobs',
    // Scheduling (cron) is not used; maintenance (expiry, archive) runs in every instance, pg-boss serializes it.
    schedule: false,
    supervise: true,
    maintenanceIntervalSeconds: 30,
  })
  boss.on('error', () => undefined)
  const retryLimit = options.retryLimit ?? 3
  const expireInSeconds = options.expireInSeconds ?? 7_200
  try {
    await installQueue(boss, { databaseUrl: options.databaseUrl, schema, retryLimit, expireInSeconds })
  } catch (error) {
    // A started pg-boss keeps its maintenance timer and pool: stop it, or the process never exits.
    await boss.stop({ graceful: false, wait: true, close: true }).catch(() => undefined)
    throw error
  }
  return {
    boss,
    schema,
    async enqueue(kind, input, createdBy) {
      const id = randomUUID()
      await insertJob(store, { id, kind, input, createdBy })
      try {
        await boss.send(queueOf(kind), { id }, { id, retryLimit, retryDelay: 0, expireInSeconds })
      } catch (error) {
        await store.query('DELETE FROM bulwark_jobs WHERE id = $1', [id]).catch(() => undefined)
        throw error
      }
      // Idle workers poll every 500 ms; this wakes them at once (a lost notification costs one poll interval).
      await store.query('SELECT pg_notify($1, $2)', [jobsChannel, kind]).catch(() => undefined)
      return getJob(store, id)
    },
    close: () => boss.stop({ graceful: false, wait: true, close: true }),
  }
}

/** NOTIFY channel on which an enqueue wakes idle workers (the payload is the job's kind). */
export const jobsChannel = 'bulwark_jobs_queued'

/** Advisory-lock class under which one process at a time installs or migrates a queue schema (the second key is hashtext(schema)). */
const installLockClass = 7304

/**
 * Starts pg-boss and creates the queues, one process at a time per schema. pg-boss creates or
 * migrates its schema in one multi-statement transaction and, when another process won that
 * race, swallows the "already exists" error but returns the connection to its pool with the
 * transaction still aborted: the next query on it fails, and a worker started beside another on
 * a fresh database never became ready. Under this lock the second process finds the schema
 * installed and creates nothing.
 */
async function installQueue(boss: PgBoss, { databaseUrl, schema, retryLimit, expireInSeconds }: { databaseUrl: string; schema: string; retryLimit: number; expireInSeconds: number }): Promise<void> {
  const lock = new pg.Client({ connectionString: databaseUrl, application_name: 'bulwark-jobs install', connectionTimeoutMillis: 10_000 })
  lock.on('error', () => undefined)
  await lock.connect()
  try {
    await lock.query('SELECT pg_advisory_lock($1, hashtext($2))', [installLockClass, schema])
    await boss.start()
    for (const kind of jobKinds) {
      const name = queueOf(kind)
      if (await boss.getQueue(name)) continue
      await boss.createQueue(name, { name, retryLimit, retryDelay: 0, expireInSeconds })
    }
  } finally {
    // Closing the session releases the lock too, should the unlock itself fail.
    await lock.query('SELECT pg_advisory_unlock($1, hashtext($2))', [installLockClass, schema]).catch(() => undefined)
    await lock.end().catch(() => undefined)
  }
}

/**
 * Follows a job until it ends (`--wait`): resolves with the completed record, throws
 * JobFailedError when it failed for good. `onEvent` sees every event as it lands.
 */
export async function waitForJob(
  store: Pick<Store, 'query'>,
  id: string,
  { pollMs = 250, timeoutMs, onEvent, signal }: { pollMs?: number; timeoutMs?: number | undefined; onEvent?: ((event: { type: string; data: unknown }) => void) | undefined; signal?: AbortSignal | undefined } = {},
): Promise<JobRecord> {
  const { listJobEvents } = await import('./jobRecords.js')
  const started = Date.now()
  let afterId = 0
  for (;;) {
    for (const event of await listJobEvents(store, { jobId: id, afterId })) {
      afterId = event.id
      onEvent?.(event)
    }
    const job = await getJob(store, id)
    if (job.state === 'completed') return job
    if (job.state === 'failed') throw new JobFailedError({ id, kind: job.kind, error: job.error })
    if (signal?.aborted) throw signal.reason
    if (timeoutMs !== undefined && Date.now() - started > timeoutMs) throw new Error(`job ${id} did not end within ${timeoutMs} ms (state ${job.state})`)
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
}
