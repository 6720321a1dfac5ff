import { z } from 'zod'
import { connectChain } from '../../chain/connectChain.js'
import { demoEntries, demoInventoryRoots } from '../../chain/demoEntries.js'
import { readInventory } from '../../chain/readInventory.js'
import { listPatches } from '../../lifecycle/listPatches.js'
import { listTransitions } from '../../lifecycle/listTransitions.js'
import { listVerifications } from '../../lifecycle/recordVerification.js'
import { loadRelease } from '../../release/releaseRecords.js'
import { latestStreamAlertId, listStreamAlerts } from '../../monitor/sinks/alertStream.js'
import { DemoRunningError, DemoUnavailableError } from '../../operations/demoErrors.js'
import { currentDemoRun, playDemo } from '../../operations/playDemo.js'
import { defineRoute } from '../route.js'
import { toJsonValue } from '../schemas.js'

const json = z.unknown()

/** The chain of control of the attached devnet's demo protocol, with risky configurations, and a name per address. */
export const inventoryRoute = defineRoute({
  method: 'GET',
  url: '/inventory',
  summary: 'The inventory (proxy → admin → timelock → Safe → owners graph, findings) of the attached devnet; `available: false` without one.',
  tag: 'dashboard',
  permission: 'advisory:read',
  response: z.strictObject({ available: z.boolean(), labels: z.record(z.string(), z.string()), inventory: json }),
  handler: async ({ env }) => {
    const devnet = env.devnet
    if (!devnet) return { available: false, labels: {}, inventory: null }
    const { client, blockNumber } = await connectChain({ rpcUrl: devnet.rpcUrl })
    const inventory = await readInventory(client, { addresses: demoInventoryRoots(devnet.protocol), blockNumber, fromBlock: BigInt(devnet.protocol.fromBlock) })
    const entries = demoEntries(devnet.protocol)
    const labels: Record<string, string> = Object.fromEntries([...entries.contracts, ...entries.authorities].map((entry) => [entry.address, entry.name]))
    devnet.protocol.safeOwners.forEach((owner, index) => (labels[owner] = `Safe owner ${index + 1}`))
    return { available: true, labels, inventory: toJsonValue(inventory) }
  },
})

/** The demo incident being played (or the last one), step by step. */
export const getDemoRoute = defineRoute({
  method: 'GET',
  url: '/demo',
  summary: 'Whether a devnet is attached, and the current or last demo run: steps, alerts, what signers sign, release and latency.',
  tag: 'dashboard',
  permission: 'advisory:read',
  response: z.strictObject({ available: z.boolean(), run: json }),
  handler: async ({ env }) => ({ available: env.devnet !== undefined, run: toJsonValue(currentDemoRun()) }),
})

/** Starts the demo incident; it plays in the background (follow it with GET /demo and /events). */
export const startDemoRoute = defineRoute({
  method: 'POST',
  url: '/demo/runs',
  summary: 'Plays the demo incident on the attached devnet. `approvals: wait` (default) leaves the last approvals to signers in the dashboard. 409 BW_DEMO_UNAVAILABLE without an attached devnet, 409 BW_DEMO_RUNNING while a run is playing.',
  tag: 'dashboard',
  permission: 'advisory:create',
  body: z.strictObject({ approvals: z.enum(['auto', 'wait']).default('wait') }).optional(),
  status: 201,
  response: z.strictObject({ started: z.boolean(), reason: z.string().nullable(), run: json }),
  handler: async ({ body, env }) => {
    const devnet = env.devnet
    if (!devnet) throw new DemoUnavailableError()
    const current = currentDemoRun()
    if (current && (current.status === 'running' || current.status === 'waiting')) throw new DemoRunningError({ runId: current.id })
    const finished = playDemo({ context: env.context, devnet, approvals: body?.approvals ?? 'wait', onChange: () => env.feed.poke() })
    void finished.catch(() => {})
    return { started: true, reason: null, run: toJsonValue(currentDemoRun()) }
  },
})

/** Patches that reached the chain, from the store: the stored release plan, its executed transactions, and the latest stored verification. */
export const listReleasesRoute = defineRoute({
  method: 'GET',
  url: '/releases',
  summary: 'Releases: patches scheduled, released or verified, with their stored plan (route, plan hash, executed transactions) and their latest stored verifyRelease result; overrides are shown as such.',
  tag: 'dashboard',
  permission: 'advisory:read',
  response: z.strictObject({ releases: z.array(json) }),
  handler: async ({ actor, env }) => {
    const patches = (await listPatches(env.context, {}, actor)).filter((patch) => ['scheduled', 'released', 'verified'].includes(patch.status))
    const releases = []
    for (const patch of patches) {
      const release = await loadRelease(env.context.store, patch.id).catch(() => null)
      const [verification] = await listVerifications(env.context, patch.id)
      const overrides = (await listTransitions(env.context, { advisoryId: patch.advisoryId }, actor)).filter((t) => t.subjectId === patch.id && t.override !== undefined)
      releases.push({
        patch: toJsonValue(patch),
        release: release
          ? toJsonValue({ route: release.route, planHash: release.planHash, reportHash: release.reportHash, status: release.status, gate: release.plan.gate, executions: release.executions.map((e) => ({ ...e, blockNumber: e.blockNumber.toString() })), releasedAt: release.releasedAt, verifiedAt: release.verifiedAt })
          : null,
        verification: verification ? toJsonValue({ id: verification.id, ok: verification.ok, verifiedAt: verification.verifiedAt, checks: verification.result.checks, targets: verification.result.targets }) : null,
        overrides: overrides.map((t) => ({ to: t.to, reason: t.override, by: t.actor.id, at: t.at.toISOString() })),
      })
    }
    return { releases }
  },
})

/** What the in-process monitor (`npm start`) raised: alerts and the response taken for each, newest first. */
export const listAlertsRoute = defineRoute({
  method: 'GET',
  url: '/alerts',
  summary: 'Alerts the monitor raised (detector, severity, block, transaction, summary, risk score, response taken), newest first, at most 200.',
  tag: 'dashboard',
  permission: 'advisory:read',
  response: z.strictObject({ alerts: z.array(json) }),
  handler: async ({ env }) => {
    const newest = await latestStreamAlertId(env.context.store)
    const alerts = await listStreamAlerts(env.context.store, { afterId: Math.max(0, newest - 200), limit: 200 })
    return { alerts: alerts.reverse().map(({ id, alert }) => toJsonValue({ streamId: id, ...alert })) }
  },
})
