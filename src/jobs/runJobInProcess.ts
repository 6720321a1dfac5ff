import { randomUUID } from 'node:crypto'
import type { Store } from '../store/openStore.js'
import { JobFailedError } from './errors.js'
import { createJobContext, type JobHandler } from './jobContext.js'
import type { JobKind } from './jobKinds.js'
import { finishJob, getJob, insertJob, startJobAttempt, type JobRecord } from './jobRecords.js'

/**
 * The embedded store's way to run a job: in this process, at once, with the same record,
 * events and stages a worker would write (so `bulwark job show` and /events read it alike).
 */
export async function runJobInProcess(store: Store, { kind, input, createdBy, handler }: { kind: JobKind; input: Record<string, unknown>; createdBy: string; handler: JobHandler }): Promise<JobRecord> {
  const id = randomUUID()
  const workerId = `in-process:${process.pid}`
  await insertJob(store, { id, kind, input, createdBy })
  const job = await startJobAttempt(store, { id, workerId })
  try {
    const result = await handler(createJobContext({ job, workerId, store, signal: new AbortController().signal }))
    await finishJob(store, { id, workerId, outcome: { result } })
  } catch (cause) {
    const error = { code: (cause as { code?: string }).code ?? 'BW_INTERNAL', message: cause instanceof Error ? cause.message : String(cause) }
    await finishJob(store, { id, workerId, outcome: { error, final: true } })
    throw new JobFailedError({ id, kind, error })
  }
  return getJob(store, id)
}
