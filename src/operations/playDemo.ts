import { encodeFunctionData, parseEther, type Abi, type Address, type Hash, type Hex } from 'viem'
import { circuitBreakerAbi } from '../chain/circuitBreakerAbi.js'
import { createDevClient, createTestChainClient, type DevClient } from '../chain/clients.js'
import { deployContract } from '../chain/deployContract.js'
import { demoAuditorAccountIndices, type DemoProtocol } from '../chain/deployDemoProtocol.js'
import { demoReleaseConfig } from '../chain/demoEntries.js'
import { devAccount, devRoles } from '../chain/devAccounts.js'
import { scheduleAndExecuteViaSafe } from '../chain/scheduleAndExecuteViaSafe.js'
import { bulwarkRoot } from '../compile/bulwarkRoot.js'
import { compileProject } from '../compile/compileProject.js'
import { getArtifact } from '../compile/getArtifact.js'
import type { LifecycleContext } from '../lifecycle/context.js'
import { createPatch } from '../lifecycle/createPatch.js'
import { getAdvisoryLatency } from '../lifecycle/getAdvisoryLatency.js'
import { getPatch } from '../lifecycle/getPatch.js'
import { listAdvisories } from '../lifecycle/listAdvisories.js'
import { patchApprovalDigest } from '../lifecycle/patchApprovalTypedData.js'
import { registerApprovalSigner } from '../lifecycle/registerApprovalSigner.js'
import { setContainment } from '../lifecycle/setContainment.js'
import { transitionAdvisory } from '../lifecycle/transitionAdvisory.js'
import type { Actor, Advisory } from '../lifecycle/types.js'
import { parsePolicy, type Policy } from '../monitor/policy.js'
import { signPlannedSafeTransaction } from '../release/safeTransactions.js'
import { DemoRunningError } from './demoErrors.js'
import { parseManifest } from '../validate/loadManifest.js'
import { confirmRelease } from './confirmRelease.js'
import { executeRelease } from './executeRelease.js'
import { planRelease } from './planRelease.js'
import { validatePatch } from './validatePatch.js'
import { verifyPatchRelease } from './verifyPatchRelease.js'

/** The devnet a server (or `bulwark demo`) plays the incident on: what `bulwark devnet` writes to `.bulwark/devnet.json`. */
export type DemoDevnet = { rpcUrl: string; chainId: number; protocol: DemoProtocol }

export const demoStepIds = ['exploit', 'pause', 'advisory', 'validate', 'approve', 'release', 'verify', 'unpause'] as const
export type DemoStepId = (typeof demoStepIds)[number]
const stepTitles: Record<DemoStepId, string> = {
  exploit: 'Attacker sends the exploit',
  pause: 'Monitor pauses the pool',
  advisory: 'Advisory opens',
  validate: 'V2 patch is validated',
  approve: 'Signers approve',
  release: 'Release goes through the route',
  verify: 'Release is verified on chain',
  unpause: 'Protocol is unpaused',
}

export type DemoStep = { id: DemoStepId; title: string; status: 'pending' | 'running' | 'waiting' | 'done' | 'failed'; startedAt: string | null; finishedAt: string | null; detail: string | null }

/**
 * One play of the demo incident. Everything in it points into the store (advisory, patch, the
 * monitor's response, the release plan and its transactions, the stored verification): the run is
 * progress, not the record.
 */
export type DemoRun = {
  id: number
  status: 'running' | 'waiting' | 'done' | 'failed'
  startedAt: string
  finishedAt: string | null
  advisoryId: string | null
  patchId: string | null
  steps: DemoStep[]
  /** The exploit transaction and the monitor's pause (from `monitor_responses`). */
  exploitTx: Hash | null
  pause: { txHash: Hash; from: Address; response: string } | null
  /** What signers sign: the report hash, the plan and its Safe transactions. */
  signing: {
    reportHash: Hex
    /** The EIP-712 PatchApproval digest over { patchId, reportHash } on the devnet's chain id (what a signer's wallet shows). */
    approvalDigest: Hex
    chainId: number
    /** The registered approval signer the dashboard signs as in the demo: an anvil account (its key is public, devnet only). */
    demoSigner: { address: Address; label: string; devAccountIndex: number }
    planHash: Hex
    gatePatchId: Hex
    codehashes: Hex[]
    calls: { target: Address; description: string }[]
    threshold: number
    safeOwners: Address[]
    safeTxHashes: Hex[]
  } | null
  latency: unknown
  error: string | null
}

