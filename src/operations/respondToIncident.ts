import type { LocalAccount, PublicClient } from 'viem'
import type { LifecycleContext } from '../lifecycle/context.js'
import { createMonitorIncidentLedger } from '../lifecycle/createMonitorIncidentLedger.js'
import { createDetectors } from '../monitor/detectors/createDetectors.js'
import type { Policy } from '../monitor/policy.js'
import { startMonitor, type RunningMonitor } from '../monitor/runMonitor.js'
import type { AlertSink } from '../monitor/sinks/alertSink.js'
import type { DetectorInstance, MonitorChain, MonitorScope } from '../monitor/types.js'

export type RespondToIncidentParameters = {
  context: LifecycleContext
  client: PublicClient
  chain: MonitorChain
  scope: MonitorScope
  policy: Policy
  /** The responder key (a guardian, a pauser): the policy's responses are sent from it. Without one the monitor only alerts. */
  responder?: LocalAccount | undefined
  detectors?: readonly DetectorInstance[] | undefined
  sinks: readonly AlertSink[]
  log?: ((line: string) => void) | undefined
  blockIntervalMs?: number | undefined
  pendingIntervalMs?: number | undefined
}

/**
 * Responds to incidents as they happen: the monitor watches the chain, the policy's responses are
 * sent from the responder key (checked armed before anything is watched), and the first response
 * to an incident opens an advisory in the lifecycle, marked contained once the pause is mined.
 */
export async function respondToIncident(parameters: RespondToIncidentParameters): Promise<RunningMonitor> {
  return startMonitor({
    client: parameters.client,
    store: parameters.context.store,
    chain: parameters.chain,
    scope: parameters.scope,
    detectors: parameters.detectors ?? createDetectors(),
    policy: parameters.policy,
    account: parameters.responder,
    sinks: parameters.sinks,
    ledger: createMonitorIncidentLedger(parameters.context),
    log: parameters.log,
    blockIntervalMs: parameters.blockIntervalMs,
    pendingIntervalMs: parameters.pendingIntervalMs,
  })
}
