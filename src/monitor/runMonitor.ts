import type { LocalAccount, PublicClient } from 'viem'
import type { Store, Transaction } from '../store/openStore.js'
import { alertOfFinding, saveAlerts } from './alertStore.js'
import { runDetectors } from './detectors/createDetectors.js'
import type { Policy } from './policy.js'
import { assertResponsesArmed, checkResponses } from './responders/checkResponses.js'
import { createResponsePipeline, type ResponsePipeline, type ResponseRetry } from './responders/createResponsePipeline.js'
import type { IncidentLedger } from './responders/incidentLedger.js'
import type { AlertSink } from './sinks/alertSink.js'
import { replayHistory } from './backtest.js'
import { readCheckpoint } from './sources/checkpoint.js'
import { processNewBlocks } from './sources/processNewBlocks.js'
import { readGovernance, withGovernance } from './sources/readGovernance.js'
import { readDiamondFacets, withDiamondFacets } from './sources/withDiamondFacets.js'
import { tracePending } from './sources/tracePending.js'
import type { Alert, DetectorFinding, DetectorInstance, MonitorChain, MonitorScope } from './types.js'
import type { TraceMethod } from './sources/fetchBlock.js'
import type { ReadAhead } from './sources/readAhead.js'

export type StartMonitorParameters = {
  client: PublicClient
  store: Store
  chain: MonitorChain
  scope: MonitorScope
  detectors: readonly DetectorInstance[]
  policy: Policy
  /** The responder key's account; without one the monitor only alerts (dry run). */
  account?: LocalAccount | undefined
  /** Further owner keys of a guardian Safe that responses `via: "safe"` are signed with. */
  cosigners?: readonly LocalAccount[] | undefined
  /** Decide and alert (saying what would be sent) but send nothing; a response that is not armed is then only logged. */
  dryRun?: boolean | undefined
  /** Retry bounds of a response that fails (defaults in `createResponsePipeline`). */
  responseRetry?: ResponseRetry | undefined
  sinks: readonly AlertSink[]
  /** Opens/updates advisories (`createMonitorIncidentLedger` from the lifecycle); optional. */
  ledger?: IncidentLedger | undefined
  /** Progress and problems, one line each (stderr in the CLI). */
  log?: ((line: string) => void) | undefined
  /** Poll for new blocks every this many ms (default 250). */
  blockIntervalMs?: number | undefined
  /** Poll the mempool every this many ms (default 50); 0 turns the pending source off. */
  pendingIntervalMs?: number | undefined
  /** Where a chain without a checkpoint starts (default: the head). */
  startBlock?: bigint | undefined
  /** Fetch call traces (default true). */
  traces?: boolean | undefined
  /** How block traces are read (default `auto`). */
  traceMethod?: TraceMethod | undefined
  /** Blocks read at once while catching up (default `auto`: one from a node on this machine, several from a node elsewhere). */
  readAhead?: ReadAhead | undefined
  /**
   * Read the protocol's governance from the chain at start (owners, role holders, Safes,
   * timelocks, proxy admins: `readGovernance`) and add it to the scope (default false; the CLI
   * turns it on).
   */
  governanceFromChain?: boolean | undefined
  /**
   * Before following, replay blocks from this one up to where following starts through the
   * detectors, silently: baselines, windows and the watched set learn the protocol's history.
   */
  warmupFromBlock?: bigint | undefined
  /**
   * Runs first in every transaction that moves the chain's checkpoint (a monitor lease's `fence`
   * on PostgreSQL, `acquireMonitorLease`): a monitor that lost its lease to a standby records nothing more.
   */
  fence?: ((tx: Transaction) => Promise<void>) | undefined
}

export type RunningMonitor = {
  /** Stops polling, finishes the batch in hand and waits (up to `graceMs`, default 5 s) for response receipts. Safe to call twice. */
  stop(options?: { graceMs?: number | undefined }): Promise<void>
  readonly pipeline: ResponsePipeline
}

/**
 * Wires the monitor: blocks (with checkpoint, catch-up, reorgs) and pending transactions
 * (simulated) → detectors → risk roll-up → policy → responders → sinks. The block follower
 * commits a block only after its responses were decided, so a monitor killed in between
 * re-processes the block and finds each response already claimed in the store.
 */