export type PlayDemoParameters = {
  context: LifecycleContext
  devnet: DemoDevnet
  /** `auto`: the demo's Safe owners confirm; `wait`: one owner confirms, the rest must come from the dashboard or the API. */
  approvals?: 'auto' | 'wait' | undefined
  /** How long `wait` waits for the remaining confirmations before the demo's own owners complete them (ms). */
  approvalTimeoutMs?: number | undefined
  /** How long to wait for the monitor's pause (ms); generous, as the monitor shares a loaded machine in CI. */
  pauseTimeoutMs?: number | undefined
  onChange?: ((run: DemoRun) => void) | undefined
}

/**
 * The monitor's response policy for the demo protocol: the guardian (the responder key) pauses
 * the lending pool with its own `pauseFor(uint256)` on any incident scoring 60 or more; everything
 * else is an alert.
 */
export function demoResponsePolicy(protocol: DemoProtocol): Policy {
  return parsePolicy({
    rules: [
      {
        name: 'pause the lending pool',
        minScore: 60,
        respond: [
          {
            kind: 'contract-call',
            name: 'LendingPool guardian pause',
            calls: [{ target: protocol.lendingPool.proxy, function: 'pauseFor(uint256)', args: [protocol.pauseSeal.maxPauseDuration]}],
          },
        ],
      },
      { name: 'alert', minScore: 0, respond: [{ kind: 'notify' }] },
    ],
  })
}

const responderActor: Actor = { id: 'demo-responder', roles: ['admin', 'responder'] }
/** The demo's approval signer: Safe owner 2's anvil account, registered as an approval signer for the run. */
const demoSignerIndex = devRoles.safeOwners[1]
const demoSignerLabel = 'demo signer (Safe owner 2, anvil account 2)'
const seed = parseEther('25000')

let running: DemoRun | null = null
let lastRun: DemoRun | null = null
let runCounter = 0

/** The demo run being played, else the last one played by this process, else null. */
export function currentDemoRun(): DemoRun | null {
  return running ?? lastRun
}

/**
 * Plays the demo incident with the real modules: the attacker's exploit; the monitor (running with
 * the guardian key, `respondToIncident`) detects it, pauses the pool and opens the advisory; the V2
 * patch is validated by the pipeline (`validatePatch`), planned on the project's standard route
 * (`planRelease`), confirmed by Safe owners (`confirmRelease`), scheduled and executed through the
 * release module (`executeRelease`), verified by `verifyRelease` (`verifyPatchRelease`), and the
 * pool is unpaused. Resolves with the finished run (failed runs resolve too, with `error`).
 */
