import { getAddress, parseAbiItem, type Address, type Hash, type Hex, type LocalAccount } from 'viem'
import { createDevClient, type DevClient } from '../chain/clients.js'
import { privateTimelockAbi } from '../chain/privateTimelockAbi.js'
import { nowOf, type LifecycleContext } from '../lifecycle/context.js'
import { TransitionIllegalError } from '../lifecycle/errors.js'
import { getPatch } from '../lifecycle/getPatch.js'
import { listTransitions } from '../lifecycle/listTransitions.js'
import { recordChainReleases } from '../lifecycle/recordChainReleases.js'
import type { Actor, Patch, Transition } from '../lifecycle/types.js'
import { timelockControllerAbi } from '../release/abis.js'
import { ReleaseNotReadyError } from '../release/errors.js'
import { executeReleaseStep } from '../release/executeReleaseStep.js'
import { MultiChainNotPausedError } from '../release/multiChainErrors.js'
import type { PlannedSafeTransaction, SignedReleasePlan } from '../release/plan.js'
import { loadRelease, nextReleaseStep, recordReleaseExecution, type ReleaseRecord } from '../release/releaseRecords.js'
import { releaseSimulatorRuntime } from '../release/releaseSimulatorRuntime.js'
import { chainReleaseId, connectReleaseChain, matchPatchChains, type ChainPause, type ReleaseChain } from './releaseChains.js'
import { storedConfirmations } from './storedConfirmations.js'

export type ExecuteMultiChainReleaseParameters = {
  context: LifecycleContext
  actor: Actor
  patchId: string
  chains: readonly ReleaseChain[]
  chainsFile: string
  /** Sends every Safe transaction (any funded key on every chain: the owners' signatures authorize). */
  submitter: LocalAccount
  /** The key that may pause the protocol on each chain (its guardian), by chain id. */
  pausers?: Readonly<Record<number, LocalAccount>> | undefined
  /**
   * Owner signatures of one chain's planned Safe transaction (that chain's Safe owners), e.g. from
   * owner keys; default: the owners' confirmations stored with `bulwark sign confirm`, re-verified live.
   */
  sign?: ((transaction: PlannedSafeTransaction) => Promise<readonly { signer: Address; signature: Hex }[]>) | undefined
  onProgress?: ((message: string) => void) | undefined
}

/**
 * A transaction of the release on one chain: its block's timestamp (that chain's clock, seconds) and
 * `observedAt`, this process's clock when the receipt was in (one clock for every chain: what orders them).
 */
export type ChainMoment = { transactionHash: Hash | null; blockNumber: string; timestamp: number; observedAt: string }

export type ChainReleaseTimeline = {
  chainId: number
  releaseId: string
  route: SignedReleasePlan['route']['name']
  /** The pause sent before anything of the fix was public (transactionHash null: it was paused already); null without a pause. */
  pause: ChainMoment | null
  schedule: (ChainMoment & { safeTxHash: Hex }) | null
  /** The transaction that upgraded (and unpaused) this chain. */
  release: (ChainMoment & { safeTxHash: Hex }) | null
  /** Read on chain: paused in the block before the release, and no longer paused after it (null without a pause). */
  pausedUntilRelease: boolean | null
  unpausedByRelease: boolean | null
}

export type ExecuteMultiChainReleaseReturnType = {
  /** `scheduled`: every chain is scheduled and paused, run again after `readyAt`; `released`: every chain released. */
  phase: 'scheduled' | 'released'
  chains: ChainReleaseTimeline[]
  /** When the last chain's timelock delay ends (ISO), in the scheduled phase. */
  readyAt: string | null
  /** The fix went public (first schedule or release transaction on any chain): block timestamp and chain. */
  disclosedAt: { chainId: number; timestamp: number } | null
  /** Seconds between the first and last chain's release block timestamps. */
  windowSeconds: number | null
  /** Milliseconds between the first and last release receipt, by this process's clock. */
  windowMs: number | null
  patch: Patch
}

type Chain = { config: ReleaseChain; record: ReleaseRecord; client: DevClient; timeline: ChainReleaseTimeline }

