import {
  concat,
  decodeFunctionResult,
  encodeAbiParameters,
  encodeFunctionData,
  encodePacked,
  getAddress,
  getContractAddress,
  keccak256,
  numberToHex,
  size,
  stringToHex,
  zeroAddress,
  zeroHash,
  type Address,
  type Hex,
} from 'viem'
import type { ReadClient } from '../chain/clients.js'
import { encodeReleaseCalls } from '../chain/encodeReleaseCalls.js'
import { getProxyInfo } from '../chain/getProxyInfo.js'
import { hashPrivateOperation } from '../chain/hashPrivateOperation.js'
import { privateTimelockAbi } from '../chain/privateTimelockAbi.js'
import type { Artifact } from '../compile/artifacts.js'
import { releaseGateAbi } from '../chain/releaseGateAbi.js'
import { create2DeployerAbi, multiSendAbi, safeAbi, timelockControllerAbi } from './abis.js'
import { buildDiamondCutPlan, reportedDiamondCut } from './buildDiamondCutPlan.js'
import { canonicalHash } from './canonicalHash.js'
import { ReleasePlanInvalidError } from './errors.js'
import { planVersion, type PlannedCall, type PlannedDeployment, type PlannedUpgrade, type ReleasePlan, type ReleaseRouteName, type SignedReleasePlan } from './plan.js'
import { planSafeTransaction } from './safeTransactions.js'

/** What a plan needs of a validation report (`ValidationReport` of src/validate has this shape). */
export type ReleaseReportInput = {
  hash: Hex
  document: {
    verdict: 'pass' | 'fail'
    chain: { chainId: number }
    /** The upgraded proxies; empty when the patch is a diamond cut. */
    targets: readonly { name: string; proxy: string; implementation: { contract: string; runtimeCodeHash: Hex }; initializerCalldata: Hex }[]
    /** Stage results: a diamond-cut stage that ran makes the release a diamond cut (its `data.cut`). */
    stages?: readonly { stage: string; status: string; data?: unknown }[] | undefined
  }
}

/** A route's governance addresses (project file `release.routes`, or the demo's). */
export type ReleaseRouteConfig = {
  name: ReleaseRouteName
  safe: Address
  /** TimelockController for `standard`, PrivateTimelock for `private`. */
  timelock?: Address | undefined
  /** Safe 1.4.1 MultiSendCallOnly, for `emergency`. */
  multiSendCallOnly?: Address | undefined
}

export type AttestationRequest = { gate: Address; chainId: number; patchId: Hex; reportHash: Hex; codehashes: readonly Hex[] }

export type BuildReleasePlanParameters = {
  /** Lifecycle patch id. */
  patchId: string
  report: ReleaseReportInput
  /** Artifacts holding each target's implementation (by full or short contract name) and `Create2Deployer`. */
  artifacts: readonly Artifact[]
  route: ReleaseRouteConfig
  gate: Address
  /** The chain's Create2Deployer (not used on the private route). */
  create2Deployer?: Address | undefined
  /** Collects the auditors' ReleaseAttestation signatures over the planned codehashes. */
  attest: (request: AttestationRequest) => Promise<readonly { auditor: Address; signature: Hex }[]>
  /** Optional unpause (or any follow-up call) appended to the batch, e.g. `liftTimedPause()` on the pool. */
  followUpCalls?: readonly PlannedCall[] | undefined
  now?: Date | undefined
}

/**
 * Turns a validated patch into the exact transactions of its release on one route: the CREATE2
 * deployment of each implementation, the gate's `approvePatch` (report hash, codehashes,
 * attestations) and `release`, any follow-up call — as one atomic batch — and the Safe
 * transactions the route's owners sign. Every codehash is the runtime the predicted address will
 * really hold (immutables such as UUPS's `__self` included), found by simulating the CREATE2 with
 * `eth_call` (nothing is sent; on the private route the node answering must be trusted with the code).
 * A report whose diamond-cut stage passed is released as that cut instead (`buildDiamondCutPlan`): the
 * facets deployed, `approvePatch` over their codehashes and the cut hash, then `releaseDiamondCut`.
 *
 * @throws {ReleasePlanInvalidError} the report did not pass or is for another chain, a target has
 * no matching build, a proxy is not upgradeable by the gate, or the route lacks an address.
 */
