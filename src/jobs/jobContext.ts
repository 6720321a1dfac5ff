import type { Store } from '../store/openStore.js'
import { recordJobProgress, type JobRecord } from './jobRecords.js'

/**
 * What a job handler gets. Stages make a retry cheap and safe: a stage that finished stored its
 * result, and a retried job returns that result instead of running the stage again.
 * `atomicStage` goes further for work that writes to the store (the audit log, a state move):
 * its writes and its "done" marker commit in one transaction, so after a crash either both
 * landed (the retry skips it) or neither did (the retry runs it once).
 */
export type JobContext = {
  job: JobRecord
  workerId: string
  store: Store
  signal: AbortSignal
  progress(data: Record<string, unknown>): Promise<void>
  stage<T>(name: string, work: () => Promise<T>): Promise<T>
  atomicStage<T>(name: string, work: (store: Store) => Promise<T>): Promise<T>
}

export type JobHandler = (context: JobContext) => Promise<unknown>

export function createJobContext({ job, workerId, store, signal }: { job: JobRecord; workerId: string; store: Store; signal: AbortSignal }): JobContext {
  const done = async <T>(runner: Pick<Store, 'query'>, name: string): Promise<{ result: T } | undefined> => {
    const [row] = await runner.query<{ result: unknown }>('SELECT result FROM bulwark_job_stages WHERE job_id = $1 AND stage = $2', [job.id, name])
    if (!row) return undefined
    return { result: (typeof row.result === 'string' ? JSON.parse(row.result) : row.result) as T }
  }
  const mark = (runner: Pick<Store, 'query'>, name: string, result: unknown) =>
    runner.query('INSERT INTO bulwark_job_stages (job_id, stage, result, worker_id) VALUES ($1, $2, $3, $4) ON CONFLICT (job_id, stage) DO NOTHING', [
      job.id,
      name,
      JSON.stringify(result ?? null),
      workerId,
    ])
  return {
    job,
    workerId,
    store,
    signal,
    progress: (data) => recordJobProgress(store, { id: job.id, workerId, progress: data }),
    async stage(name, work) {
      const previous = await done<never>(store, name)
      if (previous) {
        await recordJobProgress(store, { id: job.id, workerId, progress: { stage: name, skipped: 'done by an earlier attempt' } })
        return previous.result
      }
      const result = await work()
      await mark(store, name, result)
      return result
    },
    async atomicStage(name, work) {
      return store.transaction(async (tx) => {
        // The job row's lock serializes two attempts that overlap (a worker presumed dead that was not).
        await tx.query('SELECT id FROM bulwark_jobs WHERE id = $1 FOR UPDATE', [job.id])
        const previous = await done<never>(tx, name)
        if (previous) return previous.result
        const bound: Store = {
          kind: store.kind,
          query: (sql, params) => tx.query(sql, params),
          transaction: (inner) => inner(tx),
          close: async () => undefined,
        }
        const result = await work(bound)
        await mark(tx, name, result)
        return result
      })
    },
  }
}