/**
 * Releases one approved patch on every chain it targets so that the fix is never public on one
 * chain while another is open to it. Before anything of the fix is sent, every chain with a
 * configured pause is paused (and read back as paused); a standard route, whose schedule is public
 * for the timelock delay, needs a pause on every chain (`BW_MULTICHAIN_NOT_PAUSED`, nothing sent).
 * Then the schedules go out back to back; once every chain's delay has passed (not before: one
 * chain released early is the exploit recipe for the others), the release transactions are sent
 * to all chains at once. Each batch ends with its chain's unpause, so a chain reopens in the very
 * transaction that fixes it. Every step is checked on chain before the patch moves
 * (`recordChainReleases`); the timeline, pauses and the window between releases are returned and
 * stored as the move's evidence. Run it again after the delay when it returns `scheduled`.
 */
export async function executeMultiChainRelease(parameters: ExecuteMultiChainReleaseParameters): Promise<ExecuteMultiChainReleaseReturnType> {
  const { context, actor, patchId } = parameters
  const say = parameters.onProgress ?? (() => undefined)
  let patch = await getPatch(context, patchId, actor)
  if (patch.status !== 'approved' && patch.status !== 'scheduled') {
    throw new TransitionIllegalError({
      subject: `Patch ${patchId}`,
      current: patch.status,
      requested: 'released',
      allowed: [],
      hint: patch.status === 'awaiting_approval' ? `It has ${patch.approvals.length} of ${patch.requiredApprovals} PatchApproval signatures.` : 'Only an approved (or scheduled) patch is released. Nothing was sent.',
    })
  }
  const configs = matchPatchChains(patch, parameters.chains, parameters.chainsFile)
  const chains: Chain[] = []
  for (const config of configs) {
    const record = await loadRelease(context.store, chainReleaseId(patchId, config.chainId))
    await connectReleaseChain(config)
    const client = createDevClient({ rpcUrl: config.rpcUrl, chainId: config.chainId, account: parameters.submitter })
    chains.push({ config, record, client, timeline: timelineOf(record, config) })
  }
  restoreEarlierMoments(await listTransitions(context, { advisoryId: patch.advisoryId }, actor), patch, chains)
  const simulatorRuntime = await releaseSimulatorRuntime()
  const sign = (chain: Chain, transaction: PlannedSafeTransaction) => parameters.sign?.(transaction) ?? storedConfirmations(chain.client, context, { safeTxHash: transaction.safeTxHash })

  // 1. Nothing of the fix is public yet: pause every pending chain first.
  const disclosed = chains.some((chain) => chain.record.executions.length > 0)
  if (!disclosed) {
    const publicSchedule = chains.find((chain) => chain.record.plan.route.name === 'standard')
    for (const chain of chains) {
      if (!chain.config.pause && publicSchedule && chains.length > 1) {
        throw new MultiChainNotPausedError({ patchId, chainId: chain.config.chainId, reason: `chain ${publicSchedule.config.chainId} schedules on a public timelock (its delay is the window) and no pause is configured for chain ${chain.config.chainId}.` })
      }
      if (chain.config.pause && !parameters.pausers?.[chain.config.chainId] && !(await isPaused(chain.client, chain.config.pause))) {
        throw new MultiChainNotPausedError({ patchId, chainId: chain.config.chainId, reason: 'it is not paused and no pauser key was given for it.' })
      }
    }
    for (const chain of chains) {
      if (!chain.config.pause) continue
      chain.timeline.pause = await pauseChain(chain, parameters.pausers?.[chain.config.chainId], patchId)
      say(`chain ${chain.config.chainId} paused (block ${chain.timeline.pause.blockNumber})`)
    }
  }
  // The pauses must still hold right before the first disclosure.
  for (const chain of chains) {
    if (chain.config.pause && !(await isPaused(chain.client, chain.config.pause)) && nextReleaseStep(chain.record) !== undefined) {
      throw new MultiChainNotPausedError({ patchId, chainId: chain.config.chainId, reason: 'its pause no longer holds (expired or lifted).' })
    }
  }

  // 2. Schedules back to back.
  const toSchedule = chains.filter((chain) => chain.record.plan.safeTransactions.length > 1 && nextReleaseStep(chain.record) === 0)
  for (const chain of toSchedule) {
    const transaction = chain.record.plan.safeTransactions[0]!
    const executed = await executeReleaseStep(chain.client, { plan: chain.record.plan, step: 0, signatures: await sign(chain, transaction), simulatorRuntime })
    chain.record = await recordReleaseExecution(context.store, { patchId: chain.record.patchId, step: 0, purpose: transaction.purpose, safeTxHash: transaction.safeTxHash, transactionHash: executed.transactionHash, blockNumber: executed.blockNumber, at: nowOf(context) })
    chain.timeline.schedule = { ...(await momentOf(chain.client, executed.transactionHash, executed.blockNumber)), safeTxHash: transaction.safeTxHash }
    say(`chain ${chain.config.chainId} scheduled (block ${executed.blockNumber})`)
  }
  const twoStep = chains.filter((chain) => chain.record.plan.safeTransactions.length > 1)
  if (patch.status === 'approved' && twoStep.length === chains.length) {
    patch = (await recordChainReleases(context, { patchId, to: 'scheduled', chains: chains.map(readerOf), data: { timelines: chains.map((chain) => chain.timeline) } }, actor)).patch
  }

  // 3. Releases only when every chain can release: all at once.
  const pending = chains.filter((chain) => nextReleaseStep(chain.record) !== undefined)
  const readiness = await Promise.all(pending.map(async (chain) => ({ chain, ...(await readinessOf(chain)) })))
  const notReady = readiness.filter((entry) => !entry.ready)
  if (notReady.length > 0) {
    const readyAt = Math.max(...notReady.map((entry) => entry.readyAt))
    say(`waiting for the timelock delay on chain(s) ${notReady.map((entry) => entry.chain.config.chainId).join(', ')} (ready at ${new Date(readyAt * 1000).toISOString()})`)
    return { phase: 'scheduled', chains: chains.map((chain) => chain.timeline), readyAt: new Date(readyAt * 1000).toISOString(), disclosedAt: disclosure(chains), windowSeconds: null, windowMs: null, patch }
  }
  const signed = await Promise.all(pending.map(async (chain) => ({ chain, step: nextReleaseStep(chain.record)!, signatures: await sign(chain, chain.record.plan.safeTransactions[nextReleaseStep(chain.record)!]!) })))
  const sent = await Promise.all(
    signed.map(async ({ chain, step, signatures }) => {
      const executed = await executeReleaseStep(chain.client, { plan: chain.record.plan, step, signatures, simulatorRuntime })
      return { chain, step, executed, observedAt: new Date() }
    }),
  )
  for (const { chain, step, executed, observedAt } of sent) {
    const transaction = chain.record.plan.safeTransactions[step]!
    chain.record = await recordReleaseExecution(context.store, { patchId: chain.record.patchId, step, purpose: transaction.purpose, safeTxHash: transaction.safeTxHash, transactionHash: executed.transactionHash, blockNumber: executed.blockNumber, at: nowOf(context) })
    chain.timeline.release = { ...(await momentOf(chain.client, executed.transactionHash, executed.blockNumber, observedAt)), safeTxHash: transaction.safeTxHash }
    if (chain.config.pause) {
      chain.timeline.pausedUntilRelease = await isPaused(chain.client, chain.config.pause, executed.blockNumber - 1n)
      chain.timeline.unpausedByRelease = !(await isPaused(chain.client, chain.config.pause, executed.blockNumber))
    }
    say(`chain ${chain.config.chainId} released (block ${executed.blockNumber})`)
  }
  const released = chains.map((chain) => chain.timeline.release).filter((moment) => moment !== null)
  const windowSeconds = released.length === chains.length ? Math.max(...released.map((m) => m.timestamp)) - Math.min(...released.map((m) => m.timestamp)) : null
  const observed = released.map((moment) => Date.parse(moment.observedAt))
  const windowMs = released.length === chains.length ? Math.max(...observed) - Math.min(...observed) : null
  const timelines = chains.map((chain) => chain.timeline)
  patch = (await recordChainReleases(context, { patchId, to: 'released', chains: chains.map(readerOf), data: { windowSeconds, windowMs, timelines } }, actor)).patch
  return { phase: 'released', chains: timelines, readyAt: null, disclosedAt: disclosure(chains), windowSeconds, windowMs, patch }
}