export async function buildReleasePlan(client: ReadClient, parameters: BuildReleasePlanParameters): Promise<SignedReleasePlan> {
  const { patchId, report, artifacts, route, gate, attest } = parameters
  const chainId = await client.getChainId()
  if (report.document.verdict !== 'pass') throw new ReleasePlanInvalidError({ reason: `the validation report ${report.hash} has verdict "${report.document.verdict}"; only a passing report can be released.` })
  if (report.document.chain.chainId !== chainId) {
    throw new ReleasePlanInvalidError({ reason: `the report was made on chain ${report.document.chain.chainId}, the RPC endpoint serves chain ${chainId}.` })
  }
  const cut = reportedDiamondCut(report)
  if (!cut && report.document.targets.length === 0) throw new ReleasePlanInvalidError({ reason: 'the report has no targets.' })
  const gatePatchId = keccak256(encodePacked(['string', 'bytes32'], [patchId, report.hash]))

  const deployer = route.name === 'private' ? route.timelock : parameters.create2Deployer
  if (!deployer) throw new ReleasePlanInvalidError({ reason: route.name === 'private' ? 'the private route needs its PrivateTimelock address.' : 'no Create2Deployer address is configured for this chain.' })
  const deployerRuntime = artifacts.find((artifact) => artifact.contractName === 'Create2Deployer')?.deployedBytecode
  if (!deployerRuntime) throw new ReleasePlanInvalidError({ reason: 'the artifacts lack Create2Deployer (contracts/release/Create2Deployer.sol).' })

  const { deployments, upgrades, codehashes, diamondCut } = cut
    ? { ...(await buildDiamondCutPlan(client, { cut, artifacts, gate, gatePatchId, deployer, deployerRuntime })), upgrades: [] }
    : { ...(await planUpgrades(client, { report, artifacts, gatePatchId, deployer, deployerRuntime })), diamondCut: undefined }
  const attestations = [...(await attest({ gate, chainId, patchId: gatePatchId, reportHash: report.hash, codehashes }))]

  const deployCalls: PlannedCall[] = deployments.map((deployment) => ({
    target: deployer,
    value: '0',
    data:
      route.name === 'private'
        ? encodeFunctionData({ abi: privateTimelockAbi, functionName: 'deploy', args: [deployment.salt, deployment.initCode] })
        : encodeFunctionData({ abi: create2DeployerAbi, functionName: 'deploy', args: [deployment.salt, deployment.initCode] }),
    description: `deploy ${deployment.contract} at ${deployment.address} (CREATE2, codehash ${deployment.codehash})`,
  }))
  const signatures = attestations.map((attestation) => attestation.signature)
  const [approveCall, releaseCall] = diamondCut
    ? [
        { target: gate, data: encodeFunctionData({ abi: releaseGateAbi, functionName: 'approvePatch', args: [gatePatchId, report.hash, codehashes, signatures] }) },
        { target: gate, data: encodeFunctionData({ abi: releaseGateAbi, functionName: 'releaseDiamondCut', args: [gatePatchId, diamondCut.diamond, diamondCut.cuts, diamondCut.init, diamondCut.initCalldata] }) },
      ]
    : encodeReleaseCalls({
        gate,
        patchId: gatePatchId,
        reportHash: report.hash,
        codehashes,
        upgrades: upgrades.map((upgrade) => ({ kind: upgrade.kind, proxy: upgrade.proxy, admin: upgrade.admin, implementation: upgrade.implementation, data: upgrade.data })),
        signatures,
      })
  const released = diamondCut
    ? `release diamond cut ${diamondCut.cutHash} on ${diamondCut.diamond}: ${cut!.facets.map((facet) => `${facet.action} ${facet.name} (${facet.selectors.length} selector(s))`).join(', ')}${diamondCut.init === zeroAddress ? '' : `, init ${diamondCut.init}`}`
    : `release ${upgrades.map((upgrade) => `${upgrade.name} (${upgrade.kind} ${upgrade.proxy}) → ${upgrade.implementation}`).join(', ')}`
  const calls: PlannedCall[] = [
    ...deployCalls,
    { target: approveCall.target, value: '0', data: approveCall.data, description: `approve gate patch ${gatePatchId}: report ${report.hash}, ${codehashes.length} codehash(es), ${attestations.length} attestation(s)` },
    { target: releaseCall.target, value: '0', data: releaseCall.data, description: released },
    ...(parameters.followUpCalls ?? []),
  ]

  const base = { planVersion, patchId, gatePatchId, chain: { chainId }, reportHash: report.hash, gate, deployments, upgrades, ...(diamondCut ? { diamondCut } : {}), codehashes, attestations, calls, createdAt: (parameters.now ?? new Date()).toISOString() } as const
  const plan: ReleasePlan = { ...base, ...(await planRouteTransactions(client, { route, chainId, gatePatchId, calls })) }
  return { ...plan, hash: hashReleasePlan(plan) }
}

