import { parseAbi, type Address } from 'viem'
import { probeContractRead, type InventoryClient } from './probeContractRead.js'
import { getRoleHolders, type RoleHolders } from './getRoleHolders.js'

export type TimelockInfo = {
  /** Seconds every scheduled operation must wait before it can execute. */
  minDelay: bigint
  /** PROPOSER_ROLE, EXECUTOR_ROLE, CANCELLER_ROLE and DEFAULT_ADMIN_ROLE holders, from the role logs. */
  roles: RoleHolders[]
}

export type GetTimelockInfoParameters = {
  address: Address
  fromBlock?: bigint | undefined
  blockNumber?: bigint | undefined
}
/** undefined when `address` is not a TimelockController (no `getMinDelay()`). */
export type GetTimelockInfoReturnType = TimelockInfo | undefined

const timelockAbi = parseAbi(['function getMinDelay() view returns (uint256)'])

/** Reads an OpenZeppelin TimelockController: its minimum delay and who holds each role. */
export async function getTimelockInfo(client: InventoryClient, { address, fromBlock, blockNumber }: GetTimelockInfoParameters): Promise<GetTimelockInfoReturnType> {
  const minDelay = await probeContractRead(client, () =>
    client.readContract({ address, abi: timelockAbi, functionName: 'getMinDelay', ...(blockNumber === undefined ? {} : { blockNumber }) }),
  )
  if (minDelay === undefined) return undefined
  const roles = await getRoleHolders(client, { address, fromBlock, blockNumber })
  return { minDelay, roles }
}
