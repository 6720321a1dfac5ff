import { existsSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { PublicClient } from 'viem'
import { connectChain } from '../../chain/connectChain.js'
import { demoEntries } from '../../chain/demoEntries.js'
import { bulwarkRoot } from '../../compile/bulwarkRoot.js'
import { devAccount, devRoles } from '../../chain/devAccounts.js'
import type { RunningMonitor } from '../../monitor/runMonitor.js'
import { demoResponsePolicy } from '../../operations/playDemo.js'
import { respondToIncident } from '../../operations/respondToIncident.js'
import { createAlertStreamSink } from '../../monitor/sinks/alertStream.js'
import { openLifecycle } from '../../lifecycle/context.js'
import { createApiToken } from '../../server/auth.js'
import { createServer } from '../../server/createServer.js'
import type { DemoDevnet } from '../../operations/playDemo.js'
import { UsageError } from '../errors.js'
import type { CliIo } from '../io.js'

/** Where a running dashboard leaves its URL and operator token (mode 0600) for `bulwark demo`. */
export const dashboardStateFile = (cwd: string) => path.join(cwd, '.bulwark', 'dashboard.json')

/** Default port of the dashboard that `npm start` serves. */
export const defaultDashboardPort = 7340

export function dashboardPort(value: unknown): number {
  if (value === undefined) return defaultDashboardPort
  const text = String(value)
  if (!/^\d+$/.test(text) || Number(text) > 65_535) throw new UsageError({ message: `--api-port must be a port number; got "${text}".`, usage: 'bulwark devnet [--port N] [--api-port N] [--once] [--json]' })
  return Number(text)
}

/**
 * Starts the API and the dashboard (web/dist) over the local store with the devnet attached, and
 * creates a fresh operator token (admin, responder, signer) that the printed URL carries in its
 * fragment (never sent to the server in a request line, never logged).
 */
export async function startDashboard({ io, devnet, port, host = '127.0.0.1', monitor: withMonitor = true }: { io: CliIo; devnet: DemoDevnet; port: number; host?: string; monitor?: boolean }) {
  // The devnet's incident records live beside its chain and die with it: a separate embedded database,
  // fresh per run, which also leaves `.bulwark/db` free for `bulwark inventory` and other commands in
  // another terminal (PGlite admits one process at a time).
  const dataDir = path.join(io.cwd, '.bulwark', 'devnet', 'db')
  if (!io.env.DATABASE_URL) await rm(dataDir, { recursive: true, force: true })
  const context = await openLifecycle({ cwd: io.cwd, env: io.env, dataDir })
  let monitor: RunningMonitor | undefined
  try {
    if (withMonitor) {
      // The monitor in-process, holding the guardian key: it pauses the pool on an incident (the
      // demo's response policy), opens the advisory, and its alerts feed GET /alerts.
      const { client } = await connectChain({ rpcUrl: devnet.rpcUrl })
      const entries = demoEntries(devnet.protocol)
      monitor = await respondToIncident({
        context,
        client: client as unknown as PublicClient,
        chain: { id: devnet.chainId, name: 'devnet' },
        scope: { contracts: entries.contracts.map((entry) => entry.address), releaseGates: [devnet.protocol.releaseGate], authorities: entries.authorities.map((entry) => entry.address) },
        policy: demoResponsePolicy(devnet.protocol),
        responder: devAccount(devRoles.guardian),
        sinks: [createAlertStreamSink(context.store)],
        log: (line) => io.stderr(`monitor: ${line}`),
        blockIntervalMs: 500,
        pendingIntervalMs: 0,
      })
    }
    const dist = path.join(bulwarkRoot(), 'web', 'dist')
    if (!existsSync(path.join(dist, 'index.html'))) io.stderr(`warning: ${dist} has no build; run \`npm run build\` for the dashboard (the API works without it).`)
    const { token } = await createApiToken(context, { roles: ['admin', 'responder', 'signer'], label: `dashboard-${Date.now()}` }, { id: 'bulwark-devnet', roles: ['admin'] })
    const app = await createServer({ context, devnet, dashboardDir: dist, options: { logLevel: 'warn' }, logStream: { write: (line) => io.stderr(line) } })
    await app.listen({ port, host })
    const address = app.server.address()
    const bound = typeof address === 'object' && address ? address.port : port
    const base = `http://${host}:${bound}`
    // For `bulwark demo` in another terminal: the embedded database admits one process, so it goes through this API.
    await mkdir(path.join(io.cwd, '.bulwark'), { recursive: true })
    await writeFile(dashboardStateFile(io.cwd), `${JSON.stringify({ url: base, token, pid: process.pid })}\n`, { mode: 0o600 })
    return {
      url: `${base}/#token=${token}`,
      base,
      token,
      /** The store the dashboard serves (tests read the records behind the views). */
      context,
      monitoring: monitor !== undefined,
      async close() {
        await rm(dashboardStateFile(io.cwd), { force: true })
        await monitor?.stop({ graceMs: 1000 })
        await app.close()
        await context.store.close()
      },
    }
  } catch (error) {
    await monitor?.stop({ graceMs: 0 })
    await context.store.close()
    throw error
  }
}
