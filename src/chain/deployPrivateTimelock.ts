import { zeroAddress, type Address } from 'viem'
import type { Artifact } from '../compile/artifacts.js'
import { getArtifact } from '../compile/getArtifact.js'
import type { DevClient } from './clients.js'
import { deployContract } from './deployContract.js'

export type DeployPrivateTimelockParameters = {
  /** A compile result of this repository (`compileProject`). */
  build: { artifacts: readonly Artifact[] }
  /** Seconds every operation waits at least. */
  minDelay: number | bigint
  /** Receive PROPOSER_ROLE and CANCELLER_ROLE. */
  proposers: readonly Address[]
  /** Receive EXECUTOR_ROLE; include the zero address to let anyone execute. */
  executors: readonly Address[]
  /** An extra admin for setting up (should renounce); zero (the default) leaves it self-administered. */
  admin?: Address | undefined
}

/**
 * Deploys a PrivateTimelock: schedule publishes only a commitment, execute reveals the calls.
 *
 * @throws {DeployError} the creation transaction reverted or the artifact has no bytecode.
 */
export async function deployPrivateTimelock(
  client: DevClient,
  { build, minDelay, proposers, executors, admin = zeroAddress }: DeployPrivateTimelockParameters,
): Promise<Address> {
  const artifact = getArtifact(build, 'contracts/PrivateTimelock.sol:PrivateTimelock')
  const { address } = await deployContract(client, {
    name: 'PrivateTimelock',
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    args: [BigInt(minDelay), proposers, executors, admin],
  })
  return address
}
