import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { registry } from './registry.js'

export type ServeMetricsParameters = {
  /** Port to listen on (0 picks a free one). */
  port: number
  /** Address to bind (default 127.0.0.1). */
  host?: string | undefined
}

export type MetricsServer = {
  /** `http://host:port/metrics`. */
  url: string
  close(): Promise<void>
}

/**
 * `GET /metrics` of a process that serves no API (`bulwark worker --metrics-port N`): the same
 * registry and Prometheus text format as an API process, so a worker's job durations
 * (`bulwark_job_duration_seconds`) can be scraped where they are observed. Anything else is 404.
 */
export async function serveMetrics({ port, host = '127.0.0.1' }: ServeMetricsParameters): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
      return
    }
    registry.metrics().then(
      (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${error instanceof Error ? error.message : String(error)}\n`),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  const bound = (server.address() as AddressInfo).port
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
