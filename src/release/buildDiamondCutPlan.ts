import { concat, encodeAbiParameters, getAddress, getContractAddress, keccak256, numberToHex, parseAbi, parseAbiParameters, zeroAddress, type Address, type Hex } from 'viem'
import type { ReadClient } from '../chain/clients.js'
import { facetCutActions } from '../chain/diamondAbi.js'
import type { Artifact } from '../compile/artifacts.js'
import { probeRuntime } from './buildReleasePlan.js'
import { ReleasePlanInvalidError } from './errors.js'
import type { PlannedDeployment, PlannedDiamondCut } from './plan.js'

/** The approved cut as the diamond-cut stage records it in the report (`stages[].data.cut`). */
export type ReportedDiamondCut = {
  name: string
  diamond: string
  facets: { name: string; action: 'add' | 'replace' | 'remove'; contract?: string; runtimeCodeHash?: Hex; selectors: Hex[] }[]
  init: { address?: string; contract?: string; runtimeCodeHash: Hex; calldata: Hex; audited: boolean } | null
  selectorMap: { facet: string; selectors: Hex[] }[]
}

/** What a diamond release needs of a report: its stages (the diamond-cut stage's `data.cut`). */
export type DiamondCutReportInput = {
  hash: Hex
  document: { stages?: readonly { stage: string; status: string; data?: unknown }[] | undefined }
}

/** The approved cut of a report, or undefined when its diamond-cut stage did not run (a proxy patch). */
export function reportedDiamondCut(report: DiamondCutReportInput): ReportedDiamondCut | undefined {
  const stage = report.document.stages?.find((entry) => entry.stage === 'diamond-cut')
  if (!stage || stage.status === 'skipped') return undefined
  const cut = (stage.data as { cut?: ReportedDiamondCut } | undefined)?.cut
  if (stage.status !== 'passed' || !cut) throw new ReleasePlanInvalidError({ reason: `the report ${report.hash} approves no diamond cut (its diamond-cut stage is ${stage.status}).` })
  return cut
}

const facetCutParameters = parseAbiParameters('(address facetAddress, uint8 action, bytes4[] functionSelectors)[]')
const diamondCutTypehash = keccak256(new TextEncoder().encode('DiamondCut(address diamond,bytes32 cutsHash,address init,bytes32 initDataHash)'))

/** `ReleaseGate.diamondCutHash`: what the gate approves as a diamond patch's last codehash. */
export function diamondCutHash({ diamond, cuts, init, initCalldata }: Pick<PlannedDiamondCut, 'diamond' | 'cuts' | 'init' | 'initCalldata'>): Hex {
  const cutsHash = keccak256(encodeAbiParameters(facetCutParameters, [cuts]))
  return keccak256(encodeAbiParameters(parseAbiParameters('bytes32, address, bytes32, address, bytes32'), [diamondCutTypehash, diamond, cutsHash, init, keccak256(initCalldata)]))
}

export type BuildDiamondCutPlanParameters = {
  cut: ReportedDiamondCut
  /** Artifacts holding each new facet and the init contract (by full or short name). */
  artifacts: readonly Artifact[]
  gate: Address
  gatePatchId: Hex
  /** The CREATE2 deployer (Create2Deployer, or the PrivateTimelock on the private route) and Create2Deployer's runtime. */
  deployer: Address
  deployerRuntime: Hex
}

export type BuildDiamondCutPlanReturnType = { deployments: PlannedDeployment[]; diamondCut: PlannedDiamondCut; codehashes: Hex[] }

/**
 * The diamond part of a release plan: the CREATE2 deployment of every facet (and init contract) the
 * report approved, codehashes simulated with `eth_call` as for implementations; the `FacetCut[]`
 * with addresses resolved; and the codehashes the gate approves — each distinct facet and init
 * codehash, then the cut hash, so the auditors' attestation binds the exact selector map.
 *
 * @throws {ReleasePlanInvalidError} a facet's build is not the validated one; the diamond is not owned by the gate.
 */
export async function buildDiamondCutPlan(client: ReadClient, parameters: BuildDiamondCutPlanParameters): Promise<BuildDiamondCutPlanReturnType> {
  const { cut: approved, artifacts, gate, gatePatchId, deployer, deployerRuntime } = parameters
  const diamond = getAddress(approved.diamond)
  const owner = await client.readContract({ address: diamond, abi: ownerAbi, functionName: 'owner' }).catch(() => undefined)
  if (!owner || getAddress(owner) !== getAddress(gate)) {
    throw new ReleasePlanInvalidError({ reason: `the diamond ${diamond} is owned by ${owner ?? '(no owner())'}, not by the ReleaseGate ${gate}: the gate could not cut it (hand the diamond's ownership to the gate).` })
  }
  const deployments: PlannedDeployment[] = []
  const deploy = async (name: string, contract: string, runtimeCodeHash: Hex) => {
    const artifact = findArtifact(artifacts, contract, runtimeCodeHash)
    const salt = keccak256(concat([gatePatchId, numberToHex(deployments.length, { size: 32 })]))
    const initCodeHash = keccak256(artifact.bytecode)
    const address = getContractAddress({ opcode: 'CREATE2', from: deployer, salt, bytecodeHash: initCodeHash })
    const code = await probeRuntime(client, { deployer, deployerRuntime, salt, initCode: artifact.bytecode })
    deployments.push({ name, contract, deployer, salt, initCode: artifact.bytecode, initCodeHash, address, codehash: keccak256(code), reportRuntimeCodeHash: runtimeCodeHash })
    return address
  }
  const facetAddresses = new Map<string, Address>()
  for (const facet of approved.facets) {
    if (facet.action === 'remove') continue
    if (facet.contract === undefined || facet.runtimeCodeHash === undefined) throw new ReleasePlanInvalidError({ reason: `the report's facet ${facet.name} has no build.` })
    facetAddresses.set(facet.name, await deploy(facet.name, facet.contract, facet.runtimeCodeHash))
  }
  let init: Address = zeroAddress
  let initCodehash: Hex | undefined
  if (approved.init) {
    if (approved.init.address !== undefined) {
      init = getAddress(approved.init.address)
      initCodehash = approved.init.runtimeCodeHash
    } else {
      init = await deploy('init', approved.init.contract!, approved.init.runtimeCodeHash)
      initCodehash = deployments.at(-1)!.codehash
    }
  }
  const cuts = approved.facets.map((facet) => ({
    facetAddress: facet.action === 'remove' ? zeroAddress : facetAddresses.get(facet.name)!,
    action: facetCutActions.indexOf(facet.action),
    functionSelectors: facet.selectors,
  }))
  const initCalldata = approved.init?.calldata ?? '0x'
  const selectorMap = approved.selectorMap
    .map((entry) => ({ facet: entry.facet.startsWith('new:') ? facetAddresses.get(entry.facet.slice(4))! : getAddress(entry.facet), selectors: [...entry.selectors].sort() }))
    .sort((a, b) => (a.facet < b.facet ? -1 : a.facet > b.facet ? 1 : 0))
  const cutHash = diamondCutHash({ diamond, cuts, init, initCalldata })
  const codehashes = [...new Set([...deployments.map((deployment) => deployment.codehash), ...(initCodehash ? [initCodehash] : [])])]
  return { deployments, diamondCut: { diamond, cuts, init, initCalldata, cutHash, selectorMap }, codehashes: [...codehashes, cutHash] }
}

const ownerAbi = parseAbi(['function owner() view returns (address)'])

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
