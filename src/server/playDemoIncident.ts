import {
  decodeFunctionData,
  encodeFunctionData,
  getAddress,
  hashTypedData,
  keccak256,
  parseEther,
  sliceHex,
  toHex,
  type Abi,
  type Address,
  type Hex,
} from 'viem'
import { circuitBreakerAbi } from '../chain/circuitBreakerAbi.js'
import { createDevClient, createTestChainClient, type DevClient } from '../chain/clients.js'
import { deployContract } from '../chain/deployContract.js'
import type { DemoProtocol } from '../chain/deployDemoProtocol.js'
import { demoAuditorAccountIndices } from '../chain/deployDemoProtocol.js'
import { devAccount, devRoles } from '../chain/devAccounts.js'
import { emergencyPauseSealAbi } from '../chain/emergencyPauseSealAbi.js'
import { encodeReleaseCalls } from '../chain/encodeReleaseCalls.js'
import { releaseGateAbi } from '../chain/releaseGateAbi.js'
import { scheduleAndExecuteViaSafe } from '../chain/scheduleAndExecuteViaSafe.js'
import { releaseAttestationTypedData, signReleaseAttestation } from '../chain/signReleaseAttestation.js'
import { bulwarkRoot } from '../compile/bulwarkRoot.js'
import { compileProject } from '../compile/compileProject.js'
import { getArtifact } from '../compile/getArtifact.js'
import type { LifecycleContext } from '../lifecycle/context.js'
import { createAdvisory } from '../lifecycle/createAdvisory.js'
import { createPatch } from '../lifecycle/createPatch.js'
import { getAdvisoryLatency } from '../lifecycle/getAdvisoryLatency.js'
import { getPatch } from '../lifecycle/getPatch.js'
import { recordApproval } from '../lifecycle/recordApproval.js'
import { setContainment } from '../lifecycle/setContainment.js'
import { transitionAdvisory } from '../lifecycle/transitionAdvisory.js'
import { transitionPatch } from '../lifecycle/transitionPatch.js'
import type { Actor } from '../lifecycle/types.js'
import { parseManifest } from '../validate/loadManifest.js'
import { createReport } from '../validate/report.js'
import { runPipeline } from '../validate/runPipeline.js'
import { DemoRunningError } from './demoErrors.js'

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

export type DemoStep = {
  id: DemoStepId
  title: string
  status: 'pending' | 'running' | 'waiting' | 'done' | 'failed'
  startedAt: string | null
  finishedAt: string | null
  detail: string | null
}
export type DemoAlert = { id: string; detector: string; severity: 'critical' | 'high'; block: string; tx: Hex; addresses: Address[]; evidence: string; response: string; at: string }
export type DemoDecodedCall = { target: Address; function: string; args: string[] }
export type DemoRelease = {
  patchId: string
  route: 'standard'
  proxy: Address
  implementation: Address
  codehash: Hex
  operationId: Hex | null
  transactionHash: Hex | null
  status: 'pending' | 'released' | 'verified' | 'failed'
  checks: { name: string; ok: boolean; detail: string }[]
}
export type DemoRun = {
  id: number
  status: 'running' | 'waiting' | 'done' | 'failed'
  startedAt: string
  finishedAt: string | null
  advisoryId: string | null
  patchId: string | null
  steps: DemoStep[]
  alerts: DemoAlert[]
  /** What signers sign: hashes to compare on a hardware wallet and the decoded calls of the release batch. */
  signing: {
    reportHash: Hex
    verdict: 'pass' | 'fail'
    gatePatchId: Hex
    attestationDigest: Hex
    codehashes: Hex[]
    calls: DemoDecodedCall[]
    threshold: number
    safeOwners: Address[]
  } | null
  release: DemoRelease | null
  /** The latency report of the advisory (seconds per stage), once the incident is over. */
  latency: unknown
  error: string | null
}

