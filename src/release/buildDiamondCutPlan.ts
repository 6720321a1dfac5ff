import { concat, encodeAbiParameters, encodeFunctionData, encodePacked, getAddress, getContractAddress, keccak256, numberToHex, parseAbi, stringToHex, zeroAddress, zeroHash, type Address, type Hex } from 'viem'
import type { ReadClient } from '../chain/clients.js'
import { diamondAbi, facetCutActions } from '../chain/diamondAbi.js'
import type { Artifact } from '../compile/artifacts.js'
import { create2DeployerAbi, safeAbi, timelockControllerAbi } from './abis.js'
import { probeRuntime } from './buildReleasePlan.js'
import { canonicalHash } from './canonicalHash.js'
import { ReleasePlanInvalidError } from './errors.js'
import type { PlannedCall, PlannedDeployment, PlannedSafeTransaction } from './plan.js'
import { planSafeTransaction } from './safeTransactions.js'

/**
 * The release plan of a diamond cut (version 1): the CREATE2 deployment of every facet (and init
 * contract) the validation report approved, and the `diamondCut` with the exact selector map, as one
 * TimelockController batch the governance Safe schedules and executes. The timelock operation id is
 * the binding: it commits to each facet's creation code (so to its codehash, through the CREATE2
 * address) and to every selector of the cut, so nothing but the approved cut can run under it.
 */
export type DiamondCutPlan = {
  planVersion: 1
  kind: 'diamondCut'
  patchId: string
  reportHash: Hex
  chain: { chainId: number }
  diamond: Address
  route: { name: 'standard'; safe: Address; threshold: number; timelock: Address; delay: number }
  /** Facets and the init contract, deployed by the batch (CREATE2 from the Create2Deployer). */
  deployments: PlannedDeployment[]
  /** The `FacetCut[]` argument, addresses resolved. */
  cut: { facetAddress: Address; action: number; functionSelectors: Hex[] }[]
  init: Address
  initCalldata: Hex
  /** Facet address → selectors the loupe must show after the release (sorted): what verification compares. */
  selectorMap: { facet: Address; selectors: Hex[] }[]
  calls: PlannedCall[]
  operation: { kind: 'timelockBatch'; timelock: Address; predecessor: Hex; salt: Hex; operationId: Hex; delay: number }
  safeTransactions: PlannedSafeTransaction[]
  createdAt: string
}
export type SignedDiamondCutPlan = DiamondCutPlan & { hash: Hex }

/** The approved cut as the diamond-cut stage records it in the report (`stages[].data.cut`). */
export type ReportedDiamondCut = {
  name: string
  diamond: string
  facets: { name: string; action: 'add' | 'replace' | 'remove'; contract?: string; runtimeCodeHash?: Hex; selectors: Hex[] }[]
  init: { address?: string; contract?: string; runtimeCodeHash: Hex; calldata: Hex; audited: boolean } | null
  selectorMap: { facet: string; selectors: Hex[] }[]
}

export type DiamondCutReportInput = {
  hash: Hex
  document: { verdict: 'pass' | 'fail'; chain: { chainId: number }; stages: readonly { stage: string; status: string; data?: unknown }[] }
}

export type BuildDiamondCutPlanParameters = {
  patchId: string
  report: DiamondCutReportInput
  /** Artifacts holding each new facet and the init contract (by full or short name), and `Create2Deployer`. */
  artifacts: readonly Artifact[]
  route: { safe: Address; timelock: Address }
  create2Deployer: Address
  now?: Date | undefined
}

const ownerAbi = parseAbi(['function owner() view returns (address)'])

/** The approved cut of a passing report; throws when the report holds none. */
export function reportedDiamondCut(report: DiamondCutReportInput): ReportedDiamondCut {
  const stage = report.document.stages.find((entry) => entry.stage === 'diamond-cut')
  const cut = (stage?.data as { cut?: ReportedDiamondCut } | undefined)?.cut
  if (!stage || stage.status !== 'passed' || !cut) throw new ReleasePlanInvalidError({ reason: `the report ${report.hash} approves no diamond cut (its diamond-cut stage ${stage ? `is ${stage.status}` : 'did not run'}).` })
  return cut
}

