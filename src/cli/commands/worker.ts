import { JobsNeedPostgresError } from '../../jobs/errors.js'
import { isJobKind, jobKinds, type JobKind } from '../../jobs/jobKinds.js'
import { openJobQueue } from '../../jobs/jobQueue.js'
import { startWorker } from '../../jobs/startWorker.js'
import { jobMetrics } from '../../metrics/jobMetrics.js'
import { serveMetrics, type MetricsServer } from '../../metrics/serveMetrics.js'
import { openLifecycle } from '../../lifecycle/context.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import { jobHandlers } from './jobHandlers.js'

const usage = 'bulwark worker [--concurrency N] [--queues KIND,…] [--metrics-port N] [--json]'

export const workerCommand: Command = {
  name: 'worker',
  summary: 'Take jobs (validations, verifications, intel scans, monitor backtests) from the PostgreSQL queue and run them; run any number, on any machine.',
  usage,
  options: {
    concurrency: { type: 'string', valueName: 'n', description: 'Jobs this process runs at once (default 1; a validation uses about one core).' },
    'metrics-port': { type: 'string', valueName: 'n', description: 'Serve GET /metrics (Prometheus text: job durations, process figures) on this port of 127.0.0.1 (0 picks a free one; default none).' },
    queues: { type: 'string', multiple: true, valueName: 'kinds', description: `Only these kinds, comma-separated or repeated: ${jobKinds.join(', ')} (default all).` },
  },
  async run({ values }, io) {
    const concurrencyText = (values.concurrency as string | undefined) ?? '1'
    if (!/^\d+$/.test(concurrencyText) || Number(concurrencyText) < 1 || Number(concurrencyText) > 64) {
      throw new UsageError({ message: `--concurrency must be a whole number from 1 to 64; got "${concurrencyText}".`, usage })
    }
    const kinds = ((values.queues as string[] | undefined) ?? []).flatMap((list) => list.split(',')).map((kind) => kind.trim()).filter(Boolean)
    for (const kind of kinds) if (!isJobKind(kind)) throw new UsageError({ message: `--queues "${kind}" is not a job kind: ${jobKinds.join(', ')}.`, usage })
    const metricsPortText = values['metrics-port'] as string | undefined
    if (metricsPortText !== undefined && (!/^\d+$/.test(metricsPortText) || Number(metricsPortText) > 65_535)) {
      throw new UsageError({ message: `--metrics-port must be a whole number from 0 to 65535; got "${metricsPortText}".`, usage })
    }
    const databaseUrl = io.env['DATABASE_URL']
    if (!databaseUrl) throw new JobsNeedPostgresError({ what: '`bulwark worker`' })
    const json = Boolean(values.json)
    const say = (line: string, data: Record<string, unknown> = {}) => (json ? io.stdout(JSON.stringify({ at: new Date().toISOString(), message: line, ...data })) : io.stderr(`› ${line}`))

    const lifecycle = await openLifecycle({ cwd: io.cwd, env: io.env })
    try {
      const queue = await openJobQueue(lifecycle.store, { databaseUrl, schema: io.env['BULWARK_QUEUE_SCHEMA'] })
      try {
        const all = jobHandlers(lifecycle, io.env)
        const wanted = (kinds.length > 0 ? kinds : jobKinds) as JobKind[]
        const handlers = Object.fromEntries(wanted.map((kind) => [kind, all[kind]]))
        const worker = await startWorker({
          store: lifecycle.store,
          queue,
          databaseUrl,
          handlers,
          concurrency: Number(concurrencyText),
          onLog: (line) => say(line),
          onJobEnd: (event) => jobMetrics.observe(event),
        })
        let metrics: MetricsServer | undefined
        try {
          metrics = metricsPortText === undefined ? undefined : await serveMetrics({ port: Number(metricsPortText) })
          say('worker ready', { worker: worker.id, kinds: worker.kinds, concurrency: Number(concurrencyText), pid: process.pid, ...(metrics ? { metrics: metrics.url } : {}) })
          await io.waitForStop()
          say('stopping: finishing running jobs', { running: [...worker.running.keys()] })
        } finally {
          await worker.stop()
          await metrics?.close()
        }
      } finally {
        await queue.close()
      }
    } finally {
      await lifecycle.store.close()
    }
    return 0
  },
}