export type PlayDemoIncidentParameters = {
  context: LifecycleContext
  devnet: DemoDevnet
  /** `auto`: the demo's signers approve; `wait`: one signer approves, the rest must come from the dashboard or the API. */
  approvals?: 'auto' | 'wait' | undefined
  /** How long `wait` waits for the remaining approvals before the demo's own signers complete them (ms). */
  approvalTimeoutMs?: number | undefined
  onStep?: ((run: DemoRun, step: DemoStep) => void) | undefined
  onChange?: ((run: DemoRun) => void) | undefined
}

const monitorActor: Actor = { id: 'bulwark-monitor', roles: ['admin', 'responder'] }
const responderActor: Actor = { id: 'demo-responder', roles: ['admin', 'responder'] }
const signerActor = (index: number): Actor => ({ id: `safe-owner-${index + 1}`, roles: ['signer'] })
const implementationSlot = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc'
const seed = parseEther('25000')

let running: DemoRun | null = null
let lastRun: DemoRun | null = null
let runCounter = 0

/** The demo run being played, else the last one played by this process, else null. */
export function currentDemoRun(): DemoRun | null {
  return running ?? lastRun
}

/**
 * Plays the demo incident on a devnet, with the real modules: the attacker's reentrancy exploit
 * (the circuit breaker trips part-way), the guardian's pause seal as the monitor's response, an
 * advisory with its containment, the V2 patch validated by `runPipeline` (report hash), m-of-n
 * approvals bound to that hash, the release through Safe → timelock → ReleaseGate with auditor
 * attestations, on-chain verification (implementation slot, codehash, version, the exploit now
 * reverts), and the unpause. Every step is recorded in the lifecycle store, so latency is real.
 * Resolves with the finished run (failed runs resolve too, with `error`).
 */
export async function playDemoIncident(parameters: PlayDemoIncidentParameters): Promise<DemoRun> {
  if (running) throw new DemoRunningError({ runId: running.id })
  const run: DemoRun = {
    id: ++runCounter,
    status: 'running',
    startedAt: new Date().toISOString(),
    finishedAt: null,
    advisoryId: null,
    patchId: null,
    steps: demoStepIds.map((id) => ({ id, title: stepTitles[id], status: 'pending', startedAt: null, finishedAt: null, detail: null })),
    alerts: [],
    signing: null,
    release: null,
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
    if (step) {
      step.status = 'failed'
      step.finishedAt = new Date().toISOString()
      step.detail = run.error
    }
    if (run.release && run.release.status === 'pending') run.release.status = 'failed'
  } finally {
    run.finishedAt = new Date().toISOString()
    running = null
    lastRun = run
    parameters.onChange?.(run)
  }
  return run
}

