import { keccak256, stringToHex } from 'viem'
import { describe, expect, test } from 'vitest'
import { bulwarkRoot } from '../compile/bulwarkRoot.js'
import { compareStorageRoots, erc7201Slot, storageRootsOf } from './diamondStorage.js'
import { buildSourceContract } from './stages/build.js'

const context = { manifestDir: bulwarkRoot(), progress: () => undefined }
const build = (contract: string, file: string) => buildSourceContract({ contract, sources: [file], compiler: { version: '0.8.19' }, settings: { optimizer: true, optimizerRuns: 200 } }, context)

describe('storage roots of diamond facets', () => {
  test('the ERC-7201 formula gives the slot the kit vault hard-codes', () => {
    expect(erc7201Slot('bulwark.kit.vault')).toBe('0xb9304a3c53cd53e79e2a1d7ebf37d307fdf1c59029699e651840a0f37579a700')
  })

  test("the reference DiamondCutFacet: LibDiamond's diamond storage, found through the local copy of the position", async () => {
    const roots = storageRootsOf(await build('DiamondCutFacet', 'node_modules/hardhat-deploy/solc_0.8/diamond/facets/DiamondCutFacet.sol'))
    expect(roots.map((root) => [root.origin, root.slot, root.struct])).toEqual([
      ['diamond-storage:diamondStorage', keccak256(stringToHex('diamond.standard.diamond.storage')), 'DiamondStorage'],
    ])
    expect(roots[0]!.members.map((member) => `${member.type} ${member.name}`)).toEqual([
      'mapping(bytes4 => struct FacetAddressAndPosition) selectorToFacetAndPosition',
      'mapping(address => struct FacetFunctionSelectors) facetFunctionSelectors',
      'address[] facetAddresses',
      'mapping(bytes4 => bool) supportedInterfaces',
      'address contractOwner',
    ])
  }, 300_000)

  test('appending a member is compatible; reordering members is a conflict at the first differing position', async () => {
    const [v1, v2, ledger] = await Promise.all([
      build('DiamondVaultFacet', 'test/protocols/contracts/diamond/DiamondVaultFacet.sol'),
      build('DiamondVaultFacetV2', 'test/protocols/contracts/diamond/DiamondVaultFacetV2.sol'),
      build('DiamondLedgerFacet', 'test/protocols/contracts/diamond/DiamondLedgerFacet.sol'),
    ])
    const [vault] = storageRootsOf(v1)
    const [vaultV2] = storageRootsOf(v2)
    const [ledgerRoot] = storageRootsOf(ledger)
    expect(vault!.origin).toBe('erc7201:bulwark.kit.vault')
    expect(compareStorageRoots(vault!, vaultV2!)).toBeUndefined()
    expect(compareStorageRoots(vault!, ledgerRoot!)).toEqual({
      slot: erc7201Slot('bulwark.kit.vault'),
      index: 0,
      left: { origin: 'erc7201:bulwark.kit.vault', member: { name: '_balances', type: 'mapping(address => uint256)' } },
      right: { origin: 'erc7201:bulwark.kit.vault', member: { name: '_total', type: 'uint256' } },
    })
  }, 300_000)
})
