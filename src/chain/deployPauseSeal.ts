import type { Address } from 'viem'
import type { Artifact } from '../compile/artifacts.js'
import { getArtifact } from '../compile/getArtifact.js'
import type { DevClient } from './clients.js'
import { deployContract } from './deployContract.js'

export type DeployPauseSealParameters = {
  /** A compile result of this repository (`compileProject`). */
  build: { artifacts: readonly Artifact[] }
  /** The only account that may use the seal (a Safe or an EOA). */
  committee: Address
  /** Contracts implementing `pauseFor(uint256)` that the seal may pause; grant it their pauser role. */
  targets: readonly Address[]
  /** The longest pause, in seconds. */
  maxPauseDuration: number
  /** Unix time after which the seal can no longer be used. */
  expiresAt: number
}

/**
 * Deploys an EmergencyPauseSeal (one use, bounded pause, expiring).
 *
 * @throws {DeployError} the constructor reverted (no targets, duplicate target, expiry in the past…).
 */
export async function deployPauseSeal(client: DevClient, { build, committee, targets, maxPauseDuration, expiresAt }: DeployPauseSealParameters): Promise<Address> {
  const artifact = getArtifact(build, 'contracts/EmergencyPauseSeal.sol:EmergencyPauseSeal')
  const { address } = await deployContract(client, {
    name: 'EmergencyPauseSeal',
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    args: [committee, targets, BigInt(maxPauseDuration), BigInt(expiresAt)],
  })
  return address
}