/**
 * Turns a validated diamond cut into its release on the standard route: the facets' CREATE2
 * deployments (codehashes simulated with `eth_call`, as for implementations), then `diamondCut`, as
 * one timelock batch, and the Safe `scheduleBatch` / `executeBatch` transactions owners sign.
 *
 * @throws {ReleasePlanInvalidError} the report did not pass, is for another chain or holds no cut; a
 * facet's build is not the validated one; the diamond's owner is not the route's timelock.
 */
export async function buildDiamondCutPlan(client: ReadClient, parameters: BuildDiamondCutPlanParameters): Promise<SignedDiamondCutPlan> {
  const { patchId, report, artifacts, route, create2Deployer } = parameters
  const chainId = await client.getChainId()
  if (report.document.verdict !== 'pass') throw new ReleasePlanInvalidError({ reason: `the validation report ${report.hash} has verdict "${report.document.verdict}"; only a passing report can be released.` })
  if (report.document.chain.chainId !== chainId) throw new ReleasePlanInvalidError({ reason: `the report was made on chain ${report.document.chain.chainId}, the RPC endpoint serves chain ${chainId}.` })
  const approved = reportedDiamondCut(report)
  const diamond = getAddress(approved.diamond)
  const owner = await client.readContract({ address: diamond, abi: ownerAbi, functionName: 'owner' }).catch(() => undefined)
  if (!owner || getAddress(owner) !== getAddress(route.timelock)) {
    throw new ReleasePlanInvalidError({ reason: `the diamond ${diamond} is owned by ${owner ?? '(no owner())'}, not by the route's timelock ${route.timelock}: the batch could not cut it.` })
  }
  const deployerRuntime = artifacts.find((artifact) => artifact.contractName === 'Create2Deployer')?.deployedBytecode
  if (!deployerRuntime) throw new ReleasePlanInvalidError({ reason: 'the artifacts lack Create2Deployer (contracts/release/Create2Deployer.sol).' })

  const binding = keccak256(encodePacked(['string', 'bytes32'], [patchId, report.hash]))
  const deployments: PlannedDeployment[] = []
  const deploy = async (name: string, contract: string, runtimeCodeHash: Hex) => {
    const artifact = findArtifact(artifacts, contract, runtimeCodeHash)
    const salt = keccak256(concat([binding, numberToHex(deployments.length, { size: 32 })]))
    const initCodeHash = keccak256(artifact.bytecode)
    const address = getContractAddress({ opcode: 'CREATE2', from: create2Deployer, salt, bytecodeHash: initCodeHash })
    const code = await probeRuntime(client, { deployer: create2Deployer, deployerRuntime, salt, initCode: artifact.bytecode })
    deployments.push({ name, contract, deployer: create2Deployer, salt, initCode: artifact.bytecode, initCodeHash, address, codehash: keccak256(code), reportRuntimeCodeHash: runtimeCodeHash })
    return address
  }
  const facetAddresses = new Map<string, Address>()
  for (const facet of approved.facets) {
    if (facet.action === 'remove') continue
    if (facet.contract === undefined || facet.runtimeCodeHash === undefined) throw new ReleasePlanInvalidError({ reason: `the report's facet ${facet.name} has no build.` })
    facetAddresses.set(facet.name, await deploy(facet.name, facet.contract, facet.runtimeCodeHash))
  }
  let init: Address = zeroAddress
  if (approved.init) {
    init = approved.init.address !== undefined ? getAddress(approved.init.address) : await deploy('init', approved.init.contract!, approved.init.runtimeCodeHash)
  }
  const cut = approved.facets.map((facet) => ({
    facetAddress: facet.action === 'remove' ? zeroAddress : facetAddresses.get(facet.name)!,
    action: facetCutActions.indexOf(facet.action),
    functionSelectors: facet.selectors,
  }))
  const initCalldata = approved.init?.calldata ?? '0x'
  const selectorMap = approved.selectorMap
    .map((entry) => ({ facet: entry.facet.startsWith('new:') ? facetAddresses.get(entry.facet.slice(4))! : getAddress(entry.facet), selectors: [...entry.selectors].sort() }))
    .sort((a, b) => (a.facet < b.facet ? -1 : a.facet > b.facet ? 1 : 0))

  const calls: PlannedCall[] = [
    ...deployments.map((deployment) => ({
      target: create2Deployer,
      value: '0',
      data: encodeFunctionData({ abi: create2DeployerAbi, functionName: 'deploy', args: [deployment.salt, deployment.initCode] }),
      description: `deploy ${deployment.contract} at ${deployment.address} (CREATE2, codehash ${deployment.codehash})`,
    })),
    {
      target: diamond,
      value: '0',
      data: encodeFunctionData({ abi: diamondAbi, functionName: 'diamondCut', args: [cut, init, initCalldata] }),
      description: `diamondCut on ${diamond}: ${approved.facets.map((facet) => `${facet.action} ${facet.name} (${facet.selectors.length} selector(s))`).join(', ')}${init === zeroAddress ? '' : `, init ${init}`}`,
    },
  ]

  const [nonce, threshold, delay] = await Promise.all([
    client.readContract({ address: route.safe, abi: safeAbi, functionName: 'nonce' }),
    client.readContract({ address: route.safe, abi: safeAbi, functionName: 'getThreshold' }),
    client.readContract({ address: route.timelock, abi: timelockControllerAbi, functionName: 'getMinDelay' }),
  ]).catch((error: unknown) => {
    throw new ReleasePlanInvalidError({ reason: `${route.safe} / ${route.timelock} do not answer as a Safe and a TimelockController (${error instanceof Error ? error.message.split('\n')[0] : String(error)}).` })
  })
  const targets = calls.map((call) => call.target)
  const values = calls.map((call) => BigInt(call.value))
  const payloads = calls.map((call) => call.data)
  const salt = keccak256(concat([binding, stringToHex('bulwark.diamond-cut')]))
  const operationId = keccak256(encodeAbiParameters([{ type: 'address[]' }, { type: 'uint256[]' }, { type: 'bytes[]' }, { type: 'bytes32' }, { type: 'bytes32' }], [targets, values, payloads, zeroHash, salt]))
  const safeTx = { safe: route.safe, chainId }
  const plan: DiamondCutPlan = {
    planVersion: 1,
    kind: 'diamondCut',
    patchId,
    reportHash: report.hash,
    chain: { chainId },
    diamond,
    route: { name: 'standard', safe: route.safe, threshold: Number(threshold), timelock: route.timelock, delay: Number(delay) },
    deployments,
    cut,
    init,
    initCalldata,
    selectorMap,
    calls,
    operation: { kind: 'timelockBatch', timelock: route.timelock, predecessor: zeroHash, salt, operationId, delay: Number(delay) },
    safeTransactions: [
      planSafeTransaction({ ...safeTx, purpose: 'schedule', to: route.timelock, nonce, data: encodeFunctionData({ abi: timelockControllerAbi, functionName: 'scheduleBatch', args: [targets, values, payloads, zeroHash, salt, delay] }) }),
      planSafeTransaction({ ...safeTx, purpose: 'execute', to: route.timelock, nonce: nonce + 1n, data: encodeFunctionData({ abi: timelockControllerAbi, functionName: 'executeBatch', args: [targets, values, payloads, zeroHash, salt] }) }),
    ],
    createdAt: (parameters.now ?? new Date()).toISOString(),
  }
  return { ...plan, hash: canonicalHash(plan as unknown as Record<string, unknown>) }
}

/** The artifact of `contract` (full or short name) whose runtime code is the validated one. */
function findArtifact(artifacts: readonly Artifact[], contract: string, runtimeCodeHash: Hex): Artifact {
  const [sourceName, contractName] = contract.includes(':') ? [contract.slice(0, contract.lastIndexOf(':')), contract.slice(contract.lastIndexOf(':') + 1)] : [undefined, contract]
  const matches = artifacts.filter((artifact) => artifact.contractName === contractName && (sourceName === undefined || artifact.sourceName === sourceName))
  if (matches.length === 0) throw new ReleasePlanInvalidError({ reason: `no build holds ${contract}.` })
  const validated = matches.find((artifact) => keccak256(artifact.deployedBytecode) === runtimeCodeHash)
  if (!validated) {
    throw new ReleasePlanInvalidError({ reason: `the build of ${contract} is not the validated one (runtime hash ${keccak256(matches[0]!.deployedBytecode)}, report ${runtimeCodeHash}).` })
  }
  return validated
}
