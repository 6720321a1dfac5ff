import os from 'node:os'
import path from 'node:path'
import { isJobKind, jobKinds, type JobState } from '../../jobs/jobKinds.js'
import { openJobQueue, waitForJob } from '../../jobs/jobQueue.js'
import { getJob, listJobEvents, listJobs, type JobRecord } from '../../jobs/jobRecords.js'
import { runJobInProcess } from '../../jobs/runJobInProcess.js'
import { openLifecycle, type LifecycleContext } from '../../lifecycle/context.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import type { CliIo } from '../io.js'
import { jobHandlers } from './jobHandlers.js'

const usage =
  'bulwark job (enqueue KIND [--input JSON] [--manifest FILE] [--wait] | show ID | wait ID | list [--state S]) [--json]'

export const jobCommand: Command = {
  name: 'job',
  summary: 'Enqueue work for the workers (on PostgreSQL) or run it in-process (embedded store), follow it, list jobs.',
  usage,
  positionals: true,
  options: {
    input: { type: 'string', valueName: 'json', description: 'The job input as JSON (validate: {"manifestFile","patchId","rpcUrl","stages","noRebuild"}; verify/intel-scan/monitor-backtest: {"args":[…],"cwd"}).' },
    manifest: { type: 'string', valueName: 'file', description: 'validate: the manifest file (made absolute; every worker must be able to read it).' },
    wait: { type: 'boolean', description: 'Follow the job, printing its events, until it completes (exit 0) or fails (its error code).' },
    state: { type: 'string', valueName: 'state', description: 'list: only jobs in this state (queued, running, completed, failed).' },
  },
  async run({ values, positionals }, io) {
    const [action, ...rest] = positionals
    const json = Boolean(values.json)
    switch (action) {
      case 'enqueue': {
        const [kind, ...extra] = rest
        if (kind === undefined || !isJobKind(kind) || extra.length > 0) throw new UsageError({ message: `\`job enqueue\` needs one job kind: ${jobKinds.join(', ')}.`, usage })
        const input = parseInput(values.input as string | undefined)
        if (values.manifest !== undefined) input['manifestFile'] = path.resolve(io.cwd, values.manifest as string)
        return withLifecycle(io, async (context) => {
          const createdBy = localActorId()
          if (context.store.kind !== 'postgres') {
            // Embedded store: one process owns it, so the work runs here, recorded like a worker's job.
            const job = await runJobInProcess(context.store, { kind, input, createdBy, handler: jobHandlers(context, io.env)[kind] })
            print(io, json, job)
            return 0
          }
          const queue = await openJobQueue(context.store, { databaseUrl: io.env['DATABASE_URL']!, schema: io.env['BULWARK_QUEUE_SCHEMA'] })
          let job: JobRecord
          try {
            job = await queue.enqueue(kind, input, createdBy)
          } finally {
            await queue.close()
          }
          if (!values.wait) {
            print(io, json, job)
            return 0
          }
          return follow(io, json, context, job.id)
        })
      }
      case 'wait':
      case 'show': {
        const [id, ...extra] = rest
        if (id === undefined || extra.length > 0) throw new UsageError({ message: `\`job ${action}\` needs one job id.`, usage })
        return withLifecycle(io, async (context) => {
          if (action === 'wait') return follow(io, json, context, id)
          const job = await getJob(context.store, id)
          const events = await listJobEvents(context.store, { jobId: id })
          const stages = await context.store.query<{ stage: string; worker_id: string; done_at: Date }>('SELECT stage, worker_id, done_at FROM bulwark_job_stages WHERE job_id = $1 ORDER BY done_at', [id])
          if (json) io.stdout(JSON.stringify({ ok: true, job, stages: stages.map((s) => ({ stage: s.stage, workerId: s.worker_id, doneAt: new Date(s.done_at) })), events }, null, 2))
          else {
            io.stdout(describe(job))
            for (const stage of stages) io.stdout(`  stage ${stage.stage} done by ${stage.worker_id}`)
            for (const event of events) io.stdout(`  ${new Date(event.createdAt).toISOString()} ${event.type}${event.data ? ` ${JSON.stringify(event.data)}` : ''}`)
          }
          return 0
        })
      }
      case 'list': {
        const state = values.state as JobState | undefined
        if (state !== undefined && !['queued', 'running', 'completed', 'failed'].includes(state)) throw new UsageError({ message: `--state must be queued, running, completed or failed; got "${state}".`, usage })
        return withLifecycle(io, async (context) => {
          const jobs = await listJobs(context.store, { state })
          if (json) io.stdout(JSON.stringify({ ok: true, jobs }, null, 2))
          else if (jobs.length === 0) io.stdout('No jobs.')
          else for (const job of jobs) io.stdout(describe(job))
          return 0
        })
      }
      default:
        throw new UsageError({ message: action === undefined ? 'Give an action: enqueue, show, wait or list.' : `Unknown action "${action}": enqueue, show, wait or list.`, usage })
    }
  },
}

async function follow(io: CliIo, json: boolean, context: LifecycleContext, id: string): Promise<number> {
  const job = await waitForJob(context.store, id, { onEvent: (event) => (json ? undefined : io.stderr(`› ${event.type}${event.data ? ` ${JSON.stringify(event.data)}` : ''}`)) })
  print(io, json, job)
  return 0
}

function print(io: CliIo, json: boolean, job: JobRecord) {
  if (json) io.stdout(JSON.stringify({ ok: true, job }, null, 2))
  else io.stdout(describe(job))
}

function describe(job: JobRecord): string {
  return `${job.id}  ${job.kind.padEnd(16)} ${job.state.padEnd(9)} attempts ${job.attempts}${job.error ? `  ${job.error.code}` : ''}`
}

function parseInput(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {}
  try {
    const value = JSON.parse(text) as unknown
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>
  } catch {
    // reported below
  }
  throw new UsageError({ message: '--input must be a JSON object.', usage })
}

async function withLifecycle(io: CliIo, work: (context: LifecycleContext) => Promise<number>): Promise<number> {
  const context = await openLifecycle({ cwd: io.cwd, env: io.env })
  try {
    return await work(context)
  } finally {
    await context.store.close()
  }
}

function localActorId(): string {
  try {
    return `local:${os.userInfo().username || 'operator'}`
  } catch {
    return 'local:operator'
  }
}

