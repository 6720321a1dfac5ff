import { parseAbi, type Address } from 'viem'
import { probeContractRead, type InventoryClient } from './probeContractRead.js'

export type GetPauseStateParameters = { address: Address; blockNumber?: bigint | undefined }
/** true/false from `paused()`, undefined when the contract is not pausable. */
export type GetPauseStateReturnType = boolean | undefined

const pausableAbi = parseAbi(['function paused() view returns (bool)'])

/** Reads OpenZeppelin Pausable's `paused()`; a contract without it is simply not pausable. */
export async function getPauseState(client: InventoryClient, { address, blockNumber }: GetPauseStateParameters): Promise<GetPauseStateReturnType> {
  return probeContractRead(client, () =>
    client.readContract({ address, abi: pausableAbi, functionName: 'paused', ...(blockNumber === undefined ? {} : { blockNumber }) }),
  )
}
