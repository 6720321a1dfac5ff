import { getAddress, type Address } from 'viem'
import { getDiamondFacets } from '../../chain/getDiamondFacets.js'
import type { InventoryClient } from '../../chain/probeContractRead.js'
import type { MonitorScope } from '../types.js'

export type ReadDiamondFacetsParameters = { contracts: readonly Address[]; blockNumber?: bigint | undefined }
/** Diamond → its facets (the loupe at start); contracts that are not diamonds are absent. */
export type ReadDiamondFacetsReturnType = Map<Address, Address[]>

/**
 * The facets of every EIP-2535 diamond among the protocol contracts. A diamond's code lives in its
 * facets: watching only the diamond's address misses a facet called directly (an unprotected
 * `initialize` or `selfdestruct` path on the facet itself).
 */
export async function readDiamondFacets(client: InventoryClient, { contracts, blockNumber }: ReadDiamondFacetsParameters): Promise<ReadDiamondFacetsReturnType> {
  const answers = await Promise.all(contracts.map(async (address) => [getAddress(address), await getDiamondFacets(client, { address, blockNumber })] as const))
  const facets: ReadDiamondFacetsReturnType = new Map()
  for (const [diamond, list] of answers) {
    if (list) facets.set(diamond, list.map((facet) => facet.address).filter((facet) => facet !== diamond))
  }
  return facets
}

/** The scope with every facet of its diamonds added to the watched contracts (once each). */
export function withDiamondFacets(scope: MonitorScope, facets: ReadDiamondFacetsReturnType): MonitorScope {
  const known = new Set(scope.contracts.map((address) => address.toLowerCase()))
  const added: Address[] = []
  for (const list of facets.values()) {
    for (const facet of list) {
      if (known.has(facet.toLowerCase())) continue
      known.add(facet.toLowerCase())
      added.push(facet)
    }
  }
  return added.length === 0 ? scope : { ...scope, contracts: [...scope.contracts, ...added] }
}
