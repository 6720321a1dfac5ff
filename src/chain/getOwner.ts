import { getAddress, parseAbi, zeroAddress, type Address } from 'viem'
import { probeContractRead, type InventoryClient } from './probeContractRead.js'

export type GetOwnerParameters = { address: Address; blockNumber?: bigint | undefined }
/** The Ownable owner, or undefined when the contract has no `owner()` or has renounced ownership. */
export type GetOwnerReturnType = Address | undefined

const ownableAbi = parseAbi(['function owner() view returns (address)'])

/** Reads Ownable `owner()`. A contract without it is not an error: it is simply not Ownable. */
export async function getOwner(client: InventoryClient, { address, blockNumber }: GetOwnerParameters): Promise<GetOwnerReturnType> {
  const owner = await probeContractRead(client, () =>
    client.readContract({ address, abi: ownableAbi, functionName: 'owner', ...(blockNumber === undefined ? {} : { blockNumber }) }),
  )
  return owner === undefined || owner === zeroAddress ? undefined : getAddress(owner)
}
