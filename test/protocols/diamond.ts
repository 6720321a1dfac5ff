import { encodeFunctionData, getAddress, toFunctionSelector, type Abi, type AbiFunction, type Address, type Hex } from 'viem'
import { createDevClient } from '../../src/chain/clients.js'
import { deployContract } from '../../src/chain/deployContract.js'
import { devAccount } from '../../src/chain/devAccounts.js'
import { diamondAbi, facetCutActions, type FacetCutAction } from '../../src/chain/diamondAbi.js'
import { compileKit, kitArtifact, type KitBuild } from './compileKit.js'
import { kitAccountIndices, sendKitCall, type KitChain, type KitGovernance } from './kitGovernance.js'

/**
 * The EIP-2535 reference diamond (Nick Mudge's Diamond, DiamondCutFacet, DiamondLoupeFacet,
 * OwnershipFacet, LibDiamond and the DiamondERC165Init initializer) as published in the npm package
 * `hardhat-deploy@0.14.0` (`solc_0.8/diamond`), plus the kit's own ERC-7201 vault facet.
 */
export const diamondKitSources = {
  diamond: 'hardhat-deploy/solc_0.8/diamond/Diamond.sol',
  cutFacet: 'hardhat-deploy/solc_0.8/diamond/facets/DiamondCutFacet.sol',
  loupeFacet: 'hardhat-deploy/solc_0.8/diamond/facets/DiamondLoupeFacet.sol',
  ownershipFacet: 'hardhat-deploy/solc_0.8/diamond/facets/OwnershipFacet.sol',
  erc165Init: 'hardhat-deploy/solc_0.8/diamond/initializers/DiamondERC165Init.sol',
  vaultFacet: 'test/protocols/contracts/diamond/DiamondVaultFacet.sol',
} as const

/** `pragma solidity ^0.8.0`: compiled with 0.8.19, a release the sources accept. */
export const diamondCompiler = { solcVersion: '0.8.19', settings: { optimizer: true, optimizerRuns: 200 } } as const

export async function compileDiamondKit({ cacheDir }: { cacheDir?: string } = {}): Promise<KitBuild> {
  return compileKit({ kit: 'diamond', entries: Object.values(diamondKitSources), ...diamondCompiler, cacheDir })
}

/** A deployed diamond: the facets the constructor cut in and the one added through governance. */
export type DiamondKit = {
  diamond: Address
  cutFacet: Address
  loupeFacet: Address
  ownershipFacet: Address
  vaultFacet: Address
  erc165Init: Address
  /** Facet → the selectors routed to it after deployment. */
  selectors: Record<Address, Hex[]>
}

/** One FacetCut as `diamondCut` takes it. */
export type KitFacetCut = { facetAddress: Address; action: number; functionSelectors: Hex[] }

/** Every external function selector of a contract's ABI (lowercase hex), as a facet would serve them. */
export function selectorsOf(abi: Abi): Hex[] {
  return abi.filter((item): item is AbiFunction => item.type === 'function').map((item) => toFunctionSelector(item).toLowerCase() as Hex)
}

export function facetCut(facetAddress: Address, action: FacetCutAction, functionSelectors: readonly Hex[]): KitFacetCut {
  return { facetAddress, action: facetCutActions.indexOf(action), functionSelectors: [...functionSelectors] }
}

/** Calldata of `diamondCut(cuts, init, initCalldata)`: what governance schedules on the timelock. */
export function encodeDiamondCut(cuts: readonly KitFacetCut[], init: Address, initCalldata: Hex): Hex {
  return encodeFunctionData({ abi: diamondAbi, functionName: 'diamondCut', args: [cuts, init, initCalldata] })
}

/**
 * Deploys the reference diamond with its cut, loupe and ownership facets (and ERC-165 ids through the
 * reference initializer), then hands ownership — the only account allowed to `diamondCut` — to the
 * kit's TimelockController. The vault facet is deployed but not cut in: adding it is the first upgrade.
 */
export async function deployDiamondKit(
  chain: KitChain,
  { build, governance, keepDeployerOwner = false }: { build: KitBuild; governance: KitGovernance; /** Leave the deployer EOA as owner (a risky setup, for findings). */ keepDeployerOwner?: boolean },
): Promise<DiamondKit> {
  const deployer = devAccount(kitAccountIndices.deployer)
  const client = createDevClient({ ...chain, account: deployer })
  const deploy = async (name: string, args: readonly unknown[] = []) => {
    const { abi, bytecode } = kitArtifact(build, name)
    return getAddress((await deployContract(client, { name, abi, bytecode, args })).address)
  }
  const cutFacet = await deploy('DiamondCutFacet')
  const loupeFacet = await deploy('DiamondLoupeFacet')
  const ownershipFacet = await deploy('OwnershipFacet')
  const vaultFacet = await deploy('DiamondVaultFacet')
  const erc165Init = await deploy('DiamondERC165Init')
  const selectors: Record<Address, Hex[]> = {
    [cutFacet]: selectorsOf(kitArtifact(build, 'DiamondCutFacet').abi),
    [loupeFacet]: selectorsOf(kitArtifact(build, 'DiamondLoupeFacet').abi),
    [ownershipFacet]: selectorsOf(kitArtifact(build, 'OwnershipFacet').abi),
  }
  const interfaceIds: Hex[] = ['0x01ffc9a7', '0x1f931c1c', '0x48e2b093', '0x7f5828d0'] // ERC-165, IDiamondCut, IDiamondLoupe, ERC-173
  const diamond = await deploy('Diamond', [
    deployer.address,
    Object.entries(selectors).map(([facet, list]) => facetCut(facet as Address, 'add', list)),
    [{ initContract: erc165Init, initData: encodeFunctionData({ abi: kitArtifact(build, 'DiamondERC165Init').abi, functionName: 'setERC165', args: [interfaceIds, []] }) }],
  ])
  if (keepDeployerOwner) return { diamond, cutFacet, loupeFacet, ownershipFacet, vaultFacet, erc165Init, selectors }
  await sendKitCall(client, 'diamond transferOwnership', {
    address: diamond,
    abi: kitArtifact(build, 'OwnershipFacet').abi,
    functionName: 'transferOwnership',
    args: [governance.timelock],
  })
  return { diamond, cutFacet, loupeFacet, ownershipFacet, vaultFacet, erc165Init, selectors }
}
