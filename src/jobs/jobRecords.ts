import type { Store, Transaction } from '../store/openStore.js'
import { JobNotFoundError } from './errors.js'
import type { JobKind, JobState } from './jobKinds.js'

export type JobError = { code: string; message: string }

export type JobRecord = {
  id: string
  kind: JobKind
  input: Record<string, unknown>
  state: JobState
  attempts: number
  workerId: string | null
  progress: unknown
  result: unknown
  error: JobError | null
  createdBy: string
  createdAt: Date
  startedAt: Date | null
  finishedAt: Date | null
}

export type JobEvent = { id: number; jobId: string; type: string; data: unknown; workerId: string | null; createdAt: Date }

type JobRow = {
  id: string
  kind: string
  input: unknown
  state: string
  attempts: number | string
  worker_id: string | null
  progress: unknown
  result: unknown
  error: unknown
  created_by: string
  created_at: Date | string
  started_at: Date | string | null
  finished_at: Date | string | null
}

const json = (value: unknown) => (typeof value === 'string' ? (JSON.parse(value) as unknown) : value)
const date = (value: Date | string | null) => (value === null ? null : new Date(value))

function toJob(row: JobRow): JobRecord {
  return {
    id: row.id,
    kind: row.kind as JobKind,
    input: json(row.input) as Record<string, unknown>,
    state: row.state as JobState,
    attempts: Number(row.attempts),
    workerId: row.worker_id,
    progress: json(row.progress) ?? null,
    result: json(row.result) ?? null,
    error: (json(row.error) as JobError | null) ?? null,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
    startedAt: date(row.started_at),
    finishedAt: date(row.finished_at),
  }
}

type Runner = Pick<Store, 'query'> | Pick<Transaction, 'query'>

export async function insertJob(store: Runner, job: { id: string; kind: JobKind; input: Record<string, unknown>; createdBy: string }): Promise<void> {
  await store.query('INSERT INTO bulwark_jobs (id, kind, input, state, created_by) VALUES ($1, $2, $3, $4, $5)', [job.id, job.kind, JSON.stringify(job.input), 'queued', job.createdBy])
  await appendJobEvent(store, { jobId: job.id, type: 'queued', data: { kind: job.kind }, workerId: null })
}

export async function getJob(store: Runner, id: string): Promise<JobRecord> {
  const [row] = await store.query<JobRow>('SELECT * FROM bulwark_jobs WHERE id = $1', [id])
  if (!row) throw new JobNotFoundError({ id })
  return toJob(row)
}

export async function listJobs(store: Runner, { state, limit = 50 }: { state?: JobState | undefined; limit?: number } = {}): Promise<JobRecord[]> {
  const rows = await store.query<JobRow>(
    `SELECT * FROM bulwark_jobs ${state ? 'WHERE state = $1' : ''} ORDER BY created_at DESC, id LIMIT ${Math.max(1, Math.min(500, Math.floor(limit)))}`,
    state ? [state] : [],
  )
  return rows.map(toJob)
}

/** Marks the job running on this worker (a retry counts another attempt), with its `started` event, in one statement. */
export async function startJobAttempt(store: Runner, { id, workerId }: { id: string; workerId: string }): Promise<JobRecord> {
  const [row] = await store.query<JobRow>(
    `WITH started AS (
       UPDATE bulwark_jobs SET state = 'running', worker_id = $2, attempts = attempts + 1, started_at = now(), error = NULL WHERE id = $1 RETURNING *
     ), event AS (
       INSERT INTO bulwark_job_events (job_id, type, data, worker_id) SELECT id, 'started', jsonb_build_object('attempt', attempts), $2 FROM started
     )
     SELECT * FROM started`,
    [id, workerId],
  )
  if (!row) throw new JobNotFoundError({ id })
  return toJob(row)
}

export async function finishJob(store: Store, { id, workerId, outcome }: { id: string; workerId: string; outcome: { result: unknown } | { error: JobError; final: boolean } }): Promise<void> {
  await store.transaction(async (tx) => {
    if ('result' in outcome) {
      await tx.query(`UPDATE bulwark_jobs SET state = 'completed', result = $2, progress = NULL, finished_at = now() WHERE id = $1 AND worker_id = $3`, [id, JSON.stringify(outcome.result ?? null), workerId])
      await appendJobEvent(tx, { jobId: id, type: 'completed', data: outcome.result ?? null, workerId })
    } else {
      // Not final: pg-boss puts the job back to retry; the record says queued until a worker starts it.
      await tx.query(`UPDATE bulwark_jobs SET state = $2, error = $3, worker_id = NULL, finished_at = ${outcome.final ? 'now()' : 'NULL'} WHERE id = $1 AND worker_id = $4`, [
        id,
        outcome.final ? 'failed' : 'queued',
        JSON.stringify(outcome.error),
        workerId,
      ])
      await appendJobEvent(tx, { jobId: id, type: outcome.final ? 'failed' : 'retrying', data: outcome.error, workerId })
    }
  })
}

/** The job's latest progress and its `progress` event, in one statement (a validation reports each stage). */
export async function recordJobProgress(store: Runner, { id, workerId, progress }: { id: string; workerId: string; progress: unknown }): Promise<void> {
  await store.query(
    `WITH moved AS (UPDATE bulwark_jobs SET progress = $2::jsonb WHERE id = $1)
     INSERT INTO bulwark_job_events (job_id, type, data, worker_id) VALUES ($1, 'progress', $2::jsonb, $3)`,
    [id, JSON.stringify(progress ?? null), workerId],
  )
}

export async function appendJobEvent(store: Runner, event: { jobId: string; type: string; data: unknown; workerId: string | null }): Promise<void> {
  await store.query('INSERT INTO bulwark_job_events (job_id, type, data, worker_id) VALUES ($1, $2, $3, $4)', [event.jobId, event.type, JSON.stringify(event.data ?? null), event.workerId])
}

export async function listJobEvents(store: Runner, { jobId, afterId = 0, limit = 500 }: { jobId?: string | undefined; afterId?: number; limit?: number }): Promise<JobEvent[]> {
  const rows = await store.query<{ id: string | number; job_id: string; type: string; data: unknown; worker_id: string | null; created_at: Date | string }>(
    `SELECT * FROM bulwark_job_events WHERE id > $1 ${jobId ? 'AND job_id = $2' : ''} ORDER BY id LIMIT ${Math.max(1, Math.floor(limit))}`,
    jobId ? [afterId, jobId] : [afterId],
  )
  return rows.map((row) => ({ id: Number(row.id), jobId: row.job_id, type: row.type, data: json(row.data) ?? null, workerId: row.worker_id, createdAt: new Date(row.created_at) }))
}

export async function latestJobEventId(store: Runner): Promise<number> {
  const [row] = await store.query<{ id: string | number | null }>('SELECT max(id) AS id FROM bulwark_job_events')
  return Number(row?.id ?? 0)
}

/** Jobs and their counts by state: queue depth for /metrics and /ready. */
export async function countJobs(store: Runner): Promise<Record<JobState, number>> {
  const rows = await store.query<{ state: JobState; count: string | number }>('SELECT state, count(*) AS count FROM bulwark_jobs GROUP BY state')
  const counts: Record<JobState, number> = { queued: 0, running: 0, completed: 0, failed: 0 }
  for (const row of rows) counts[row.state] = Number(row.count)
  return counts
}