/**
 * How a route makes a batch of calls atomic and what its Safe owners sign: a timelock batch scheduled
 * and executed by the Safe (standard), a commitment revealed on the PrivateTimelock (private), or one
 * MultiSendCallOnly delegatecall (emergency). The Safe's nonce and threshold are read live.
 */
export async function planRouteTransactions(
  client: ReadClient,
  { route, chainId, gatePatchId, calls }: { route: ReleaseRouteConfig; chainId: number; gatePatchId: Hex; calls: readonly PlannedCall[] },
): Promise<Pick<ReleasePlan, 'route' | 'operation' | 'safeTransactions'>> {
  const [nonce, threshold] = await Promise.all([
    client.readContract({ address: route.safe, abi: safeAbi, functionName: 'nonce' }),
    client.readContract({ address: route.safe, abi: safeAbi, functionName: 'getThreshold' }),
  ]).catch((error: unknown) => {
    throw new ReleasePlanInvalidError({ reason: `${route.safe} does not answer as a Safe (${error instanceof Error ? error.message.split('\n')[0] : String(error)}).` })
  })
  const targets = calls.map((call) => call.target)
  const values = calls.map((call) => BigInt(call.value))
  const payloads = calls.map((call) => call.data)
  const safeTx = { safe: route.safe, chainId }
  if (route.name === 'standard') {
    if (!route.timelock) throw new ReleasePlanInvalidError({ reason: 'the standard route needs its TimelockController address.' })
    const delay = await client.readContract({ address: route.timelock, abi: timelockControllerAbi, functionName: 'getMinDelay' })
    const salt = keccak256(concat([gatePatchId, stringToHex('bulwark.release')]))
    const operationId = keccak256(encodeAbiParameters([{ type: 'address[]' }, { type: 'uint256[]' }, { type: 'bytes[]' }, { type: 'bytes32' }, { type: 'bytes32' }], [targets, values, payloads, zeroHash, salt]))
    return {
      route: { name: 'standard', safe: route.safe, threshold: Number(threshold), timelock: route.timelock, delay: Number(delay) },
      operation: { kind: 'timelockBatch', timelock: route.timelock, predecessor: zeroHash, salt, operationId, delay: Number(delay) },
      safeTransactions: [
        planSafeTransaction({ ...safeTx, purpose: 'schedule', to: route.timelock, nonce, data: encodeFunctionData({ abi: timelockControllerAbi, functionName: 'scheduleBatch', args: [targets, values, payloads, zeroHash, salt, delay] }) }),
        planSafeTransaction({ ...safeTx, purpose: 'execute', to: route.timelock, nonce: nonce + 1n, data: encodeFunctionData({ abi: timelockControllerAbi, functionName: 'executeBatch', args: [targets, values, payloads, zeroHash, salt] }) }),
      ],
    }
  }
  if (route.name === 'private') {
    const timelock = route.timelock!
    const delay = await client.readContract({ address: timelock, abi: privateTimelockAbi, functionName: 'getMinDelay' })
    const salt = keccak256(concat([gatePatchId, stringToHex('bulwark.private-release')]))
    const commitment = hashPrivateOperation({ calls: calls.map((call) => ({ target: call.target, value: BigInt(call.value), data: call.data })), salt })
    return {
      route: { name: 'private', safe: route.safe, threshold: Number(threshold), timelock, delay: Number(delay) },
      operation: { kind: 'private', timelock, salt, commitment, delay: Number(delay) },
      safeTransactions: [
        planSafeTransaction({ ...safeTx, purpose: 'schedule', to: timelock, nonce, data: encodeFunctionData({ abi: privateTimelockAbi, functionName: 'schedule', args: [commitment, delay] }) }),
        planSafeTransaction({ ...safeTx, purpose: 'execute', to: timelock, nonce: nonce + 1n, data: encodeFunctionData({ abi: privateTimelockAbi, functionName: 'execute', args: [targets, values, payloads, salt] }) }),
      ],
    }
  }
  if (!route.multiSendCallOnly) throw new ReleasePlanInvalidError({ reason: "the emergency route needs the chain's MultiSendCallOnly address." })
  const packed = concat(calls.map((call) => encodePacked(['uint8', 'address', 'uint256', 'uint256', 'bytes'], [0, call.target, BigInt(call.value), BigInt(size(call.data)), call.data])))
  return {
    route: { name: 'emergency', safe: route.safe, threshold: Number(threshold), delay: 0 },
    operation: { kind: 'multiSend', multiSend: route.multiSendCallOnly },
    safeTransactions: [planSafeTransaction({ ...safeTx, purpose: 'release', to: route.multiSendCallOnly, operation: 1, nonce, data: encodeFunctionData({ abi: multiSendAbi, functionName: 'multiSend', args: [packed] }) })],
  }
}

