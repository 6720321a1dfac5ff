import type { Address } from 'viem'
import type { Artifact } from '../compile/artifacts.js'
import { getArtifact } from '../compile/getArtifact.js'
import type { DevClient } from './clients.js'
import { deployContract } from './deployContract.js'

export type DeployReleaseGateParameters = {
  /** A compile result of this repository (`compileProject`). */
  build: { artifacts: readonly Artifact[] }
  /** DEFAULT_ADMIN_ROLE: manages auditors, threshold and hand-over (the timelock or security council). */
  admin: Address
  /** RELEASER_ROLE: may approve and release patches (timelocks). */
  releasers: readonly Address[]
  /** The auditor keys whose EIP-712 attestations count. */
  auditors: readonly Address[]
  /** Attestations a patch needs, 1 to `auditors.length`. */
  threshold: number
}

/**
 * Deploys a ReleaseGate. Point the proxies' upgrade authority at it afterwards (UUPS role, ProxyAdmin
 * owner, beacon owner).
 *
 * @throws {DeployError} the constructor reverted (e.g. `ReleaseGateInvalidThreshold`) or the artifact has no bytecode.
 */
export async function deployReleaseGate(client: DevClient, { build, admin, releasers, auditors, threshold }: DeployReleaseGateParameters): Promise<Address> {
  const artifact = getArtifact(build, 'contracts/ReleaseGate.sol:ReleaseGate')
  const { address } = await deployContract(client, {
    name: 'ReleaseGate',
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    args: [admin, releasers, auditors, BigInt(threshold)],
  })
  return address
}