async function play(run: DemoRun, { context, devnet, approvals = 'auto', approvalTimeoutMs = 600_000, onStep, onChange }: PlayDemoIncidentParameters): Promise<void> {
  const { rpcUrl, chainId, protocol: demo } = devnet
  const changed = () => onChange?.(run)
  const step = async <T>(id: DemoStepId, work: (s: DemoStep) => Promise<T>): Promise<T> => {
    const s = run.steps.find((candidate) => candidate.id === id)!
    s.status = 'running'
    s.startedAt = new Date().toISOString()
    changed()
    const result = await work(s)
    s.status = 'done'
    s.finishedAt = new Date().toISOString()
    changed()
    onStep?.(run, s)
    return result
  }
  const build = await compileProject({ root: bulwarkRoot() })
  const abiOf = (name: string) => getArtifact(build, name).abi
  const chain = createTestChainClient({ rpcUrl, chainId })
  const devClient = (index: number) => createDevClient({ rpcUrl, chainId, account: devAccount(index) })
  const send = async (from: DevClient, address: Address, abi: Abi, functionName: string, args: readonly unknown[] = []) => {
    const hash = await from.writeContract({ address, abi, functionName, args } as Parameters<DevClient['writeContract']>[0])
    return from.waitForTransactionReceipt({ hash, pollingInterval: 50 })
  }
  const owners = devRoles.safeOwners.map((index) => devAccount(index))
  const pool = demo.lendingPool.proxy

  // 1. The exploit: V1's reentrancy through the token's receive hook; the circuit breaker stops it part-way.
  const exploit = await step('exploit', async (s) => {
    await chain.increaseTime({ seconds: demo.circuitBreaker.window })
    await chain.mine({ blocks: 1 })
    const attacker = devClient(devRoles.attacker)
    const artifact = getArtifact(build, 'LendingPoolAttacker')
    const { address: attackerContract } = await deployContract(attacker, { name: 'LendingPoolAttacker', abi: artifact.abi, bytecode: artifact.bytecode, args: [pool, demo.tokens.asset] })
    await send(attacker, demo.tokens.asset, abiOf('DemoToken'), 'approve', [attackerContract, seed])
    const receipt = await send(attacker, attackerContract, artifact.abi, 'attack', [seed])
    s.detail = `attack tx ${receipt.transactionHash} in block ${receipt.blockNumber} (${receipt.status}); the circuit breaker tripped`
    return { attackerContract, receipt }
  })

  // 2. The monitor's response: the guardian's one-shot pause seal on the pool.
  const alertId = `ALERT-${run.id}-1`
  await step('pause', async (s) => {
    const guardian = devClient(devRoles.guardian)
    const receipt = await send(guardian, demo.pauseSeal.address, emergencyPauseSealAbi as Abi, 'seal', [[pool], BigInt(demo.pauseSeal.maxPauseDuration)])
    run.alerts.push({
      id: alertId,
      detector: 'reentrancy-outflow',
      severity: 'critical',
      block: exploit.receipt.blockNumber.toString(),
      tx: exploit.receipt.transactionHash,
      addresses: [pool, exploit.attackerContract],
      evidence: 'withdraw re-entered 4 times in one transaction; circuit breaker tripped on dUSD outflows',
      response: `paused the LendingPool with the EmergencyPauseSeal (tx ${receipt.transactionHash})`,
      at: new Date().toISOString(),
    })
    s.detail = `seal([pool], ${demo.pauseSeal.maxPauseDuration}s) in tx ${receipt.transactionHash}`
  })

  // 3. The advisory, contained and triaged.
  const advisory = await step('advisory', async (s) => {
    const { advisory } = await createAdvisory(
      context,
      {
        title: 'LendingPool reentrancy through token callbacks drains reserves',
        description: 'The monitor saw withdraw re-entered through the dUSD receive hook; the circuit breaker tripped and the guardian sealed the pool.',
        severity: 'critical',
        affectedContracts: [{ address: pool, chain: String(chainId), name: 'LendingPool' }],
        reporter: monitorActor.id,
        alertIds: [alertId],
      },
      monitorActor,
    )
    await setContainment(context, { id: advisory.id, to: 'contained', evidence: { note: 'EmergencyPauseSeal sealed the LendingPool', data: { alertId } } }, monitorActor)
    await transitionAdvisory(context, { id: advisory.id, to: 'triaged', evidence: { note: 'exploit transaction reproduces the reentrancy', data: { tx: exploit.receipt.transactionHash } } }, responderActor)
    run.advisoryId = advisory.id
    s.detail = `${advisory.id} opened (critical), contained, triaged`
    return advisory
  })

  // 4. The V2 patch: deployed, proposed, validated by the real pipeline.
  const v2 = getArtifact(build, 'LendingPoolV2')
  const validation = await step('validate', async (s) => {
    const { address: implementation } = await deployContract(devClient(devRoles.deployer), { name: 'LendingPoolV2', abi: v2.abi, bytecode: v2.bytecode })
    const { patch } = await createPatch(
      context,
      { advisoryId: advisory.id, title: 'LendingPool V2: reentrancy lock on withdraw and borrow', route: 'standard', targets: [{ proxy: pool, newImplementation: implementation }], requiredApprovals: demo.threshold },
      responderActor,
    )
    run.patchId = patch.id
    changed()
    await transitionPatch(context, { id: patch.id, to: 'validating' }, responderActor)
    const manifest = parseManifest(
      JSON.stringify({
        version: 1,
        advisory: { id: advisory.id, title: advisory.title, severity: 'critical' },
        chain: { rpcUrl, chainId },
        targets: [
          { name: 'LendingPool', proxy: pool, kind: 'uups', implementation: { sources: ['contracts/examples/LendingPool.sol', 'contracts/examples/LendingPoolV2.sol'], contract: 'LendingPoolV2' } },
        ],
      }),
      'demo-v2.json',
    )
    const pipeline = await runPipeline({ manifest, manifestDir: bulwarkRoot(), rpcUrl, stages: ['build', 'upgrade-safety', 'diff-review'], reproducibility: false })
    const report = createReport(pipeline, { toolVersion: '0.1.0' })
    const verdict = report.document.verdict
    const evidence = { note: `validation ${verdict}`, data: { reportHash: report.hash, verdict, counts: report.document.counts, stages: report.document.stages.map((stage) => ({ stage: stage.stage, status: stage.status, durationMs: stage.durationMs, findings: stage.findings.length })) } }
    await transitionPatch(context, { id: patch.id, to: verdict === 'pass' ? 'validated' : 'rejected', evidence }, responderActor)
    if (verdict !== 'pass') throw new Error(`the V2 patch failed validation (report ${report.hash})`)
    await transitionPatch(context, { id: patch.id, to: 'awaiting_approval' }, responderActor)
    const codehash = keccak256((await chain.getCode({ address: implementation }))!)
    const gatePatchId = keccak256(toHex(`${advisory.id}/${patch.id}`))
    const attestation = { gate: demo.releaseGate, chainId, patchId: gatePatchId, reportHash: report.hash, codehashes: [codehash] }
    const auditorSignatures = await Promise.all(demoAuditorAccountIndices.slice(0, demo.auditorThreshold).map((index) => signReleaseAttestation(devAccount(index), attestation)))
    const calls = encodeReleaseCalls({ ...attestation, upgrades: [{ kind: 'uups', proxy: pool, implementation: getAddress(implementation) }], signatures: auditorSignatures })
    run.signing = {
      reportHash: report.hash,
      verdict,
      gatePatchId,
      attestationDigest: hashTypedData(releaseAttestationTypedData(attestation)),
      codehashes: [codehash],
      calls: calls.map((call) => {
        const decoded = decodeFunctionData({ abi: releaseGateAbi, data: call.data })
        return { target: call.target, function: decoded.functionName, args: (decoded.args ?? []).map((arg) => stringify(arg)) }
      }),
      threshold: demo.threshold,
      safeOwners: demo.safeOwners,
    }
    run.release = { patchId: patch.id, route: 'standard', proxy: pool, implementation: getAddress(implementation), codehash, operationId: null, transactionHash: null, status: 'pending', checks: [] }
    s.detail = `report ${report.hash}: ${verdict}, ${report.document.stages.length} stages in ${report.document.durationMs} ms`
    return { patch, report, calls, implementation: getAddress(implementation), codehash }
  })

  // 5. Approvals: m-of-n Safe owners, each signing the report hash.
  const signApproval = async (index: number) => {
    const signature = await owners[index]!.signMessage({ message: { raw: validation.report.hash } })
    await recordApproval(context, { patchId: validation.patch.id, digest: validation.report.hash, signature, note: `signed by ${owners[index]!.address}` }, signerActor(index))
  }
  await step('approve', async (s) => {
    await signApproval(0)
    if (approvals === 'wait') {
      s.status = 'waiting'
      run.status = 'waiting'
      s.detail = `1 of ${demo.threshold} approvals; waiting for a signer in the dashboard`
      changed()
      const deadline = Date.now() + approvalTimeoutMs
      for (;;) {
        const current = await getPatch(context, validation.patch.id, responderActor)
        if (current.status === 'approved') break
        if (Date.now() > deadline) {
          for (let index = 1; current.approvals.length + index - 1 < demo.threshold && index < owners.length; index++) await signApproval(index)
          break
        }
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
      run.status = 'running'
    } else {
      for (let index = 1; index < demo.threshold; index++) await signApproval(index)
    }
    const approved = await getPatch(context, validation.patch.id, responderActor)
    s.detail = `${approved.approvals.length} of ${approved.requiredApprovals}: ${approved.approvals.map((a) => a.signer).join(', ')}`
  })

  // 6. Release: the Safe schedules and executes [approvePatch, release] on the timelock (anvil skips the delay).
  const release = run.release!
  await step('release', async (s) => {
    await transitionPatch(context, { id: validation.patch.id, to: 'scheduled', evidence: { note: 'Safe → timelock scheduleBatch' } }, responderActor)
    const result = await scheduleAndExecuteViaSafe({ rpcUrl, chainId, safe: demo.safe, timelock: demo.timelock, calls: validation.calls, signers: [owners[0]!, owners[1]!] })
    release.operationId = result.operationId
    release.transactionHash = result.executeTransactionHash
    release.status = 'released'
    await transitionPatch(
      context,
      { id: validation.patch.id, to: 'released', evidence: { note: 'timelock executeBatch', data: { tx: result.executeTransactionHash, operationId: result.operationId } } },
      responderActor,
    )
    s.detail = `timelock operation ${result.operationId} executed in tx ${result.executeTransactionHash}`
  })

  // 7. Verification from the chain alone.
  await step('verify', async (s) => {
    const slot = await chain.getStorageAt({ address: pool, slot: implementationSlot })
    const live = getAddress(sliceHex(slot!, 12, 32))
    const liveCodehash = keccak256((await chain.getCode({ address: live }))!)
    const version = (await chain.readContract({ address: pool, abi: abiOf('LendingPoolV2'), functionName: 'version' })) as string
    const onGate = await chain.readContract({ address: demo.releaseGate, abi: releaseGateAbi, functionName: 'patchOf', args: [run.signing!.gatePatchId] })
    release.checks = [
      { name: 'implementation slot', ok: live === validation.implementation, detail: live },
      { name: 'runtime codehash = attested', ok: liveCodehash === validation.codehash, detail: liveCodehash },
      { name: 'version()', ok: version === '2', detail: version },
      { name: 'gate released the approved report', ok: onGate.reportHash === validation.report.hash && onGate.releasedAt > 0n && onGate.codehashes.includes(liveCodehash), detail: onGate.reportHash },
    ]
    if (release.checks.some((check) => !check.ok)) throw new Error(`verification failed: ${release.checks.filter((c) => !c.ok).map((c) => c.name).join(', ')}`)
    release.status = 'verified'
    await transitionPatch(context, { id: validation.patch.id, to: 'verified', evidence: { note: 'deployed == validated == approved', data: { checks: release.checks } } }, responderActor)
    s.detail = `${release.checks.length} checks passed: proxy runs ${live} (version ${version})`
  })

  // 8. Unpause: governance lifts the pause and resets the tripped breaker, in one batch.
  await step('unpause', async (s) => {
    const result = await scheduleAndExecuteViaSafe({
      rpcUrl,
      chainId,
      safe: demo.safe,
      timelock: demo.timelock,
      calls: [
        { target: pool, data: encodeFunctionData({ abi: abiOf('LendingPoolV2'), functionName: 'liftTimedPause' }) },
        { target: demo.circuitBreaker.address, data: encodeFunctionData({ abi: circuitBreakerAbi, functionName: 'reset', args: [pool, demo.tokens.asset] }) },
      ],
      signers: [owners[0]!, owners[1]!],
    })
    await setContainment(context, { id: advisory.id, to: 'lifted', evidence: { note: 'pause lifted, breaker reset', data: { tx: result.executeTransactionHash } } }, responderActor)
    s.detail = `liftTimedPause + breaker reset in tx ${result.executeTransactionHash}`
  })
  run.latency = JSON.parse(JSON.stringify(await getAdvisoryLatency(context, advisory.id, responderActor))) as unknown
}

function stringify(value: unknown): string {
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'string') return value
  return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner))
}