export async function startMonitor(parameters: StartMonitorParameters): Promise<RunningMonitor> {
  const { client, store, chain, detectors } = parameters
  const log = parameters.log ?? (() => undefined)
  let scope = parameters.scope
  if (parameters.governanceFromChain) {
    const governance = await readGovernance(client, { contracts: scope.contracts })
    for (const problem of governance.unreadable) log(`governance of ${problem.address} not read: ${problem.reason}`)
    scope = withGovernance(scope, governance)
    scope = withDiamondFacets(scope, await readDiamondFacets(client, { contracts: scope.contracts }))
    log(`governance from the chain: ${governance.authorities.length} authorit(ies), ${governance.roles.length} role holder(s)`)
  }
  // armed means checked: every response is simulated as the responder before anything is watched
  if (parameters.account) {
    const checked = await checkResponses({ client, chainId: chain.id, policy: parameters.policy, account: parameters.account, cosigners: parameters.cosigners })
    if (parameters.dryRun) for (const check of checked.checks.filter((item) => item.status === 'not-armed')) log(`dry run: response "${check.label}" of rule "${check.rule}" is not armed: ${check.reason ?? 'would revert'}`)
    else assertResponsesArmed(checked)
  }
  const pipeline = await createResponsePipeline({
    store,
    client,
    chainId: chain.id,
    policy: parameters.policy,
    account: parameters.account,
    cosigners: parameters.cosigners,
    dryRun: parameters.dryRun,
    retry: parameters.responseRetry,
    sinks: parameters.sinks,
    ledger: parameters.ledger,
    log,
  })
  const blockMemory = new Map<string, unknown>()
  if (parameters.warmupFromBlock !== undefined) {
    const checkpoint = await readCheckpoint(store, chain.id)
    const end = checkpoint ? checkpoint.blockNumber : (parameters.startBlock ?? (await client.getBlockNumber({ cacheTime: 0 }))) - 1n
    const replayed = await replayHistory({ client, chain, scope, detectors, memory: blockMemory, fromBlock: parameters.warmupFromBlock, toBlock: end, traces: parameters.traces, traceMethod: parameters.traceMethod, readAhead: parameters.readAhead })
    log(`warm-up: ${replayed} block(s) of history replayed (${parameters.warmupFromBlock}…${end})`)
  }
  const pendingMemory = new Map<string, unknown>()
  const seen = new Set<string>()
  let headTime = Number((await client.getBlock({ blockTag: 'latest' })).timestamp)
  let stopped = false
  let stopping: Promise<void> | undefined
  // sleeping loops, woken at once by stop()
  const sleepers = new Set<() => void>()

  async function chainTimeOf(findings: readonly DetectorFinding[]): Promise<number> {
    const hash = findings.find((finding) => finding.block)?.block?.hash
    if (!hash) return headTime
    const block = await client.getBlock({ blockHash: hash })
    headTime = Math.max(headTime, Number(block.timestamp))
    return Number(block.timestamp)
  }

  async function blockPass(): Promise<void> {
    const pass = await processNewBlocks({
      client,
      store,
      chain,
      detectors,
      scope,
      memory: blockMemory,
      startBlock: parameters.startBlock,
      traces: parameters.traces,
      traceMethod: parameters.traceMethod,
      readAhead: parameters.readAhead,
      decide: async (findings, drafts) => pipeline.decide({ findings, alerts: drafts, seenAt: new Date(), chainTime: await chainTimeOf(findings) }),
      onAlerts: (alerts) => pipeline.publish(alerts),
      onReorg: ({ ancestor, retracted }) => log(`reorg: back to block ${ancestor}, ${retracted.length} alert(s) retracted`),
      fence: parameters.fence,
    })
    if (pass.processed > 1) log(`caught up ${pass.processed} blocks to #${pass.checkpoint?.blockNumber}`)
  }

  async function pendingPass(): Promise<void> {
    const seenAt = new Date()
    const events = await tracePending(client, { chain, seen })
    if (seen.size > 20_000) seen.clear()
    for (const event of events) {
      if (stopped) return
      const findings = await runDetectors(detectors, event, { client, scope, memory: pendingMemory })
      if (findings.length === 0) continue
      const drafts = findings.map((finding, index) => alertOfFinding(finding, index, seenAt))
      const alerts: Alert[] = await pipeline.decide({ findings, alerts: drafts, seenAt, chainTime: headTime })
      await pipeline.publish(await saveAlerts(store, alerts))
    }
  }

  function loop(name: string, intervalMs: number, pass: () => Promise<void>): Promise<void> {
    return (async () => {
      while (!stopped) {
        const started = Date.now()
        try {
          await pass()
        } catch (error) {
          log(`${name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`)
        }
        const wait = Math.max(0, intervalMs - (Date.now() - started))
        if (!stopped) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(wake, wait)
            function wake() {
              clearTimeout(timer)
              sleepers.delete(wake)
              resolve()
            }
            sleepers.add(wake)
          })
        }
      }
    })()
  }

  const loops = [loop('blocks', parameters.blockIntervalMs ?? 250, blockPass)]
  const pendingIntervalMs = parameters.pendingIntervalMs ?? 50
  if (pendingIntervalMs > 0) loops.push(loop('pending', pendingIntervalMs, pendingPass))

  return {
    pipeline,
    stop({ graceMs = 5000 } = {}) {
      stopping ??= (async () => {
        stopped = true
        for (const wake of [...sleepers]) wake()
        await Promise.all(loops)
        let grace: NodeJS.Timeout | undefined
        await Promise.race([pipeline.drain(), new Promise<void>((resolve) => (grace = setTimeout(resolve, graceMs)))])
        clearTimeout(grace)
      })()
      return stopping
    },
  }
}