export async function playDemo(parameters: PlayDemoParameters): Promise<DemoRun> {
  if (running) throw new DemoRunningError({ runId: running.id })
  const run: DemoRun = {
    id: ++runCounter,
    status: 'running',
    startedAt: new Date().toISOString(),
    finishedAt: null,
    advisoryId: null,
    patchId: null,
    steps: demoStepIds.map((id) => ({ id, title: stepTitles[id], status: 'pending', startedAt: null, finishedAt: null, detail: null })),
    exploitTx: null,
    pause: null,
    signing: null,
    latency: null,
    error: null,
  }
  running = run
  try {
    await play(run, parameters)
    run.status = 'done'
  } catch (error) {
    run.status = 'failed'
    run.error = error instanceof Error ? error.message.split('\n')[0]! : String(error)
    const step = run.steps.find((s) => s.status === 'running' || s.status === 'waiting')
    if (step) Object.assign(step, { status: 'failed', finishedAt: new Date().toISOString(), detail: run.error })
  } finally {
    run.finishedAt = new Date().toISOString()
    running = null
    lastRun = run
    parameters.onChange?.(run)
  }
  return run
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function play(run: DemoRun, { context, devnet, approvals = 'auto', approvalTimeoutMs = 600_000, pauseTimeoutMs = 180_000, onChange }: PlayDemoParameters): Promise<void> {
  const { rpcUrl, chainId, protocol: demo } = devnet
  const changed = () => onChange?.(run)
  const step = async <T>(id: DemoStepId, work: (s: DemoStep) => Promise<T>): Promise<T> => {
    const s = run.steps.find((candidate) => candidate.id === id)!
    Object.assign(s, { status: 'running', startedAt: new Date().toISOString() })
    changed()
    const result = await work(s)
    Object.assign(s, { status: 'done', finishedAt: new Date().toISOString() })
    changed()
    return result
  }
  const build = await compileProject({ root: bulwarkRoot() })
  const chain = createTestChainClient({ rpcUrl, chainId })
  const devClient = (index: number) => createDevClient({ rpcUrl, chainId, account: devAccount(index) })
  const send = async (from: DevClient, address: Address, abi: Abi, functionName: string, args: readonly unknown[] = []) => {
    const hash = await from.writeContract({ address, abi, functionName, args } as Parameters<DevClient['writeContract']>[0])
    return from.waitForTransactionReceipt({ hash, pollingInterval: 50 })
  }
  const owners = devRoles.safeOwners.map((index) => devAccount(index))
  const pool = demo.lendingPool.proxy
  const startedAt = new Date(run.startedAt)

  // 1. The exploit: V1's reentrancy through the token's receive hook; the circuit breaker stops it part-way.
  await step('exploit', async (s) => {
    await chain.increaseTime({ seconds: demo.circuitBreaker.window })
    await chain.mine({ blocks: 1 })
    const attacker = devClient(devRoles.attacker)
    const artifact = getArtifact(build, 'LendingPoolAttacker')
    const { address: attackerContract } = await deployContract(attacker, { name: 'LendingPoolAttacker', abi: artifact.abi, bytecode: artifact.bytecode, args: [pool, demo.tokens.asset] })
    await send(attacker, demo.tokens.asset, getArtifact(build, 'DemoToken').abi, 'approve', [attackerContract, seed])
    const receipt = await send(attacker, attackerContract, artifact.abi, 'attack', [seed])
    run.exploitTx = receipt.transactionHash
    s.detail = `attack tx ${receipt.transactionHash} in block ${receipt.blockNumber} (${receipt.status})`
  })

  // 2. The monitor (holding the guardian key) sees it and pauses the pool: read from its response ledger, never sent here.
  await step('pause', async (s) => {
    const deadline = Date.now() + pauseTimeoutMs
    for (;;) {
      const [mined] = await context.store.query<{ tx_hash: string; response: string }>(
        "SELECT tx_hash, response FROM monitor_responses WHERE chain_id = $1 AND status = 'mined' AND kind = 'contract-call' AND decided_at >= $2 ORDER BY decided_at LIMIT 1",
        [chainId, startedAt],
      )
      if (mined?.tx_hash) {
        const txHash = mined.tx_hash.split(',')[0]! as Hash
        const transaction = await chain.getTransaction({ hash: txHash })
        run.pause = { txHash, from: transaction.from, response: mined.response }
        s.detail = `the monitor's responder ${transaction.from} sent pauseFor in tx ${txHash}`
        return
      }
      if (Date.now() > deadline) throw new Error(`the monitor did not pause the pool within ${pauseTimeoutMs} ms: ${await monitorProgress(context, chainId, run.exploitTx, startedAt)} (is it running with the guardian key? \`npm start\` runs it)`)
      await sleep(200)
    }
  })

  // 3. The advisory the monitor opened, contained by its pause; a responder triages it.
  const advisory = await step('advisory', async (s) => {
    let opened: Advisory | undefined
    for (const deadline = Date.now() + pauseTimeoutMs; !opened; await sleep(200)) {
      opened = (await listAdvisories(context, { limit: 20 }, responderActor)).find((a) => a.reporter.startsWith('bulwark monitor') && a.reportedAt >= new Date(startedAt.getTime() - 1000))
      if (!opened && Date.now() > deadline) throw new Error('the monitor opened no advisory for the incident')
    }
    if (opened.status === 'reported') await transitionAdvisory(context, { id: opened.id, to: 'triaged', evidence: { note: 'the exploit transaction reproduces the reentrancy', data: { tx: run.exploitTx } } }, responderActor)
    run.advisoryId = opened.id
    s.detail = `${opened.id} opened by the monitor (${opened.severity}, containment ${opened.containment}), triaged`
    return opened
  })

  // 4. The V2 patch, validated by the pipeline; the stored run validates it.
  const patchId = await step('validate', async (s) => {
    const { patch } = await createPatch(
      context,
      { advisoryId: advisory.id, title: 'LendingPool V2: reentrancy lock on withdraw and borrow', route: 'standard', targets: [{ proxy: pool, newImplementation: demo.lendingPool.implementation }], requiredApprovals: demo.threshold, evidence: { note: 'the implementation is deployed by the release itself (CREATE2)' } },
      responderActor,
    )
    run.patchId = patch.id
    changed()
    const manifest = parseManifest(
      JSON.stringify({
        version: 1,
        advisory: { id: advisory.id, title: advisory.title, severity: 'critical' },
        chain: { rpcUrl, chainId },
        targets: [{ name: 'LendingPool', proxy: pool, kind: 'uups', implementation: { sources: ['contracts/examples/LendingPool.sol', 'contracts/examples/LendingPoolV2.sol'], contract: 'LendingPoolV2' } }],
      }),
      'demo-v2.json',
    )
    const { report, outcome } = await validatePatch({
      manifest,
      manifestFile: 'demo-v2.json',
      manifestDir: bulwarkRoot(),
      rpcUrl,
      stages: ['build', 'upgrade-safety', 'diff-review'],
      reproducibility: false,
      toolVersion: '0.1.0',
      patch: { context, id: patch.id, actor: responderActor },
    })
    if (outcome !== 'validated') throw new Error(`the V2 patch was not validated (${outcome}; report ${report.hash})`)
    s.detail = `report ${report.hash}: ${report.document.verdict}, ${report.document.stages.length} stages in ${report.document.durationMs} ms`
    return patch.id
  })

  // 5. The release plan on the project's standard route; Safe owners confirm its schedule step.
  const planned = await planRelease({
    context,
    actor: responderActor,
    patchId,
    rpcUrl,
    release: { chain: 'devnet', ...demoReleaseConfig(demo) } as never,
    projectFile: 'bulwark.json',
    route: 'standard',
    artifacts: build.artifacts,
    auditors: demoAuditorAccountIndices.slice(0, demo.auditorThreshold).map((index) => devAccount(index)),
  })
  const patched = await getPatch(context, patchId, responderActor)
  const demoSigner = devAccount(demoSignerIndex)
  await registerApprovalSigner(context, { address: demoSigner.address, label: demoSignerLabel }, responderActor)
  run.signing = {
    reportHash: planned.plan.reportHash,
    approvalDigest: patchApprovalDigest({ patchId, reportHash: patched.reportHash!, chainId: patched.chainId! }),
    chainId: patched.chainId!,
    demoSigner: { address: demoSigner.address, label: demoSignerLabel, devAccountIndex: demoSignerIndex },
    planHash: planned.plan.hash,
    gatePatchId: planned.plan.gatePatchId,
    codehashes: planned.plan.codehashes,
    calls: planned.plan.calls.map((call) => ({ target: call.target, description: call.description })),
    threshold: planned.plan.route.threshold,
    safeOwners: demo.safeOwners,
    safeTxHashes: planned.plan.safeTransactions.map((t) => t.safeTxHash),
  }
  changed()
  const { client: reader } = { client: chain }
  const confirm = async (owner: number, stepIndex: number) => {
    const { signature } = await signPlannedSafeTransaction(owners[owner]!, planned.plan.safeTransactions[stepIndex]!)
    return confirmRelease(context, { client: reader as never, safeTxHash: planned.plan.safeTransactions[stepIndex]!.safeTxHash, signature, actor: responderActor })
  }
  await step('approve', async (s) => {
    await confirm(0, 0)
    if (approvals === 'wait') {
      Object.assign(s, { status: 'waiting', detail: `1 of ${demo.threshold} approvals (a Safe confirmation of ${planned.plan.safeTransactions[0]!.safeTxHash}); waiting for a signer in the dashboard (an EIP-712 PatchApproval) or a Safe owner's confirmation` })
      run.status = 'waiting'
      changed()
      const deadline = Date.now() + approvalTimeoutMs
      while ((await getPatch(context, patchId, responderActor)).status !== 'approved') {
        if (Date.now() > deadline) {
          await confirm(1, 0)
          break
        }
        await sleep(250)
      }
      run.status = 'running'
    } else {
      for (let index = 1; index < demo.threshold; index++) await confirm(index, 0)
    }
    const approved = await getPatch(context, patchId, responderActor)
    s.detail = `${approved.approvals.length} of ${approved.requiredApprovals} (${approved.approvals.map((a) => `${a.signer} ${a.kind}`).join(', ')})`
  })

  // 6. The release module schedules the batch, then executes it after the delay.
  await step('release', async (s) => {
    const submitter = devAccount(devRoles.deployer)
    // The patch is approved (Safe confirmations and/or PatchApproval signatures); the Safe still executes each
    // step only with its owners' threshold, so the demo's owners confirm what is not yet confirmed.
    const confirmStep = async (stepIndex: number) => {
      for (let index = 0; index < demo.threshold; index++) await confirm(index, stepIndex).catch((error: unknown) => {
        if ((error as { code?: string }).code !== 'BW_SIGNATURE_DUPLICATE') throw error
      })
    }
    await confirmStep(0)
    const scheduled = await executeRelease({ context, actor: responderActor, patchId, rpcUrl, submitter })
    await confirmStep(1)
    await chain.increaseTime({ seconds: planned.plan.route.delay + 1 })
    await chain.mine({ blocks: 1 })
    const released = await executeRelease({ context, actor: responderActor, patchId, rpcUrl, submitter })
    s.detail = `scheduled in ${scheduled.executed.transactionHash}, executed in ${released.executed.transactionHash}; patch ${released.patch.status}`
  })

  // 7. verifyRelease, stored; a pass verifies the patch.
  await step('verify', async (s) => {
    const { result, patch } = await verifyPatchRelease(context, { patchId, rpcUrl, actor: responderActor })
    if (!result.ok) throw new Error(`verification failed: ${result.checks.filter((c) => !c.ok).map((c) => c.check).join(', ')}`)
    s.detail = `${result.checks.length} checks passed; patch ${patch.status}`
  })

  // 8. Unpause: governance lifts the pause and resets the tripped breaker, in one batch.
  await step('unpause', async (s) => {
    const result = await scheduleAndExecuteViaSafe({
      rpcUrl,
      chainId,
      safe: demo.safe,
      timelock: demo.timelock,
      calls: [
        { target: pool, data: encodeFunctionData({ abi: getArtifact(build, 'LendingPoolV2').abi, functionName: 'liftTimedPause' }) },
        { target: demo.circuitBreaker.address, data: encodeFunctionData({ abi: circuitBreakerAbi, functionName: 'reset', args: [pool, demo.tokens.asset] }) },
      ],
      signers: [owners[0]!, owners[1]!],
    })
    const current = await listAdvisories(context, { limit: 20 }, responderActor)
    if (current.find((a) => a.id === advisory.id)?.containment === 'contained') {
      await setContainment(context, { id: advisory.id, to: 'lifted', evidence: { note: 'pause lifted, breaker reset', data: { tx: result.executeTransactionHash } } }, responderActor).catch(() => undefined)
    }
    s.detail = `liftTimedPause + breaker reset in tx ${result.executeTransactionHash}`
  })
  run.latency = JSON.parse(JSON.stringify(await getAdvisoryLatency(context, advisory.id, responderActor))) as unknown
}

/** Where the monitor stands when no pause came: its last processed block against the exploit's, and the responses it decided. */
async function monitorProgress(context: LifecycleContext, chainId: number, exploitTx: Hash | null, since: Date): Promise<string> {
  const [checkpoint] = await context.store.query<{ block_number: string }>('SELECT block_number::text FROM monitor_checkpoints WHERE chain_id = $1', [chainId])
  const responses = await context.store.query<{ response: string; status: string; detail: unknown }>('SELECT response, status, detail FROM monitor_responses WHERE chain_id = $1 AND decided_at >= $2', [chainId, since])
  const alerts = await context.store.query<{ detector: string }>('SELECT detector FROM monitor_alerts WHERE chain_id = $1 AND lower(tx_hash) = lower($2)', [chainId, exploitTx])
  return [
    `monitor checkpoint ${checkpoint ? `block ${checkpoint.block_number}` : 'none (no monitor has processed a block on this chain)'}`,
    `alerts on the exploit tx: ${alerts.map((a) => a.detector).join(', ') || 'none'}`,
    `responses: ${responses.map((r) => `${r.response} ${r.status} ${JSON.stringify(r.detail).slice(0, 200)}`).join('; ') || 'none'}`,
  ].join('; ')
}
