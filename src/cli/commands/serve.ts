import { openLifecycle } from '../../lifecycle/context.js'
import { createServer } from '../../server/createServer.js'
import { serverDefaults } from '../../server/options.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import { progress } from '../io.js'

/** Default port of `bulwark serve`. */
export const defaultServePort = 7340

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run the HTTP API (OpenAPI at /openapi.json) over the local store, until Ctrl-C.',
  usage: 'bulwark serve [--port N] [--host ADDRESS] [--body-limit BYTES] [--rate-limit N] [--events-poll-ms MS] [--token-cache-ms MS] [--json]',
  options: {
    port: { type: 'string', valueName: 'n', description: `Port to listen on (default ${defaultServePort}; 0 picks a free one).` },
    host: { type: 'string', valueName: 'address', description: 'Address to bind (default 127.0.0.1; 0.0.0.0 exposes the API to the network).' },
    'body-limit': { type: 'string', valueName: 'bytes', description: `Largest request body accepted (default ${serverDefaults.bodyLimit}).` },
    'rate-limit': { type: 'string', valueName: 'n', description: `Requests per token (or per address without one) per minute (default ${serverDefaults.rateLimitPerMinute}).` },
    'events-poll-ms': { type: 'string', valueName: 'ms', description: `How often /events re-reads the store for what other processes wrote (default ${serverDefaults.eventsPollMs}); on PostgreSQL their writes also arrive at once through LISTEN/NOTIFY.` },
    'token-cache-ms': { type: 'string', valueName: 'ms', description: `How long a verified token is trusted without a database read (default ${serverDefaults.tokenCacheMs}); on PostgreSQL a revocation through any process evicts it at once.` },
    'log-level': { type: 'string', valueName: 'level', description: 'pino log level on stderr: fatal, error, warn, info, debug, trace or silent (default info).' },
  },
  async run({ values }, io) {
    const report = progress(io, Boolean(values.quiet) || Boolean(values.json))
    const port = integerFlag(values.port as string | undefined, '--port', 0, 65_535) ?? defaultServePort
    const host = (values.host as string | undefined) ?? '127.0.0.1'
    const bodyLimit = integerFlag(values['body-limit'] as string | undefined, '--body-limit', 1, Number.MAX_SAFE_INTEGER)
    const rateLimitPerMinute = integerFlag(values['rate-limit'] as string | undefined, '--rate-limit', 1, Number.MAX_SAFE_INTEGER)
    const eventsPollMs = integerFlag(values['events-poll-ms'] as string | undefined, '--events-poll-ms', 10, 60_000)
    const tokenCacheMs = integerFlag(values['token-cache-ms'] as string | undefined, '--token-cache-ms', 0, 60_000)
    const logLevel = values['log-level'] as never

    const context = await openLifecycle({ cwd: io.cwd, env: io.env })
    try {
      const app = await createServer({
        context,
        options: { bodyLimit, rateLimitPerMinute, eventsPollMs, tokenCacheMs, logLevel },
        // Logs go to stderr so that stdout stays the one JSON document of --json.
        logStream: { write: (line) => io.stderr(line) },
      })
      try {
        await app.listen({ port, host })
        const address = app.server.address()
        const bound = typeof address === 'object' && address ? address.port : port
        const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`
        if (values.json) io.stdout(JSON.stringify({ ok: true, url, openapi: `${url}/openapi.json`, store: context.store.kind }))
        else io.stdout(`Bulwark API listening on ${url} (OpenAPI: ${url}/openapi.json, store: ${context.store.kind}). Ctrl-C stops it.`)
        await io.waitForStop()
        report('stopping')
      } finally {
        await app.close()
      }
    } finally {
      await context.store.close()
    }
    return 0
  },
}

function integerFlag(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new UsageError({ message: `${flag} must be a whole number from ${min} to ${max}; got "${value}".`, usage: serveCommand.usage })
  }
  return number
}
