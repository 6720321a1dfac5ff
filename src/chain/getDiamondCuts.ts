import { getAddress, zeroAddress, type Address, type Hash, type Hex } from 'viem'
import { diamondCutEvent, facetCutActions, type FacetCutAction } from './diamondAbi.js'
import { requiredRead, type InventoryClient } from './probeContractRead.js'

export type GetDiamondCutsParameters = {
  address: Address
  /** First block of the history (default 0). */
  fromBlock?: bigint | undefined
  /** Last block of the history (default latest). */
  blockNumber?: bigint | undefined
}

/** One facet entry of a cut: what happened to which selectors. Remove cuts name the zero address. */
export type DiamondFacetCut = { facet: Address; action: FacetCutAction | 'unknown'; selectors: Hex[] }

/** One `DiamondCut` event: the facet changes and the init delegatecall that ran with them. */
export type DiamondCutRecord = {
  blockNumber: bigint
  transactionHash: Hash
  logIndex: number
  cuts: DiamondFacetCut[]
  /** The contract `_calldata` was delegatecalled on, or null when the cut ran no init. */
  init: Address | null
  calldata: Hex
}
export type GetDiamondCutsReturnType = DiamondCutRecord[]

/**
 * The diamond's cut history from its `DiamondCut` events, oldest first. The reference Diamond emits
 * one from its constructor too, so the history starts with the facets it was deployed with.
 */
export async function getDiamondCuts(client: InventoryClient, { address, fromBlock, blockNumber }: GetDiamondCutsParameters): Promise<GetDiamondCutsReturnType> {
  const logs = await requiredRead(client, 'eth_getLogs', () =>
    client.getLogs({
      address,
      event: diamondCutEvent,
      fromBlock: fromBlock ?? 0n,
      ...(blockNumber === undefined ? { toBlock: 'latest' as const } : { toBlock: blockNumber }),
      strict: true,
    }),
  )
  return logs
    .map((log) => ({
      blockNumber: log.blockNumber,
      transactionHash: log.transactionHash,
      logIndex: log.logIndex,
      cuts: log.args._diamondCut.map((cut) => ({
        facet: getAddress(cut.facetAddress),
        action: facetCutActionOf(cut.action),
        selectors: cut.functionSelectors.map((selector) => selector.toLowerCase() as Hex),
      })),
      init: log.args._init === zeroAddress ? null : getAddress(log.args._init),
      calldata: log.args._calldata,
    }))
    .sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1))
}

/** A non-reference diamond could log an action outside the enum; it is shown, not guessed. */
function facetCutActionOf(action: number): FacetCutAction | 'unknown' {
  return facetCutActions[action] ?? 'unknown'
}
