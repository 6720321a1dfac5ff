import type { Store } from '../store/openStore.js'
import { JobInterruptedError } from './errors.js'
import { appendJobEvent } from './jobRecords.js'

/**
 * On the embedded store one process owns the data (the store lock) and runs the jobs itself, in
 * process: a job still queued or running when a process opens the store belongs to one that is
 * gone (stopped mid-job, killed, crashed), and nothing will ever finish it. Each such job is
 * marked `failed` with BW_JOB_INTERRUPTED and a `failed` event, so `bulwark job show`,
 * GET /jobs/:id and /events tell what happened instead of "running" forever. Jobs running in this
 * very process (worker ids ending in `:<pid>`) are left alone; a queued one is always an earlier
 * owner's, as an in-process job is started the moment it is queued, so call this before the
 * process starts jobs of its own (the server does, when it is created). On PostgreSQL
 * nothing is done: there workers reclaim a dead worker's jobs (advisory-lock liveness).
 *
 * @returns the ids of the jobs marked.
 */
export async function failInterruptedJobs(store: Store): Promise<string[]> {
  if (store.kind === 'postgres') return []
  return store.transaction(async (tx) => {
    const rows = await tx.query<{ id: string; kind: string; state: string; worker_id: string | null }>(
      `SELECT id, kind, state, worker_id FROM bulwark_jobs
         WHERE state IN ('queued', 'running') AND (worker_id IS NULL OR worker_id NOT LIKE '%' || $1)`,
      [`:${process.pid}`],
    )
    for (const row of rows) {
      const error = new JobInterruptedError({ id: row.id, kind: row.kind, state: row.state, workerId: row.worker_id })
      const recorded = { code: error.code, message: error.message }
      await tx.query(`UPDATE bulwark_jobs SET state = 'failed', error = $2, worker_id = NULL, progress = NULL, finished_at = now() WHERE id = $1`, [row.id, JSON.stringify(recorded)])
      await appendJobEvent(tx, { jobId: row.id, type: 'failed', data: recorded, workerId: row.worker_id })
    }
    return rows.map((row) => row.id)
  })
}