/**
 * The proxy part of a release plan: each target's implementation deployed with CREATE2 (its runtime
 * codehash simulated), and the gate's upgrades in report order (targets of one beacon share it).
 */
async function planUpgrades(
  client: ReadClient,
  { report, artifacts, gatePatchId, deployer, deployerRuntime }: { report: ReleaseReportInput; artifacts: readonly Artifact[]; gatePatchId: Hex; deployer: Address; deployerRuntime: Hex },
): Promise<{ deployments: PlannedDeployment[]; upgrades: PlannedUpgrade[]; codehashes: Hex[] }> {
  const deployments: PlannedDeployment[] = []
  const upgrades: PlannedUpgrade[] = []
  for (const [index, target] of report.document.targets.entries()) {
    const artifact = findArtifact(artifacts, target.implementation.contract)
    if (keccak256(artifact.deployedBytecode) !== target.implementation.runtimeCodeHash) {
      throw new ReleasePlanInvalidError({ reason: `the build of ${target.implementation.contract} is not the validated one (runtime hash ${keccak256(artifact.deployedBytecode)}, report ${target.implementation.runtimeCodeHash}).` })
    }
    const salt = keccak256(concat([gatePatchId, numberToHex(index, { size: 32 })]))
    const initCode = artifact.bytecode
    const initCodeHash = keccak256(initCode)
    const address = getContractAddress({ opcode: 'CREATE2', from: deployer, salt, bytecodeHash: initCodeHash })
    const code = await probeRuntime(client, { deployer, deployerRuntime, salt, initCode })
    const deployment: PlannedDeployment = {
      name: target.name,
      contract: target.implementation.contract,
      deployer,
      salt,
      initCode,
      initCodeHash,
      address,
      codehash: keccak256(code),
      reportRuntimeCodeHash: target.implementation.runtimeCodeHash,
    }
    deployments.push(deployment)

    const proxy = getAddress(target.proxy)
    const info = await getProxyInfo(client, { address: proxy })
    if (!info || info.kind === 'erc1967') throw new ReleasePlanInvalidError({ reason: `${target.name} (${proxy}) is not a UUPS, Transparent or beacon proxy.` })
    if (info.kind === 'beacon-proxy') {
      const beacon = getAddress(info.beacon!)
      const existing = upgrades.find((upgrade) => upgrade.kind === 'beacon' && upgrade.proxy === beacon)
      if (size(target.initializerCalldata) > 0) throw new ReleasePlanInvalidError({ reason: `${target.name} is a beacon proxy: the gate cannot run an initializer through a beacon.` })
      if (existing) {
        if (existing.implementation !== address) throw new ReleasePlanInvalidError({ reason: `targets sharing beacon ${beacon} name different implementations.` })
        existing.proxies.push(proxy)
        continue
      }
      upgrades.push({ name: target.name, kind: 'beacon', proxy: beacon, proxies: [proxy], implementation: address, codehash: deployment.codehash, data: '0x' })
    } else {
      upgrades.push({
        name: target.name,
        kind: info.kind,
        proxy,
        ...(info.kind === 'transparent' ? { admin: getAddress(info.admin!) } : {}),
        proxies: [proxy],
        implementation: address,
        codehash: deployment.codehash,
        data: target.initializerCalldata,
      })
    }
  }
  // Two targets of one beacon share one deployment.
  const uniqueDeployments = deployments.filter((deployment, index) => deployments.findIndex((other) => other.address === deployment.address) === index)
  return { deployments: uniqueDeployments, upgrades, codehashes: upgrades.map((upgrade) => upgrade.codehash) }
}

