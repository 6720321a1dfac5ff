import type { Abi, Address, Hex } from 'viem'
import type { DevClient } from './clients.js'
import { deployContract } from './deployContract.js'

export type DeployTimelockParameters = {
  /** The compiled OpenZeppelin TimelockController artifact. */
  artifact: { abi: Abi; bytecode: Hex }
  /** Seconds every operation must wait between schedule and execute. */
  minDelay: bigint | number
  proposers: readonly Address[]
  executors: readonly Address[]
  /** Optional extra admin; the zero address leaves the timelock self-administered. */
  admin: Address
}

/** Deploys an OpenZeppelin TimelockController. */
export async function deployTimelock(client: DevClient, { artifact, minDelay, proposers, executors, admin }: DeployTimelockParameters): Promise<Address> {
  const { address } = await deployContract(client, {
    name: 'TimelockController',
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    args: [BigInt(minDelay), proposers, executors, admin],
  })
  return address
}
