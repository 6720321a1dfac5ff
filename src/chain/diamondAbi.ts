import { getAbiItem, parseAbi } from 'viem'

/**
 * The EIP-2535 surface Bulwark reads and writes: the loupe (`facets()`), `diamondCut` and its
 * `DiamondCut` event. Written from the standard's text; every compliant diamond exposes exactly these.
 */
export const diamondAbi = parseAbi([
  'struct Facet { address facetAddress; bytes4[] functionSelectors; }',
  'struct FacetCut { address facetAddress; uint8 action; bytes4[] functionSelectors; }',
  'function facets() view returns (Facet[])',
  'function facetAddress(bytes4 functionSelector) view returns (address)',
  'function diamondCut(FacetCut[] _diamondCut, address _init, bytes _calldata)',
  'event DiamondCut(FacetCut[] _diamondCut, address _init, bytes _calldata)',
])

/** `IDiamondCut.FacetCutAction` in enum order: the `action` field of a FacetCut. */
export const facetCutActions = ['add', 'replace', 'remove'] as const
export type FacetCutAction = (typeof facetCutActions)[number]

/** The `DiamondCut` event, for `getLogs` and log decoding. */
export const diamondCutEvent = getAbiItem({ abi: diamondAbi, name: 'DiamondCut' })
