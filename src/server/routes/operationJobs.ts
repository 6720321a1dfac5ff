import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { JobNotFoundError } from '../../jobs/errors.js'
import { createJobContext, type JobHandler } from '../../jobs/jobContext.js'
import type { JobKind } from '../../jobs/jobKinds.js'
import { openJobQueue } from '../../jobs/jobQueue.js'
import { finishJob, getJob, insertJob, startJobAttempt, type JobRecord } from '../../jobs/jobRecords.js'
import { OperationNotConfiguredError } from '../../jobs/handlers/operationsSetup.js'
import type { LifecycleContext } from '../../lifecycle/context.js'
import { PatchNotFoundError } from '../../lifecycle/errors.js'
import { getPatch } from '../../lifecycle/getPatch.js'
import { embargoClearedRoles } from '../../lifecycle/permissions.js'
import type { Actor, Role } from '../../lifecycle/types.js'
import type { RouteEnvironment } from '../route.js'
import { isoDate, toJsonValue } from '../schemas.js'

export const jobResponse = z.strictObject({
  id: z.string(),
  kind: z.string(),
  input: z.record(z.string(), z.unknown()),
  state: z.enum(['queued', 'running', 'completed', 'failed']),
  attempts: z.number(),
  workerId: z.string().nullable(),
  progress: z.unknown(),
  result: z.unknown(),
  error: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
  createdBy: z.string(),
  createdAt: isoDate,
  startedAt: isoDate.nullable(),
  finishedAt: isoDate.nullable(),
})

/** Input members the API never shows: an RPC URL may carry an API key, and server paths are the server's business. */
const privateInputs = new Set(['rpcUrl', 'manifestFile', 'manifestDir', 'cwd'])

/** A job as the API shows it: its input without RPC URLs and server paths. */
export function jobJson(job: JobRecord) {
  const input = Object.fromEntries(Object.entries(job.input).filter(([name]) => !privateInputs.has(name)))
  return toJsonValue({ ...job, input }) as z.input<typeof jobResponse>
}

const inProcessWorker = `api-in-process:${process.pid}`

/**
 * Starts an operation as a job. On PostgreSQL it is queued for the workers (`bulwark worker`); on
 * the embedded store (one process owns it) it runs in this process, in the background, with the
 * record, stages and events a worker would write. Either way the caller gets the queued record at
 * once and follows it on GET /jobs/{id} and /events.
 */
export async function startOperationJob(env: RouteEnvironment, { kind, input, actor, handler }: { kind: JobKind; input: Record<string, unknown>; actor: Actor; handler: JobHandler }): Promise<JobRecord> {
  const { store } = env.context
  if (store.kind === 'postgres') {
    const databaseUrl = process.env['DATABASE_URL']
    if (!databaseUrl) throw new OperationNotConfiguredError({ what: 'job queue', hint: 'Set DATABASE_URL (the PostgreSQL server of the store) so that operations are queued for `bulwark worker`.' })
    const queue = await openJobQueue(store, { databaseUrl, schema: process.env['BULWARK_QUEUE_SCHEMA'] })
    try {
      return await queue.enqueue(kind, input, actor.id)
    } finally {
      await queue.close()
    }
  }
  const id = randomUUID()
  await insertJob(store, { id, kind, input, createdBy: actor.id })
  const queued = await getJob(store, id)
  void runInBackground(env.context, id, handler)
  return queued
}

async function runInBackground(context: LifecycleContext, id: string, handler: JobHandler): Promise<void> {
  const { store } = context
  try {
    const job = await startJobAttempt(store, { id, workerId: inProcessWorker })
    try {
      const result = await handler(createJobContext({ job, workerId: inProcessWorker, store, signal: new AbortController().signal }))
      await finishJob(store, { id, workerId: inProcessWorker, outcome: { result } })
    } catch (cause) {
      const error = { code: (cause as { code?: string }).code ?? 'BW_INTERNAL', message: cause instanceof Error ? cause.message : String(cause) }
      await finishJob(store, { id, workerId: inProcessWorker, outcome: { error, final: true } })
    }
  } catch {
    // The store closed under the job (the server stopped): the record stays `running`, as a crashed worker's would.
  }
}

/** Whether the actor may see a job: a patch's job as its patch (embargo), any other only with a role cleared for every advisory. */
export async function canSeeJob(context: LifecycleContext, job: Pick<JobRecord, 'input'>, actor: Actor): Promise<boolean> {
  const patchId = job.input['patchId']
  if (typeof patchId !== 'string') return actor.roles.some((role) => (embargoClearedRoles as readonly Role[]).includes(role))
  try {
    await getPatch(context, patchId, actor)
    return true
  } catch (error) {
    if (error instanceof PatchNotFoundError) return false
    throw error
  }
}

/** The job, or BW_JOB_NOT_FOUND exactly as for a job that does not exist when the caller may not see it. */
export async function visibleJob(context: LifecycleContext, id: string, actor: Actor): Promise<JobRecord> {
  const job = await getJob(context.store, id)
  if (!(await canSeeJob(context, job, actor))) throw new JobNotFoundError({ id })
  return job
}
