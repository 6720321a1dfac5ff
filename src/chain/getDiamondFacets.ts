import { getAddress, type Address, type Hex } from 'viem'
import { diamondAbi } from './diamondAbi.js'
import { probeContractRead, type InventoryClient } from './probeContractRead.js'

export type GetDiamondFacetsParameters = { address: Address; blockNumber?: bigint | undefined }
/** A facet and the selectors the diamond routes to it, lowercase hex, in the loupe's order. */
export type DiamondFacet = { address: Address; selectors: Hex[] }
/** The loupe's answer, or undefined when the contract has no `facets()` (it is not a diamond). */
export type GetDiamondFacetsReturnType = DiamondFacet[] | undefined

/** Reads the EIP-2535 loupe `facets()`. A contract without it is not an error: it is not a diamond. */
export async function getDiamondFacets(client: InventoryClient, { address, blockNumber }: GetDiamondFacetsParameters): Promise<GetDiamondFacetsReturnType> {
  const facets = await probeContractRead(client, () =>
    client.readContract({ address, abi: diamondAbi, functionName: 'facets', ...(blockNumber === undefined ? {} : { blockNumber }) }),
  )
  if (facets === undefined) return undefined
  return facets.map((facet) => ({
    address: getAddress(facet.facetAddress),
    selectors: facet.functionSelectors.map((selector) => selector.toLowerCase() as Hex),
  }))
}
