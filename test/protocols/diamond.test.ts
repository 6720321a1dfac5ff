import { encodeFunctionData, getAddress, zeroAddress } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createReadClient, type ReadClient } from '../../src/chain/clients.js'
import { getDiamondCuts } from '../../src/chain/getDiamondCuts.js'
import { getDiamondFacets } from '../../src/chain/getDiamondFacets.js'
import { readInventory } from '../../src/chain/readInventory.js'
import { startAnvil, type Anvil } from '../../src/chain/startAnvil.js'
import { kitArtifact, type KitBuild } from './compileKit.js'
import { compileGovernance } from './compileProtocols.js'
import { compileDiamondKit, deployDiamondKit, encodeDiamondCut, facetCut, selectorsOf, type DiamondKit } from './diamond.js'
import { deployKitGovernance, executeViaGovernance, type KitGovernance } from './kitGovernance.js'

let anvil: Anvil
let client: ReadClient
let build: KitBuild
let governance: KitGovernance
let kit: DiamondKit
let vaultSelectors: `0x${string}`[]

beforeAll(async () => {
  ;[build, anvil] = await Promise.all([compileDiamondKit(), startAnvil()])
  const governanceBuild = await compileGovernance()
  client = createReadClient({ rpcUrl: anvil.rpcUrl })
  governance = await deployKitGovernance(anvil, { governanceBuild })
  kit = await deployDiamondKit(anvil, { build, governance })
  // The first upgrade: the vault facet is cut in by the Safe through the timelock, with the reference
  // ERC-165 initializer as the init delegatecall.
  vaultSelectors = selectorsOf(kitArtifact(build, 'DiamondVaultFacet').abi)
  const init = encodeFunctionData({ abi: kitArtifact(build, 'DiamondERC165Init').abi, functionName: 'setERC165', args: [[], []] })
  await executeViaGovernance(anvil, governance, [{ target: kit.diamond, data: encodeDiamondCut([facetCut(kit.vaultFacet, 'add', vaultSelectors)], kit.erc165Init, init) }])
}, 600_000)
afterAll(async () => anvil?.stop())

describe('the reference diamond under a Safe → timelock', () => {
  test('the loupe lists every facet with its selectors, the vault added by governance last', async () => {
    const facets = await getDiamondFacets(client, { address: kit.diamond })
    expect(facets?.map((facet) => facet.address)).toEqual([kit.cutFacet, kit.loupeFacet, kit.ownershipFacet, kit.vaultFacet])
    expect(facets?.find((facet) => facet.address === kit.vaultFacet)?.selectors.sort()).toEqual([...vaultSelectors].sort())
    expect(await getDiamondFacets(client, { address: governance.timelock })).toBeUndefined()
  })

  test('the cut history has the constructor cut and the governance cut with its init', async () => {
    const cuts = await getDiamondCuts(client, { address: kit.diamond })
    expect(cuts).toHaveLength(2)
    expect(cuts[0]?.init).toBeNull()
    expect(cuts[0]?.cuts.map((cut) => [cut.facet, cut.action])).toEqual([
      [kit.cutFacet, 'add'],
      [kit.loupeFacet, 'add'],
      [kit.ownershipFacet, 'add'],
    ])
    expect(cuts[1]?.init).toBe(kit.erc165Init)
    expect(cuts[1]?.cuts).toEqual([{ facet: kit.vaultFacet, action: 'add', selectors: vaultSelectors }])
  })

  test('inventory: diamond → facets, owner timelock → Safe → owners; an init outside the audited set is a finding', async () => {
    const inventory = await readInventory(client, { addresses: [kit.diamond] })
    const node = inventory.nodes[kit.diamond]
    expect(node?.kind).toBe('diamond')
    expect(node?.owner).toBe(governance.timelock)
    expect(node?.diamond?.facets).toHaveLength(4)
    const facetEdges = inventory.edges.filter((edge) => edge.from === kit.diamond && edge.relation === 'facet').map((edge) => edge.to)
    expect(facetEdges).toEqual([kit.cutFacet, kit.loupeFacet, kit.ownershipFacet, kit.vaultFacet])
    expect(inventory.nodes[governance.timelock]?.kind).toBe('timelock')
    expect(inventory.nodes[governance.safe]?.kind).toBe('safe')
    for (const owner of governance.safeOwners) expect(inventory.nodes[getAddress(owner)]?.kind).toBe('eoa')
    expect(inventory.findings.filter((finding) => finding.address === kit.diamond).map((finding) => finding.kind)).toEqual(['diamond-init-unaudited'])
    expect(inventory.findings.find((finding) => finding.kind === 'diamond-init-unaudited')?.message).toContain(kit.erc165Init)

    const audited = await readInventory(client, { addresses: [kit.diamond], auditedCode: [kit.erc165Init] })
    expect(audited.nodes[kit.diamond]?.diamond?.cuts.map((cut) => cut.initAudited)).toEqual([null, true])
    expect(audited.findings.filter((finding) => finding.address === kit.diamond)).toEqual([])
  })

  test('a diamond whose owner is an EOA: diamondCut is one key away', async () => {
    const risky = await deployDiamondKit(anvil, { build, governance, keepDeployerOwner: true })
    const inventory = await readInventory(client, { addresses: [risky.diamond] })
    const findings = inventory.findings.filter((finding) => finding.address === risky.diamond)
    expect(findings.map((finding) => finding.kind)).toEqual(['upgrade-authority-eoa'])
    expect(findings[0]?.message).toBe(
      `Diamond ${risky.diamond} can be upgraded by a single key: its owner (diamondCut) is the externally owned account ${inventory.nodes[risky.diamond]?.owner}.`,
    )
    expect(inventory.nodes[risky.diamond]?.owner).not.toBe(zeroAddress)
  })
})