/** keccak256 of the plan's canonical JSON (without `hash`). */
export function hashReleasePlan(plan: ReleasePlan): Hex {
  return canonicalHash(plan as unknown as Record<string, unknown>)
}

function findArtifact(artifacts: readonly Artifact[], contract: string): Artifact {
  const [sourceName, contractName] = contract.includes(':') ? [contract.slice(0, contract.lastIndexOf(':')), contract.slice(contract.lastIndexOf(':') + 1)] : [undefined, contract]
  const matches = artifacts.filter((artifact) => artifact.contractName === contractName && (sourceName === undefined || artifact.sourceName === sourceName))
  if (matches.length !== 1) throw new ReleasePlanInvalidError({ reason: matches.length === 0 ? `no build holds ${contract}.` : `several builds hold ${contract}; name it in full (source:Contract).` })
  return matches[0]!
}

/** The runtime code `deployer` would create from `initCode` under `salt`: CREATE2 simulated in eth_call, the deployer's code overridden with Create2Deployer's. */
export async function probeRuntime(client: ReadClient, { deployer, deployerRuntime, salt, initCode }: { deployer: Address; deployerRuntime: Hex; salt: Hex; initCode: Hex }): Promise<Hex> {
  try {
    const { data } = await client.call({
      to: deployer,
      data: encodeFunctionData({ abi: create2DeployerAbi, functionName: 'probe', args: [salt, initCode] }),
      stateOverride: [{ address: deployer, code: deployerRuntime }],
      gas: 30_000_000n,
    })
    const [, code] = decodeFunctionResult({ abi: create2DeployerAbi, functionName: 'probe', data: data ?? '0x' })
    return code
  } catch (error) {
    throw new ReleasePlanInvalidError({ reason: `the implementation's creation code does not deploy (simulated CREATE2 from ${deployer}): ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` })
  }
}