function readerOf(chain: Chain) {
  return { chainId: chain.config.chainId, releaseId: chain.record.patchId, client: chain.client }
}

function timelineOf(record: ReleaseRecord, config: ReleaseChain): ChainReleaseTimeline {
  return { chainId: config.chainId, releaseId: record.patchId, route: record.plan.route.name, pause: null, schedule: null, release: null, pausedUntilRelease: null, unpausedByRelease: null }
}

/**
 * A run after the delay continues an earlier one: its pauses and schedules come from the evidence of
 * the patch's move to `scheduled` (checked on chain then), so the timeline covers the whole release.
 */
function restoreEarlierMoments(transitions: readonly Transition[], patch: Patch, chains: readonly Chain[]): void {
  const scheduled = transitions.findLast((transition) => transition.machine === 'patch' && transition.subjectId === patch.id && transition.to === 'scheduled')
  const earlier = (scheduled?.evidence.data?.timelines ?? []) as ChainReleaseTimeline[]
  for (const chain of chains) {
    const stored = earlier.find((entry) => entry.chainId === chain.config.chainId)
    chain.timeline.pause = stored?.pause ?? null
    chain.timeline.schedule = stored?.schedule ?? null
  }
}

/** The earliest schedule or release transaction of this run: when the fix became public. */
function disclosure(chains: readonly Chain[]): { chainId: number; timestamp: number } | null {
  const moments = chains.flatMap((chain) => [chain.timeline.schedule, chain.timeline.release].filter((m) => m !== null).map((m) => ({ chainId: chain.config.chainId, timestamp: m.timestamp })))
  if (moments.length === 0) return null
  return moments.reduce((first, moment) => (moment.timestamp < first.timestamp ? moment : first))
}

