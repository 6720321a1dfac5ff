import type { Address } from 'viem'
import type { Artifact } from '../compile/artifacts.js'
import { getArtifact } from '../compile/getArtifact.js'
import type { DevClient } from './clients.js'
import { deployContract } from './deployContract.js'

export type DeployCircuitBreakerParameters = {
  /** A compile result of this repository (`compileProject`). */
  build: { artifacts: readonly Artifact[] }
  /** Sets rules and resets tripped breakers (the timelock or security council). */
  owner: Address
}

/**
 * Deploys a CircuitBreaker; its owner then sets a rule per (protected contract, asset) with `setRule`.
 *
 * @throws {DeployError} the creation transaction reverted or the artifact has no bytecode.
 */
export async function deployCircuitBreaker(client: DevClient, { build, owner }: DeployCircuitBreakerParameters): Promise<Address> {
  const artifact = getArtifact(build, 'contracts/CircuitBreaker.sol:CircuitBreaker')
  const { address } = await deployContract(client, { name: 'CircuitBreaker', abi: artifact.abi, bytecode: artifact.bytecode, args: [owner] })
  return address
}
