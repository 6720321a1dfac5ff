import { BaseError } from '../errors/BaseError.js'

export class JobNotFoundError extends BaseError {
  override readonly name = 'JobNotFoundError'
  constructor({ id }: { id: string }) {
    super('BW_JOB_NOT_FOUND', `No job ${id} in the store.`)
  }
}

/** The job ended `failed` (its retries used up); carries the error it failed with. */
export class JobFailedError extends BaseError {
  override readonly name = 'JobFailedError'
  readonly jobId: string
  constructor({ id, kind, error }: { id: string; kind: string; error: { code?: string; message?: string } | null }) {
    super('BW_JOB_FAILED', `Job ${id} (${kind}) failed${error?.code ? ` with ${error.code}` : ''}.`, {
      ...(error?.message ? { details: error.message.split('\n')[0] } : {}),
      metaMessages: [`Events and stages: bulwark job show ${id}`],
    })
    this.jobId = id
  }
}

export class JobsNeedPostgresError extends BaseError {
  override readonly name = 'JobsNeedPostgresError'
  constructor({ what }: { what: string }) {
    super('BW_JOBS_NEED_POSTGRES', `${what} needs PostgreSQL: set DATABASE_URL=postgres://… (every worker and API process points at the same server).`, {
      metaMessages: ['On the embedded store the work runs in-process, as the plain commands do.'],
    })
  }
}

/** A job the embedded store's owner left queued or running when it stopped: nothing will finish it (recorded as the job's error). */
export class JobInterruptedError extends BaseError {
  override readonly name = 'JobInterruptedError'
  constructor({ id, kind, state, workerId }: { id: string; kind: string; state: string; workerId: string | null }) {
    super('BW_JOB_INTERRUPTED', `Job ${id} (${kind}) was ${state}${workerId ? ` on ${workerId}` : ''} when the process that owned the embedded store stopped; nothing finished it. Start it again.`)
  }
}