async function momentOf(client: DevClient, transactionHash: Hash | null, blockNumber: bigint, observedAt = new Date()): Promise<ChainMoment> {
  const block = await client.getBlock({ blockNumber })
  return { transactionHash, blockNumber: blockNumber.toString(), timestamp: Number(block.timestamp), observedAt: observedAt.toISOString() }
}

function functionOf(signature: string) {
  const item = parseAbiItem(`function ${signature}`)
  if (item.type !== 'function') throw new RangeError(`"${signature}" is not a function signature`)
  return item
}

/** Reads the chain's pause flag (at a block, or the latest). */
async function isPaused(client: DevClient, pause: ChainPause, blockNumber?: bigint): Promise<boolean> {
  const item = functionOf(pause.paused ?? 'paused() view returns (bool)')
  const value = await client.readContract({ address: getAddress(pause.target), abi: [item], functionName: item.name, ...(blockNumber === undefined ? {} : { blockNumber }) } as never)
  return value === true
}

/** Pauses one chain with its pauser key (unless it is paused already) and reads the pause back in the mined block. */
async function pauseChain(chain: Chain, pauser: LocalAccount | undefined, patchId: string): Promise<ChainMoment> {
  const pause = chain.config.pause!
  if (await isPaused(chain.client, pause)) return momentOf(chain.client, null, await chain.client.getBlockNumber())
  const item = functionOf(pause.pause ?? 'pause()')
  const sender = createDevClient({ rpcUrl: chain.config.rpcUrl, chainId: chain.config.chainId, account: pauser! })
  let hash: Hash
  try {
    hash = await sender.writeContract({ address: getAddress(pause.target), abi: [item], functionName: item.name, args: [], chain: sender.chain, account: pauser! } as never)
  } catch (error) {
    throw new MultiChainNotPausedError({ patchId, chainId: chain.config.chainId, reason: `the pause transaction was refused (${(error as { shortMessage?: string }).shortMessage ?? 'reverted'}).` })
  }
  const receipt = await sender.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  if (receipt.status !== 'success' || !(await isPaused(chain.client, pause, receipt.blockNumber))) {
    throw new MultiChainNotPausedError({ patchId, chainId: chain.config.chainId, reason: `the pause transaction ${hash} did not leave ${pause.target} paused.` })
  }
  return momentOf(chain.client, hash, receipt.blockNumber)
}

/** Whether a chain's next step can be sent in the next block (the timelock delay has passed). */
async function readinessOf(chain: Chain): Promise<{ ready: boolean; readyAt: number }> {
  const { operation } = chain.record.plan
  if (operation.kind === 'multiSend') return { ready: true, readyAt: 0 }
  const readyAt =
    operation.kind === 'timelockBatch'
      ? await chain.client.readContract({ address: operation.timelock, abi: timelockControllerAbi, functionName: 'getTimestamp', args: [operation.operationId] })
      : await chain.client.readContract({ address: operation.timelock, abi: privateTimelockAbi, functionName: 'getTimestamp', args: [operation.commitment] })
  if (readyAt === 0n) throw new ReleaseNotReadyError({ operationId: operation.kind === 'timelockBatch' ? operation.operationId : operation.commitment, readyAt: 0, now: 0 })
  const { timestamp } = await chain.client.getBlock({ blockTag: 'latest' })
  return { ready: readyAt <= timestamp + 1n, readyAt: Number(readyAt) }
}
